package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.ConsistencyContract;
import io.slate.contract.SharedMemoryFixture;

/** The consistency contract on the shared-memory backend. */
class SharedMemoryConsistencyTest extends ConsistencyContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
