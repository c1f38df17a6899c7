package io.slate.shm;

import io.slate.space.SpaceOptions;
import io.slate.spi.Backend;
import io.slate.spi.BackendSpace;
import io.slate.spi.Backends;

/** The shared-memory backend: spaces in a directory (under {@code /dev/shm/slate/}) on Chronicle Map and Queue. */
public final class SharedMemoryBackend implements Backend {
    @Override
    public String scheme() {
        return Backends.SHARED_MEMORY;
    }

    @Override
    public BackendSpace open(final SpaceOptions options) {
        return ChronicleSpace.open(options);
    }

    @Override
    public boolean exists(final SpaceOptions options) {
        return ChronicleSpace.exists(options.directory());
    }

    @Override
    public void delete(final SpaceOptions options) {
        ChronicleSpace.delete(options.directory());
    }
}
