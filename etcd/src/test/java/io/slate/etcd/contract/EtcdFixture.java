package io.slate.etcd.contract;

import io.slate.contract.BackendFixture;
import io.slate.etcd.testing.EtcdCluster;
import io.slate.space.Space;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The etcd backend for the contract suite: one 3-member cluster on free ports for the whole test JVM (started on
 * first use, skipping the test when etcd is not installed and failing it under CI=true; stopped and removed by the
 * cluster's shutdown hook), a fresh space name per address, removed by one prefix delete. Agents (this JVM's and the
 * children's) hold leases of {@value #LEASE_TTL_SECONDS} s, so a killed agent's holds go back within a few seconds.
 */
public final class EtcdFixture implements BackendFixture {
    static final long LEASE_TTL_SECONDS = 2;
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static volatile EtcdCluster cluster;

    static {
        System.setProperty("slate.etcd.leaseTtlSeconds", Long.toString(LEASE_TTL_SECONDS));
        // a JVM loading jetcd, gRPC and Netty for the first time on a loaded 2-core machine needs more than 5 s
        System.setProperty("slate.etcd.connectTimeoutMillis", "30000");
    }

    static EtcdCluster cluster() {
        EtcdCluster c = cluster;
        if (c == null) {
            synchronized (EtcdFixture.class) {
                c = cluster;
                if (c == null) {
                    c = EtcdCluster.start(3);
                    cluster = c;
                }
            }
        }
        return c;
    }

    @Override
    public String name() {
        return "etcd (3 members)";
    }

    @Override
    public String newAddress(final String label) {
        final String clean = label.replaceAll("[^A-Za-z0-9._-]", "-");
        final String name = "c" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
                + (clean.length() > 60 ? clean.substring(0, 60) : clean);
        return cluster().address(name);
    }

    @Override
    public void remove(final String address) {
        if (cluster != null) {
            Space.delete(address);
        }
    }

    @Override
    public List<String> childJvmOptions() {
        return List.of("-Dslate.etcd.leaseTtlSeconds=" + LEASE_TTL_SECONDS, "-Dslate.etcd.connectTimeoutMillis=30000");
    }
}
