package io.slate.space;

import io.slate.idle.BackoffIdleStrategy;
import io.slate.idle.IdleStrategy;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to open or create a space. Sizing options apply when the space is created and are then stored in its
 * header; an agent opening an existing space gets the sizes the creator chose (see {@link Space#options()}).
 *
 * <p>A space name without a '/' resolves to {@code /dev/shm/slate/<name>} (or under the directory in the
 * system property {@code slate.root}); anything with a '/' is used as a path as given. Both are spaces of the
 * shared-memory backend. An address with a scheme, {@code scheme://...} (for example
 * {@code etcd://host:port,host:port/name}), names a space of the backend registered for that scheme.
 */
public final class SpaceOptions {
    public static final String DEFAULT_ROOT = "/dev/shm/slate";
    public static final long DEFAULT_MAX_ENTRIES = 100_000;
    public static final int DEFAULT_AVERAGE_KEY_BYTES = 32;
    public static final int DEFAULT_AVERAGE_VALUE_BYTES = 128;
    public static final int DEFAULT_MAX_KEY_BYTES = 256;
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_AGENTS = 1024;
    /** The journal a new space keeps in memory by default: 256 MiB of cycles (see {@link #retainBytes}). */
    public static final long DEFAULT_RETAIN_BYTES = 256L << 20;
    /** A new space's journal rolls every five minutes by default, so retention can free memory in small steps. */
    public static final JournalRollCycle DEFAULT_ROLL_CYCLE = JournalRollCycle.FIVE_MINUTELY;
    public static final int MAX_AGENT_ID_BYTES = 64;
    /** Largest {@link #maxKeyBytes(int)}: a journal record stores a key's length in two bytes. */
    public static final int MAX_KEY_BYTES_LIMIT = 0xFFFF;
    /** Largest {@link #maxAgents(int)}: the sync primitives name an agent's slot in 16 bits. */
    public static final int MAX_AGENTS_LIMIT = 1 << 16;

    private final Path directory;
    /** The address with its scheme, for a space of another backend than shared memory; else null. */
    private final String uri;
    private String agentId;
    private long maxEntries = DEFAULT_MAX_ENTRIES;
    private int averageKeyBytes = DEFAULT_AVERAGE_KEY_BYTES;
    private int averageValueBytes = DEFAULT_AVERAGE_VALUE_BYTES;
    private int maxKeyBytes = DEFAULT_MAX_KEY_BYTES;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private int maxAgents = DEFAULT_MAX_AGENTS;
    private JournalRollCycle rollCycle = DEFAULT_ROLL_CYCLE;
    private int retainCycles = 0;
    private long retainBytes = DEFAULT_RETAIN_BYTES;
    private Path archiveDirectory;
    private boolean groupShared = false;
    private boolean observer = false;
    private boolean housekeeping = true;
    private Supplier<IdleStrategy> idleStrategy = BackoffIdleStrategy::new;

    private SpaceOptions(final Path directory) {
        this.directory = directory;
        this.uri = null;
    }

    private SpaceOptions(final String uri) {
        this.directory = null;
        this.uri = uri;
    }

    /** The scheme of an address such as {@code etcd://...}, or null when {@code s} has none. */
    private static String schemeOf(final String s) {
        final int i = s.indexOf("://");
        if (i <= 0) {
            return null;
        }
        for (int k = 0; k < i; k++) {
            final char c = s.charAt(k);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (k > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
            if (!ok) {
                return null;
            }
        }
        return s.substring(0, i).toLowerCase(java.util.Locale.ROOT);
    }

    /** Options for the space with this name (under {@code /dev/shm/slate/}) or at this path (contains '/'). */
    public static SpaceOptions of(final String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "space name or path");
        if (nameOrPath.isBlank()) {
            throw new IllegalArgumentException("space name must not be empty");
        }
        if (schemeOf(nameOrPath) != null) {
            return new SpaceOptions(nameOrPath);
        }
        if (nameOrPath.indexOf('/') >= 0) {
            return new SpaceOptions(Paths.get(nameOrPath).toAbsolutePath().normalize());
        }
        if (nameOrPath.equals(".") || nameOrPath.equals("..")) {
            throw new IllegalArgumentException("space name '" + nameOrPath + "' is not a name; give a path with a '/'");
        }
        return new SpaceOptions(Paths.get(System.getProperty("slate.root", DEFAULT_ROOT), nameOrPath).toAbsolutePath().normalize());
    }

    /** Options for the space at this directory. */
    public static SpaceOptions at(final Path directory) {
        return new SpaceOptions(directory.toAbsolutePath().normalize());
    }

    /**
     * This agent's id (1 to 64 UTF-8 bytes), unique among the live agents of the space: opening with an id a live
     * agent already has fails with {@link IllegalStateException}. Generated ({@code agent-<pid>-<n>}) when not given.
     */
    public SpaceOptions agentId(final String id) {
        this.agentId = id;
        return this;
    }

    /** Capacity of the key/value map in keys (removed keys keep a tombstone and count). Creation only. */
    public SpaceOptions maxEntries(final long n) {
        this.maxEntries = requirePositive(n, "maxEntries");
        return this;
    }

    /** Average UTF-8 size of keys, used to size the map. Creation only. */
    public SpaceOptions averageKeyBytes(final int n) {
        this.averageKeyBytes = (int) requirePositive(n, "averageKeyBytes");
        return this;
    }

    /** Average size of values, used to size the map. Creation only. */
    public SpaceOptions averageValueBytes(final int n) {
        this.averageValueBytes = (int) requirePositive(n, "averageValueBytes");
        return this;
    }

    /** Largest key in UTF-8 bytes (at most {@value #MAX_KEY_BYTES_LIMIT}); longer keys are refused. Creation only. */
    public SpaceOptions maxKeyBytes(final int n) {
        this.maxKeyBytes = (int) requireInRange(n, MAX_KEY_BYTES_LIMIT, "maxKeyBytes");
        return this;
    }

    /** Largest value in bytes; larger values are refused. Creation only. */
    public SpaceOptions maxValueBytes(final int n) {
        this.maxValueBytes = (int) requirePositive(n, "maxValueBytes");
        return this;
    }

    /** Slots in the agent registry (at most {@value #MAX_AGENTS_LIMIT}). Creation only. */
    public SpaceOptions maxAgents(final int n) {
        this.maxAgents = (int) requireInRange(n, MAX_AGENTS_LIMIT, "maxAgents");
        return this;
    }

    /** How often the journal rolls to a new file. Creation only. */
    public SpaceOptions rollCycle(final JournalRollCycle cycle) {
        this.rollCycle = Objects.requireNonNull(cycle, "rollCycle");
        return this;
    }

    /**
     * Keep at most this many most recent journal cycles; older ones are removed (or archived). 0: no limit by count
     * (the default; {@link #retainBytes} bounds the journal). Creation only.
     */
    public SpaceOptions retainCycles(final int n) {
        if (n < 0) {
            throw new IllegalArgumentException("retainCycles must be >= 0, got " + n);
        }
        this.retainCycles = n;
        return this;
    }

    /**
     * Keep at most about this many bytes of journal cycles in memory (default {@value #DEFAULT_RETAIN_BYTES}, 256 MiB):
     * at each roll, the oldest cycles are removed (or archived) until the retained cycles fit, the current cycle
     * always kept. Tuple spaces and blackboards are snapshotted first, so they never need a removed record. A named
     * tailer or watch holds back the cycles it has not read while the journal stays within twice this budget; beyond
     * that they are retired anyway and it fails with an error naming what it lost. 0: no limit by size (with
     * {@code retainCycles(0)} too, the journal keeps everything). Creation only.
     */
    public SpaceOptions retainBytes(final long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("retainBytes must be >= 0, got " + bytes);
        }
        this.retainBytes = bytes;
        return this;
    }

    /** Move retired journal cycles to this (disk) directory instead of deleting them. Creation only. */
    public SpaceOptions archiveDirectory(final Path dir) {
        this.archiveDirectory = dir == null ? null : dir.toAbsolutePath().normalize();
        return this;
    }

    /** Create the space readable and writable by the owner's group too (default: owner only). Creation only. */
    public SpaceOptions groupShared(final boolean shared) {
        this.groupShared = shared;
        return this;
    }

    /**
     * Open the space as an observer (default: false, an agent): it reads the key/value map, the journal, tuples,
     * the blackboard, sync primitives and the agent list, but changes nothing. An observer is not an agent: it is not
     * listed by {@link Space#agents()}, it creates nothing (a missing space is a {@link NotASpaceException}), and
     * every write through it fails with a {@link ReadOnlySpaceException}. For tools that look at a space, such as
     * the read-only commands of the {@code slate} command line.
     */
    public SpaceOptions observer(final boolean observer) {
        this.observer = observer;
        return this;
    }

    /**
     * Whether this handle may take the space's housekeeping duty (default true): snapshots of its tuple spaces and
     * blackboards and journal retention, run on a background thread by one agent of the space at a time (the others
     * wake once a second to see whether it is free). An agent that busy-spins on pinned CPUs for the lowest latency
     * turns it off so that no thread of its JVM ever takes a CPU from its spinning threads: on two CPUs the duty's
     * passes put millisecond stalls into its tail (see docs/benchmarks.md). Some other agent of the space must keep it
     * on (any agent, the {@code slate serve} gateway, or a process that only opens the space): while no agent does
     * it, tuple spaces and blackboards are not snapshotted and the journal is not trimmed. Not stored in the space.
     */
    public SpaceOptions housekeeping(final boolean housekeeping) {
        this.housekeeping = housekeeping;
        return this;
    }

    /** How this agent's blocking calls wait (default: backoff). */
    public SpaceOptions idleStrategy(final Supplier<IdleStrategy> factory) {
        this.idleStrategy = Objects.requireNonNull(factory, "idleStrategy");
        return this;
    }

    /** The space's directory on the shared-memory backend; {@code null} for a space of another backend. */
    public Path directory() {
        return directory;
    }

    /** Where the space is: its address with its scheme, or its directory for the shared-memory backend. */
    public String address() {
        return uri != null ? uri : directory.toString();
    }

    /** The scheme of the space's address, or {@code null} for the shared-memory backend (a name or a path). */
    public String scheme() {
        return uri == null ? null : schemeOf(uri);
    }

    public String agentId() {
        return agentId;
    }

    public long maxEntries() {
        return maxEntries;
    }

    public int averageKeyBytes() {
        return averageKeyBytes;
    }

    public int averageValueBytes() {
        return averageValueBytes;
    }

    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public int maxAgents() {
        return maxAgents;
    }

    public JournalRollCycle rollCycle() {
        return rollCycle;
    }

    public int retainCycles() {
        return retainCycles;
    }

    public long retainBytes() {
        return retainBytes;
    }

    public Path archiveDirectory() {
        return archiveDirectory;
    }

    public boolean groupShared() {
        return groupShared;
    }

    /** True when the space is opened as an observer ({@link #observer(boolean)}). */
    public boolean observer() {
        return observer;
    }

    public Supplier<IdleStrategy> idleStrategy() {
        return idleStrategy;
    }

    /** True when this handle may take the housekeeping duty ({@link #housekeeping(boolean)}; never for an observer). */
    public boolean housekeeping() {
        return housekeeping && !observer;
    }

    /** A copy of these options with the space-wide sizing replaced by what a space's header holds. */
    public SpaceOptions copy() {
        final SpaceOptions o = uri != null ? new SpaceOptions(uri) : new SpaceOptions(directory);
        o.agentId = agentId;
        o.maxEntries = maxEntries;
        o.averageKeyBytes = averageKeyBytes;
        o.averageValueBytes = averageValueBytes;
        o.maxKeyBytes = maxKeyBytes;
        o.maxValueBytes = maxValueBytes;
        o.maxAgents = maxAgents;
        o.rollCycle = rollCycle;
        o.retainCycles = retainCycles;
        o.retainBytes = retainBytes;
        o.archiveDirectory = archiveDirectory;
        o.groupShared = groupShared;
        o.observer = observer;
        o.housekeeping = housekeeping;
        o.idleStrategy = idleStrategy;
        return o;
    }

    private static long requirePositive(final long n, final String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + n);
        }
        return n;
    }

    private static long requireInRange(final long n, final long max, final String what) {
        if (n < 1 || n > max) {
            throw new IllegalArgumentException(what + " must be 1 to " + max + ", got " + n);
        }
        return n;
    }

    @Override
    public String toString() {
        return "SpaceOptions{" + address() + ", maxEntries=" + maxEntries + ", avgKey=" + averageKeyBytes
                + ", avgValue=" + averageValueBytes + ", maxKey=" + maxKeyBytes + ", maxValue=" + maxValueBytes
                + ", maxAgents=" + maxAgents + ", rollCycle=" + rollCycle + ", retainCycles=" + retainCycles + ", retainBytes=" + retainBytes
                + ", archive=" + archiveDirectory + ", groupShared=" + groupShared + (observer ? ", observer" : "")
                + (housekeeping ? "" : ", no housekeeping") + '}';
    }
}
