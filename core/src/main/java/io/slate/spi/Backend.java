package io.slate.spi;

import io.slate.space.SpaceOptions;

/**
 * A backend: what holds the spaces of one address scheme. Registered through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.slate.spi.Backend}); {@link io.slate.space.Space#open} picks one by the scheme of
 * the space's address. The shared-memory backend serves plain names and paths (and {@code shm:}).
 */
public interface Backend {
    /** The address scheme this backend serves, e.g. {@code "etcd"} for {@code etcd://host:port/name}. */
    String scheme();

    /** Opens the space the options describe, creating it if needed, and registers this process as an agent. */
    BackendSpace open(SpaceOptions options);

    /** True when the space exists; creates nothing. */
    boolean exists(SpaceOptions options);

    /** Removes the space and everything in it. */
    void delete(SpaceOptions options);
}
