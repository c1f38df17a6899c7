package io.slate.spi;

import io.slate.space.SpaceOptions;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds the backend for a space's address: the shared-memory backend for a name or a path, the backend registered
 * (through {@link ServiceLoader}) for the scheme of an address such as {@code etcd://host:port/name}.
 */
public final class Backends {
    /** The scheme of the shared-memory backend; plain names and paths are its spaces. */
    public static final String SHARED_MEMORY = "shm";

    private static volatile Map<String, Backend> loaded;

    private Backends() {
    }

    /**
     * The backend for these options.
     *
     * @throws IllegalArgumentException when no backend on the class path serves the address's scheme, listing the
     *                                  schemes that are served
     */
    public static Backend of(final SpaceOptions options) {
        final String scheme = options.scheme() == null ? SHARED_MEMORY : options.scheme();
        final Map<String, Backend> all = all();
        final Backend b = all.get(scheme);
        if (b == null) {
            throw new IllegalArgumentException("space address '" + options.address() + "': no backend for scheme '" + scheme
                    + "'; known schemes: " + String.join(", ", all.keySet()) + " (a plain name or a path opens a space in shared memory"
                    + ("etcd".equals(scheme) ? "; the etcd backend is the slate-etcd module: add it to the class path" : "") + ")");
        }
        return b;
    }

    /** Every backend on the class path, by scheme. */
    public static Map<String, Backend> all() {
        Map<String, Backend> m = loaded;
        if (m == null) {
            synchronized (Backends.class) {
                m = loaded;
                if (m == null) {
                    final Map<String, Backend> found = new TreeMap<>();
                    for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
                        found.putIfAbsent(b.scheme(), b);
                    }
                    m = java.util.Collections.unmodifiableMap(found);
                    loaded = m;
                }
            }
        }
        return m;
    }
}
