package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.SyncContract;
import io.slate.contract.SharedMemoryFixture;

/** The sync contract on the shared-memory backend. */
class SharedMemorySyncTest extends SyncContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
