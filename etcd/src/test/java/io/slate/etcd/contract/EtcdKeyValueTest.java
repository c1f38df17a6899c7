package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.contract.KeyValueContract;

/** The key/value contract on a 3-member etcd cluster. */
class EtcdKeyValueTest extends KeyValueContract {
    private static final BackendFixture FIXTURE = new EtcdFixture();

    @Override
    protected BackendFixture fixture() {
        return FIXTURE;
    }
}
