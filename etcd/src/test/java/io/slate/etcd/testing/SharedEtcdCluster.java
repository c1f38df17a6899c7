package io.slate.etcd.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One etcd cluster for a test class, registered as a static field with {@code @RegisterExtension}: started on free
 * loopback ports before the class's tests when etcd is installed; each test skipped (or failed under {@code CI=true})
 * with the reason when it is not ({@link EtcdCluster#requireEtcd()}); stopped after the class's tests.
 */
public final class SharedEtcdCluster implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final int members;
    private EtcdCluster cluster;

    public SharedEtcdCluster(final int members) {
        this.members = members;
    }

    /**
     * Gives this JVM's etcd spaces {@code millis} to connect ({@code slate.etcd.connectTimeoutMillis}), set as the test
     * class is initialized: for classes whose tests open spaces on a loaded machine, where the default is too short.
     */
    public SharedEtcdCluster connectTimeoutMillis(final long millis) {
        System.setProperty("slate.etcd.connectTimeoutMillis", Long.toString(millis));
        return this;
    }

    /** The running cluster; null when etcd is not installed (every test of the class is skipped then). */
    public EtcdCluster cluster() {
        return cluster;
    }

    @Override
    public void beforeAll(final ExtensionContext context) {
        if (EtcdCluster.findEtcd() != null) {
            cluster = EtcdCluster.start(members);
        }
    }

    @Override
    public void beforeEach(final ExtensionContext context) {
        EtcdCluster.requireEtcd();
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
