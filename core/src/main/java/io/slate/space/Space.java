package io.slate.space;

import io.slate.agent.AgentInfo;
import io.slate.journal.Journal;
import io.slate.kv.KeyValue;
import io.slate.spi.Backends;

import java.nio.file.Path;
import java.util.List;

/**
 * A space: on one host, one directory that every co-located agent maps; on a distributed backend, a prefix of its
 * store (see {@link SpaceOptions} for addresses). It holds a versioned key/value map and the
 * journal, the single total order of every write. Opening a space registers the calling process as an agent.
 *
 * <p>A {@code Space} is thread-safe: any thread may use its {@link #kv()}; each thread appends through its own
 * journal appender. Tailers made from {@link #journal()} are single-threaded.
 *
 * <p>Close it when done: the agent is then marked closed (a process that dies without closing is seen as dead).
 */
public interface Space extends AutoCloseable {

    /**
     * Opens the space with this name (under {@code /dev/shm/slate/}), at this path, or at this address
     * ({@code scheme://...}, served by the backend registered for the scheme), creating it if needed.
     */
    static Space open(final String nameOrPath) {
        return open(SpaceOptions.of(nameOrPath));
    }

    /** Opens or creates the space these options describe. Two processes creating one space at once share it. */
    static Space open(final SpaceOptions options) {
        return Backends.of(options).open(options);
    }

    /** True when {@code directory} holds a Slate space (its header file exists); creates nothing. */
    static boolean exists(final Path directory) {
        final SpaceOptions o = SpaceOptions.at(directory);
        return Backends.of(o).exists(o);
    }

    /** True when a space exists at this name, path or address; creates nothing. */
    static boolean exists(final String nameOrAddress) {
        final SpaceOptions o = SpaceOptions.of(nameOrAddress);
        return Backends.of(o).exists(o);
    }

    /**
     * Removes a space's directory and everything in it. Agents still attached keep their mappings until they
     * close, but the space is gone for everyone else.
     */
    static void delete(final Path directory) {
        final SpaceOptions o = SpaceOptions.at(directory);
        Backends.of(o).delete(o);
    }

    /** Removes the space at this name, path or address, and everything in it. */
    static void delete(final String nameOrAddress) {
        final SpaceOptions o = SpaceOptions.of(nameOrAddress);
        Backends.of(o).delete(o);
    }

    /** The directory holding this space on the shared-memory backend; {@code null} on another backend. */
    Path directory();

    /** Where this space is: its directory, or its address on a distributed backend. */
    default String address() {
        return options().address();
    }

    /** The options in force: the sizes stored in the space's header, this agent's id and idle strategy. */
    SpaceOptions options();

    /** This process's agent id in the space. */
    String agentId();

    /** The versioned key/value map. */
    KeyValue kv();

    /** The journal of every write. */
    Journal journal();

    /** Every agent the registry remembers: alive, closed and dead. */
    List<AgentInfo> agents();

    /** Numbers about the space: entries, journal indices and sizes, agents. */
    SpaceStats stats();

    /** Marks this agent closed and unmaps the space. Idempotent. */
    @Override
    void close();
}
