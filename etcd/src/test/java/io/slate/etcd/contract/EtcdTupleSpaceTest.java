package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.TupleSpaceContract;

/** The tuple space contract on a 3-member etcd cluster. */
class EtcdTupleSpaceTest extends TupleSpaceContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
