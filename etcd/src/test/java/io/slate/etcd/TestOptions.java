package io.slate.etcd;

/**
 * Connection options for tests: the defaults, but a connect timeout that a JVM loading jetcd, gRPC and vert.x for the
 * first time on a heavily loaded 2-core machine can meet (the first connect of a test JVM is what it bounds).
 */
final class TestOptions {
    private TestOptions() {
    }

    static EtcdConnection.Options options() {
        return new EtcdConnection.Options().connectTimeoutMillis(30_000);
    }
}
