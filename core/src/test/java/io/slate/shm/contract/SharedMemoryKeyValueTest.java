package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.KeyValueContract;
import io.slate.contract.SharedMemoryFixture;

/** The keyvalue contract on the shared-memory backend. */
class SharedMemoryKeyValueTest extends KeyValueContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
