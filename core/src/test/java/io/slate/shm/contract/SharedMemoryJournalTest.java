package io.slate.shm.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.JournalContract;
import io.slate.contract.SharedMemoryFixture;

/** The journal contract on the shared-memory backend. */
class SharedMemoryJournalTest extends JournalContract {
    @Override
    protected BackendFixture fixture() {
        return new SharedMemoryFixture();
    }
}
