package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.ConsistencyContract;

/** The consistency contract on a 3-member etcd cluster. */
class EtcdConsistencyTest extends ConsistencyContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
