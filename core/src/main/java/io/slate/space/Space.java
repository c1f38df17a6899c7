package io.slate.space;

import io.slate.agent.AgentInfo;
import io.slate.internal.ChronicleSpace;
import io.slate.journal.Journal;
import io.slate.kv.KeyValue;

import java.nio.file.Path;
import java.util.List;

/**
 * A space: one directory that every co-located agent maps. It holds a versioned key/value map and the
 * journal, the single total order of every write. Opening a space registers the calling process as an agent.
 *
 * <p>A {@code Space} is thread-safe: any thread may use its {@link #kv()}; each thread appends through its own
 * journal appender. Tailers made from {@link #journal()} are single-threaded.
 *
 * <p>Close it when done: the agent is then marked closed (a process that dies without closing is seen as dead).
 */
public interface Space extends AutoCloseable {

    /** Opens the space with this name (under {@code /dev/shm/slate/}) or at this path, creating it if needed. */
    static Space open(final String nameOrPath) {
        return open(SpaceOptions.of(nameOrPath));
    }

    /**
     * Opens or creates the space these options describe. Two processes creating one space at once share it.
     *
     * <p>A space in shared memory (a name or a path) needs JVM options ({@link io.slate.launch.JvmOptions}): on a JVM
     * started without them, this fails before touching anything with a
     * {@link io.slate.launch.MissingJvmOptionsException} naming the missing options.
     */
    static Space open(final SpaceOptions options) {
        return ChronicleSpace.open(options);
    }

    /** True when {@code directory} holds a Slate space (its header file exists); creates nothing. */
    static boolean exists(final Path directory) {
        return ChronicleSpace.exists(directory);
    }

    /**
     * Removes a space's directory and everything in it. Agents still attached keep their mappings until they
     * close, but the space is gone for everyone else.
     */
    static void delete(final Path directory) {
        ChronicleSpace.delete(directory);
    }

    /** The directory holding this space. */
    Path directory();

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
