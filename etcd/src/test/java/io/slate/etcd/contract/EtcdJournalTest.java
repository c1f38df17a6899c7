package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.JournalContract;

/** The journal contract on a 3-member etcd cluster. */
class EtcdJournalTest extends JournalContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
