package io.slate.spi;

import io.slate.space.Space;
import io.slate.sync.Sync;

/**
 * What a backend gives the feature engines (tuple spaces, blackboards, consistency views, the journal's tailers,
 * replay and verify): a {@link Space} with its ordered {@link RecordLog}, its versioned {@link KeyValueStore}, the
 * identity and liveness of agents, and its sync primitives. The engines are written against this and nothing
 * below it, so a feature that works on one backend works on every backend that passes the contract suite.
 */
public interface BackendSpace extends Space {
    /**
     * {@code space} as a backend space.
     *
     * @throws IllegalArgumentException naming {@code feature} when the space was not opened by {@link Space#open}
     */
    static BackendSpace of(final Space space, final String feature) {
        if (!(space instanceof BackendSpace)) {
            throw new IllegalArgumentException(feature + " need" + (feature.endsWith("s") ? "" : "s") + " a space opened by Space.open, got "
                    + (space == null ? "null" : space.getClass().getName()));
        }
        return (BackendSpace) space;
    }

    /** The ordered record log: every write of every feature. */
    RecordLog log();

    /** The versioned key/value map. */
    KeyValueStore store();

    /** Snapshots of the state engines derive from the journal (tuple spaces, blackboards). */
    SnapshotStore snapshots();

    /** This agent, as records name it. */
    AgentRef self();

    /**
     * Whether the agent a record names is alive now. Exact on one host; on a distributed backend, whether its lease
     * is still granted. Never true for an agent that died.
     */
    boolean isLive(int slot, long id, long incarnation);

    /** The sync primitives of this space (mutexes with fencing tokens, semaphores, counters, latches, barriers). */
    Sync sync();

    /** True when sync primitives exist in this space (without creating anything). */
    boolean syncExists();

    /** Closes {@code resource} when the space closes (a handle an engine opened on it). */
    void register(AutoCloseable resource);

    /** Forgets a resource registered with {@link #register} (it was closed by its owner). */
    void unregister(AutoCloseable resource);

    /** @throws IllegalStateException once the space is closed */
    void ensureOpen();
}
