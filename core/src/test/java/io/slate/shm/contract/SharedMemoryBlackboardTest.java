package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.BlackboardContract;
import io.slate.contract.SharedMemoryFixture;

/** The blackboard contract on the shared-memory backend. */
class SharedMemoryBlackboardTest extends BlackboardContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
