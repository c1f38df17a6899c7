package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.BlackboardContract;

/** The blackboard contract on a 3-member etcd cluster. */
class EtcdBlackboardTest extends BlackboardContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
