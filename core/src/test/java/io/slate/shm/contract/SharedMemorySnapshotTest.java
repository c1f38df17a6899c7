package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.SharedMemoryFixture;
import io.slate.contract.SnapshotContract;

/** The snapshot contract on the shared-memory backend. */
class SharedMemorySnapshotTest extends SnapshotContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
