package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.TupleSpaceContract;
import io.slate.contract.SharedMemoryFixture;

/** The tuplespace contract on the shared-memory backend. */
class SharedMemoryTupleSpaceTest extends TupleSpaceContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
