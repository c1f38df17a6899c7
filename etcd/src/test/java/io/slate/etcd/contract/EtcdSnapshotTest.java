package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.SnapshotContract;

/** The snapshot contract on a 3-member etcd cluster. */
class EtcdSnapshotTest extends SnapshotContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
