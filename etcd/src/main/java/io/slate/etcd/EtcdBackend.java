package io.slate.etcd;

import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.slate.space.SpaceException;
import io.slate.space.SpaceOptions;
import io.slate.spi.Backend;
import io.slate.spi.BackendSpace;

/**
 * The etcd backend: spaces at {@code etcd://host:port[,host:port...]/name}, served by {@link EtcdSpace}. Registered
 * through {@code META-INF/services/io.slate.spi.Backend}, so {@code Space.open("etcd://...")} finds it when this module
 * is on the class path. Credentials come from {@code SLATE_ETCD_USER} / {@code SLATE_ETCD_PASSWORD}, TLS from {@code SLATE_ETCD_CACERT}
 * (and {@code SLATE_ETCD_CERT} / {@code SLATE_ETCD_KEY} for a client certificate); timeouts and the
 * agents' lease TTL from the system properties {@code slate.etcd.*} (see {@code docs/multi-host.md}).
 */
public final class EtcdBackend implements Backend {
    @Override
    public String scheme() {
        return EtcdAddress.SCHEME;
    }

    @Override
    public BackendSpace open(final SpaceOptions options) {
        // jetcd, gRPC and Netty start their threads from whichever thread first needs them: from an agent's pinned
        // thread they would all share its one CPU, so the open (connection, watch, lease) runs on the process's CPUs
        return io.slate.internal.ServiceThreads.callOnProcessCpus("slate-etcd-open", () -> EtcdSpace.open(options));
    }

    @Override
    public boolean exists(final SpaceOptions options) {
        final EtcdAddress address = address(options);
        try (EtcdConnection c = connect(address)) {
            return exists(c, new SpaceLayout(address.spaceName()));
        } catch (EtcdFailure e) {
            throw new SpaceException(address.toString(), e.getMessage(), e);
        }
    }

    @Override
    public void delete(final SpaceOptions options) {
        final EtcdAddress address = address(options);
        try (EtcdConnection c = connect(address)) {
            final SpaceLayout layout = new SpaceLayout(address.spaceName());
            c.read(() -> c.kv().delete(layout.spacePrefix(), DeleteOption.builder().isPrefix(true).build()),
                    "delete of space '" + address.spaceName() + "'");
        } catch (EtcdFailure e) {
            throw new SpaceException(address.toString(), e.getMessage(), e);
        }
    }

    static boolean exists(final EtcdConnection c, final SpaceLayout layout) {
        return c.get(layout.spacePrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                "existence of space '" + layout.space() + "'").getCount() > 0;
    }

    /** The parsed address; a malformed one is an {@link IllegalArgumentException} naming it and the problem. */
    static EtcdAddress address(final SpaceOptions options) {
        try {
            return EtcdAddress.parse(options.address());
        } catch (EtcdFailure e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Connects, or throws a {@link SpaceException} naming the address (unreachable, refused). */
    static EtcdConnection connect(final EtcdAddress address) {
        try {
            return EtcdConnection.open(address, EtcdSpace.connectionOptions());
        } catch (EtcdFailure e) {
            throw new SpaceException(address.toString(), e.getMessage(), e);
        }
    }
}
