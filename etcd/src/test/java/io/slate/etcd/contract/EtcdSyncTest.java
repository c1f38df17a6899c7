package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.SyncContract;

/** The sync contract on a 3-member etcd cluster. */
class EtcdSyncTest extends SyncContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
