package io.slate.contract;

import io.slate.space.Space;
import io.slate.testing.TestSpaces;

/** The shared-memory backend for the contract suite: a fresh directory under /dev/shm per space. */
public final class SharedMemoryFixture implements BackendFixture {
    @Override
    public String name() {
        return "shared memory";
    }

    @Override
    public String newAddress(final String label) {
        return TestSpaces.newDirectory("contract-" + label).toString();
    }

    @Override
    public void remove(final String address) {
        Space.delete(address);
    }
}
