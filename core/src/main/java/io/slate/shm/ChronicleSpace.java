package io.slate.shm;

import io.slate.internal.ChronicleStartup;
import io.slate.internal.EntryMarshaller;
import io.slate.agent.AgentInfo;
import io.slate.journal.Journal;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.CorruptSpaceException;
import io.slate.space.IncompatibleFormatException;
import io.slate.space.JournalRollCycle;
import io.slate.space.NotASpaceException;
import io.slate.space.Space;
import io.slate.space.SpaceAccessException;
import io.slate.space.SpaceException;
import io.slate.space.SpaceFullException;
import io.slate.space.SpaceOptions;
import io.slate.space.SpaceStats;
import io.slate.engine.journal.LogJournal;
import io.slate.shm.sync.ShmSync;
import io.slate.spi.AgentRef;
import io.slate.spi.BackendSpace;
import io.slate.sync.Sync;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The space on Chronicle: a Chronicle Map for the key/value state and a Chronicle Queue for the journal, plus our own
 * small mapped files (header, agent registry, tailer positions). See {@code docs/space-format.md}.
 *
 * <p>Creation runs under an exclusive OS lock on {@code .lock} in the space's directory, so two processes creating
 * one space at the same moment serialize: the first creates, the second opens what the first made. The Chronicle Map
 * is created only under that lock (two concurrent {@code createPersistedTo} calls on one file are a known trap,
 * Chronicle-Map issue 291). The header's ready word is written last, once every file exists and is initialized; a
 * space whose header is ready is opened (and closed) without any lock (issue 17), and a header that is not ready is
 * finished or re-created under the lock. See {@code docs/space-format.md}.
 */
public final class ChronicleSpace implements BackendSpace {
    static {
        ChronicleStartup.prepare(); // before anything touches Chronicle
    }

    /** Journal block size: the unit in which journal files grow. */
    static final long JOURNAL_BLOCK_BYTES = 16L << 20;
    /** Writes are refused, before anything is journaled, when the file system has less than this free. */
    static final long MIN_FREE_BYTES = 2 * JOURNAL_BLOCK_BYTES;

    private final SpaceOptions options;
    private final Path directory;
    private final MappedFile header;
    private final AgentRegistry registry;
    private final TailerPositions tailerPositions;
    private final ChronicleMap<CharSequence, EntryBuffer> map;
    private final SingleChronicleQueue queue;
    private final String agentId;
    private final byte[] agentIdBytes;
    private final int agentSlot;
    private final long pid;
    private final ChronicleKeyValue kv;
    private final ChronicleJournal journal;
    private final LogJournal publicJournal;
    private final AgentRef self;
    private final ShmSnapshotStore snapshots;
    private final FileStore fileStore;
    private final CopyOnWriteArrayList<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private ChronicleSpace(final SpaceOptions options, final MappedFile header, final AgentRegistry registry, final TailerPositions tailers,
                           final ChronicleMap<CharSequence, EntryBuffer> map, final SingleChronicleQueue queue, final String agentId,
                           final int agentSlot, final long pid) throws IOException {
        this.options = options;
        this.directory = options.directory();
        this.header = header;
        this.registry = registry;
        this.tailerPositions = tailers;
        this.map = map;
        this.queue = queue;
        this.agentId = agentId;
        this.agentIdBytes = agentId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.agentSlot = agentSlot;
        this.pid = pid;
        this.fileStore = Files.getFileStore(directory);
        this.journal = new ChronicleJournal(this);
        this.kv = new ChronicleKeyValue(this);
        this.self = new AgentRef(agentSlot, pid, registry.startTicks(agentSlot));
        this.publicJournal = new LogJournal(this);
        this.snapshots = new ShmSnapshotStore(directory, options.groupShared());
        journal.startSnapshotDuty();
    }

    /**
     * Opens or creates the space these options describe. A space whose header says it is ready is opened without any
     * lock: nothing another process does while opening, working or closing makes this one wait. Only a space that is
     * missing or not finished is created (or finished) under the exclusive lock on {@code .lock}, where concurrent
     * creators serialize. An observer never creates: it waits only for a creation in progress.
     */
    public static ChronicleSpace open(final SpaceOptions requested) {
        io.slate.launch.JvmOptions.check(); // first: a JVM without Chronicle's options gets one clear message, not an IllegalAccessError
        final Path dir = requested.directory();
        if (requested.observer()) {
            if (!Files.exists(dir.resolve(SpaceDescriptor.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
                throw new NotASpaceException(dir, Files.isDirectory(dir) ? "no Slate space here (no " + SpaceDescriptor.FILE_NAME
                        + " header); an observer creates nothing" : "no such space directory; an observer creates nothing");
            }
        } else {
            SpaceFiles.createDirectory(dir, requested.groupShared());
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotASpaceException(dir, Files.isSymbolicLink(dir) ? "is a symbolic link, not a space directory" : "is not a directory");
        }
        SpaceFiles.checkOwner(dir, requested.groupShared());
        checkNotForeign(dir);
        try {
            final ChronicleSpace ready = openIfReady(requested);
            if (ready != null) {
                return ready;
            }
            if (!requested.observer()) {
                // a creator makes .lock before any other file: a header next to no .lock was not left by a creator
                final boolean lockFound = Files.exists(dir.resolve(SpaceDescriptor.LOCK_FILE_NAME), LinkOption.NOFOLLOW_LINKS);
                SpaceFiles.createFile(dir.resolve(SpaceDescriptor.LOCK_FILE_NAME));
                return FileLocks.withLock(dir.resolve(SpaceDescriptor.LOCK_FILE_NAME), () -> openLocked(requested, lockFound));
            }
            // an observer waits for a creator at work (it holds the lock), then takes what it finished
            final ChronicleSpace created = FileLocks.withLock(dir.resolve(SpaceDescriptor.LOCK_FILE_NAME), () -> openIfReady(requested));
            if (created == null) {
                openHeader(dir.resolve(SpaceDescriptor.FILE_NAME)).close(); // a damaged header is reported as such
                throw new CorruptSpaceException(dir.resolve(SpaceDescriptor.FILE_NAME), "the space's creation never finished (its creator "
                        + "died); an observer does not re-create it: open it as an agent");
            }
            return created;
        } catch (IOException e) {
            throw MappedFile.ioProblem(dir.resolve(SpaceDescriptor.LOCK_FILE_NAME), "cannot lock the space", e);
        }
    }

    /**
     * Opens the space without a lock when its header exists and says it is ready (every file was created and
     * initialized before the ready word was written); null when it is missing or not ready.
     */
    private static ChronicleSpace openIfReady(final SpaceOptions requested) throws IOException {
        final Path headerPath = requested.directory().resolve(SpaceDescriptor.FILE_NAME);
        if (!headerWritten(headerPath)) {
            return null; // missing, or a creator is writing it (its magic is written last)
        }
        final MappedFile header = openHeader(headerPath);
        if (header.buffer().getIntVolatile(SpaceDescriptor.READY_OFFSET) != SpaceDescriptor.READY) {
            header.close();
            return null;
        }
        try {
            SpaceFiles.checkSharedWithOthers(requested.directory(),
                    (header.buffer().getInt(SpaceDescriptor.FLAGS_OFFSET) & SpaceDescriptor.FLAG_GROUP_SHARED) != 0);
        } catch (RuntimeException e) {
            header.close();
            throw e;
        }
        return attach(requested, header, false);
    }

    /**
     * True when the header file exists, has its full length and a magic word: a creator writes the magic last, so a
     * header without one is being written (or its creator died) and is left to the lock path, which checks it in full.
     */
    private static boolean headerWritten(final Path headerPath) throws IOException {
        final byte[] first = new byte[8];
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(headerPath, java.util.Set.of(java.nio.file.StandardOpenOption.READ),
                new java.nio.file.attribute.FileAttribute<?>[0])) {
            if (ch.size() < SpaceDescriptor.LENGTH) {
                return false;
            }
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(first);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read the magic
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        return new UnsafeBuffer(first).getLong(SpaceDescriptor.MAGIC_OFFSET) != 0;
    }

    /** Refuses a non-empty directory without a header before touching it (so nothing, not even .lock, is left in it). */
    private static void checkNotForeign(final Path dir) {
        final boolean others;
        try (Stream<Path> s = Files.list(dir)) {
            others = s.anyMatch(p -> !p.getFileName().toString().equals(SpaceDescriptor.LOCK_FILE_NAME));
        } catch (IOException e) {
            throw MappedFile.ioProblem(dir, "cannot list the space directory", e);
        }
        // A creator makes .lock before any other file, so look for it only after listing: files seen without a
        // .lock existing afterwards were not made by a Slate creator. Anything else is checked under the lock.
        if (others && !Files.exists(dir.resolve(SpaceDescriptor.LOCK_FILE_NAME)) && !Files.exists(dir.resolve(SpaceDescriptor.FILE_NAME))) {
            throw new NotASpaceException(dir, "directory is not empty and has no " + SpaceDescriptor.FILE_NAME + " header: not a Slate space");
        }
    }

    private static ChronicleSpace openLocked(final SpaceOptions requested, final boolean lockFound) throws IOException {
        final Path dir = requested.directory();
        final Path headerPath = dir.resolve(SpaceDescriptor.FILE_NAME);
        MappedFile header = null;
        boolean create = false;
        if (Files.exists(headerPath, LinkOption.NOFOLLOW_LINKS) && !headerWritten(headerPath)) {
            // shorter than a header, or no magic yet: a creator writes the magic last and we hold the creation lock, so
            // it died while it was making the header. Start again, unless the journal holds records (then the header
            // of a used space was damaged) or there was no .lock (then no creator made it): the header check says how
            if (!lockFound || journalHoldsRecords(dir)) {
                openHeader(headerPath).close();
                refuseWipeOfUsedSpace(dir);
            }
            wipeContents(dir);
            create = true;
        } else if (Files.exists(headerPath, LinkOption.NOFOLLOW_LINKS)) {
            header = openHeader(headerPath);
            if (header.buffer().getIntVolatile(SpaceDescriptor.READY_OFFSET) != SpaceDescriptor.READY) {
                // we hold the creation lock, so the creator is gone: it died before finishing. Start again.
                header.close();
                header = null;
                refuseWipeOfUsedSpace(dir);
                wipeContents(dir);
                create = true;
            } else {
                SpaceFiles.checkSharedWithOthers(dir, (header.buffer().getInt(SpaceDescriptor.FLAGS_OFFSET) & SpaceDescriptor.FLAG_GROUP_SHARED) != 0);
            }
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                final boolean foreign = s.anyMatch(p -> !p.getFileName().toString().equals(SpaceDescriptor.LOCK_FILE_NAME));
                if (foreign) {
                    throw new NotASpaceException(dir, "directory is not empty and has no " + SpaceDescriptor.FILE_NAME
                            + " header: not a Slate space");
                }
            }
            create = true;
        }
        if (create) {
            if (SpaceFiles.ownerUid(dir) == SpaceFiles.currentUid()) {
                // a directory made before (by us, or by the user for us) gets the space's mode; another user's
                // directory (group-shared, made for the group by its owner) keeps the mode its owner gave it
                SpaceFiles.setMode(dir, SpaceFiles.directoryMode(requested.groupShared()));
            }
            checkFreeSpace(dir, Files.getFileStore(dir));
            header = createHeader(headerPath, requested);
        }
        return attach(requested, header, create);
    }

    /** Opens (or, when {@code create}, creates: under the lock) every file of the space and attaches this process. */
    private static ChronicleSpace attach(final SpaceOptions requested, final MappedFile header, final boolean create) throws IOException {
        final Path dir = requested.directory();
        final SpaceOptions effective;
        try {
            effective = effectiveOptions(requested, header.buffer());
        } catch (RuntimeException e) {
            header.close();
            throw e;
        }
        ChronicleMap<CharSequence, EntryBuffer> map = null;
        SingleChronicleQueue queue = null;
        AgentRegistry registry = null;
        TailerPositions tailers = null;
        try {
            final Path agentsPath = dir.resolve(SpaceDescriptor.AGENTS_FILE_NAME);
            final Path tailersPath = dir.resolve(SpaceDescriptor.TAILERS_FILE_NAME);
            if (create) {
                registry = AgentRegistry.create(agentsPath, effective.maxAgents());
                tailers = TailerPositions.create(tailersPath);
            } else {
                registry = AgentRegistry.open(agentsPath, effective.maxAgents());
                tailers = TailerPositions.open(tailersPath);
            }
            map = openMap(dir.resolve(SpaceDescriptor.MAP_FILE_NAME), effective, create, false);
            queue = openQueue(dir.resolve(SpaceDescriptor.JOURNAL_DIR_NAME), effective, header.buffer().getLong(SpaceDescriptor.JOURNAL_EPOCH_OFFSET),
                    create, recordsIn(map, tailers, rollCycle(effective.rollCycle())));
            if (effective.archiveDirectory() != null && !effective.observer()) {
                SpaceFiles.createDirectory(effective.archiveDirectory(), effective.groupShared());
            }
            if (create) {
                if (FaultPoints.ENABLED) {
                    FaultPoints.reach(FaultPoints.SPACE_CREATING);
                }
                // every file exists and is initialized: publish "ready" last
                header.buffer().putIntOrdered(SpaceDescriptor.READY_OFFSET, SpaceDescriptor.READY);
            }
            final long pid = ProcFs.currentPid();
            final long startTicks = ProcFs.startTicks(pid);
            String id = requested.agentId();
            final boolean generated = id == null;
            if (requested.observer()) {
                id = "observer-" + pid;
            } else if (generated) {
                final long seq = header.buffer().getAndAddLong(SpaceDescriptor.AGENT_SEQUENCE_OFFSET, 1) + 1;
                id = "agent-" + pid + "-" + seq;
            }
            checkAgentId(id);
            final int slot = registry.register(id, pid, startTicks, requested.observer(), !generated && !requested.observer());
            if (FaultPoints.ENABLED) {
                FaultPoints.reach(FaultPoints.SPACE_ATTACHED);
            }
            return new ChronicleSpace(effective.copy().agentId(id), header, registry, tailers, map, queue, id, slot, pid);
        } catch (RuntimeException | IOException | Error e) {
            closeQuietly(queue);
            if (map != null) {
                map.close();
            }
            closeQuietly(registry);
            closeQuietly(tailers);
            header.close();
            throw e;
        }
    }

    /**
     * Refuses to wipe a space whose header says creation never finished when its journal has cycle files: records
     * are journaled only after creation finished, so such a header was damaged, and wiping would lose the records.
     */
    private static void refuseWipeOfUsedSpace(final Path dir) throws IOException {
        if (journalHoldsRecords(dir)) {
            throw new CorruptSpaceException(dir.resolve(SpaceDescriptor.FILE_NAME), "space header says the space was never finished, "
                    + "but its journal holds records: the header is damaged (not wiping the space)");
        }
    }

    /** Whether the space's journal directory has a cycle file (records were written: the space was used). */
    private static boolean journalHoldsRecords(final Path dir) throws IOException {
        final Path journal = dir.resolve(SpaceDescriptor.JOURNAL_DIR_NAME);
        if (!Files.isDirectory(journal, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> s = Files.list(journal)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(JournalFiles.CYCLE_SUFFIX));
        }
    }

    /**
     * What shows that a record was journaled in a cycle: a map entry written at an index of that cycle, or a named
     * tailer's position in it. Consulted only for a newest cycle file that has no header.
     */
    private static IntFunction<String> recordsIn(final ChronicleMap<CharSequence, EntryBuffer> map, final TailerPositions tailers,
                                                                      final RollCycle rollCycle) {
        return cycle -> {
            final String[] found = {null};
            map.forEachEntryWhile(e -> {
                final long index = e.value().get().journalIndex();
                if (index > 0 && rollCycle.toCycle(index) == cycle) {
                    found[0] = "key '" + ChronicleHeaders.abbreviate(e.key().get().toString()) + "' (version " + e.value().get().version()
                            + ", journal index " + index + ")";
                }
                return found[0] == null;
            });
            if (found[0] == null) {
                for (long p : tailers.positions()) {
                    if (p > 0 && rollCycle.toCycle(p) == cycle) {
                        return "the record at index " + p + " delivered to a named tailer";
                    }
                }
            }
            return found[0];
        };
    }

    private static void checkAgentId(final String id) {
        final int n = id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (id.isEmpty() || n > SpaceOptions.MAX_AGENT_ID_BYTES) {
            throw new IllegalArgumentException("agent id '" + id + "' must be 1 to " + SpaceOptions.MAX_AGENT_ID_BYTES + " UTF-8 bytes, is " + n);
        }
    }

    private static MappedFile openHeader(final Path headerPath) throws IOException {
        SpaceFiles.requireFile(headerPath, 16, "space header");
        final UnsafeBuffer peek;
        final byte[] first = new byte[16];
        try (java.io.InputStream in = Files.newInputStream(headerPath, LinkOption.NOFOLLOW_LINKS)) {
            if (in.readNBytes(first, 0, 16) < 16) {
                throw new CorruptSpaceException(headerPath, "space header is truncated");
            }
        }
        peek = new UnsafeBuffer(first);
        if (peek.getLong(SpaceDescriptor.MAGIC_OFFSET) != SpaceDescriptor.MAGIC) {
            throw new NotASpaceException(headerPath, "not a Slate space header (bad magic)");
        }
        final int major = peek.getInt(SpaceDescriptor.FORMAT_MAJOR_OFFSET);
        final int minor = peek.getInt(SpaceDescriptor.FORMAT_MINOR_OFFSET);
        if (major != SpaceDescriptor.FORMAT_MAJOR) {
            throw new IncompatibleFormatException(headerPath, "space format version " + major + "." + minor
                    + " cannot be read by this build, which reads format " + SpaceDescriptor.FORMAT_MAJOR + ".x");
        }
        return MappedFile.open(headerPath, SpaceDescriptor.LENGTH);
    }

    private static MappedFile createHeader(final Path headerPath, final SpaceOptions o) {
        final MappedFile h = MappedFile.create(headerPath, SpaceDescriptor.LENGTH);
        final UnsafeBuffer b = h.buffer();
        b.putInt(SpaceDescriptor.FORMAT_MAJOR_OFFSET, SpaceDescriptor.FORMAT_MAJOR);
        b.putInt(SpaceDescriptor.FORMAT_MINOR_OFFSET, SpaceDescriptor.FORMAT_MINOR);
        b.putInt(SpaceDescriptor.READY_OFFSET, 0);
        b.putInt(SpaceDescriptor.ROLL_CYCLE_OFFSET, o.rollCycle().ordinal());
        final long now = System.currentTimeMillis();
        b.putLong(SpaceDescriptor.CREATED_MILLIS_OFFSET, now);
        // midnight UTC of the day before creation: every cycle this space ever writes is then numbered one day's worth
        // of cycles or more, so no journal index is 0 (the first record of cycle 0 would have index 0, which readers
        // take for "none": a space created in the first cycle after midnight gave tuple id 0 and stream id 0-0)
        b.putLong(SpaceDescriptor.JOURNAL_EPOCH_OFFSET, Math.floorDiv(now, DAY_MILLIS) * DAY_MILLIS - DAY_MILLIS);
        b.putLong(SpaceDescriptor.MAX_ENTRIES_OFFSET, o.maxEntries());
        b.putInt(SpaceDescriptor.AVG_KEY_OFFSET, o.averageKeyBytes());
        b.putInt(SpaceDescriptor.AVG_VALUE_OFFSET, o.averageValueBytes());
        b.putInt(SpaceDescriptor.MAX_KEY_OFFSET, o.maxKeyBytes());
        b.putInt(SpaceDescriptor.MAX_VALUE_OFFSET, o.maxValueBytes());
        b.putInt(SpaceDescriptor.MAX_AGENTS_OFFSET, o.maxAgents());
        b.putInt(SpaceDescriptor.RETAIN_CYCLES_OFFSET, o.retainCycles());
        b.putLong(SpaceDescriptor.RETAIN_BYTES_OFFSET, o.retainBytes());
        b.putInt(SpaceDescriptor.FLAGS_OFFSET, o.groupShared() ? SpaceDescriptor.FLAG_GROUP_SHARED : 0);
        SpaceDescriptor.archiveDirectory(b, o.archiveDirectory() == null ? null : o.archiveDirectory().toString());
        b.putLongOrdered(SpaceDescriptor.MAGIC_OFFSET, SpaceDescriptor.MAGIC);
        return h;
    }

    private static SpaceOptions effectiveOptions(final SpaceOptions requested, final UnsafeBuffer b) {
        final int rc = b.getInt(SpaceDescriptor.ROLL_CYCLE_OFFSET);
        final JournalRollCycle[] cycles = JournalRollCycle.values();
        if (rc < 0 || rc >= cycles.length) {
            throw new CorruptSpaceException(requested.directory().resolve(SpaceDescriptor.FILE_NAME), "unknown journal roll cycle " + rc);
        }
        final SpaceOptions o;
        try {
            o = requested.copy()
                .maxEntries(b.getLong(SpaceDescriptor.MAX_ENTRIES_OFFSET))
                .averageKeyBytes(b.getInt(SpaceDescriptor.AVG_KEY_OFFSET))
                .averageValueBytes(b.getInt(SpaceDescriptor.AVG_VALUE_OFFSET))
                .maxKeyBytes(b.getInt(SpaceDescriptor.MAX_KEY_OFFSET))
                .maxValueBytes(b.getInt(SpaceDescriptor.MAX_VALUE_OFFSET))
                .maxAgents(b.getInt(SpaceDescriptor.MAX_AGENTS_OFFSET))
                .rollCycle(cycles[rc])
                .retainCycles(b.getInt(SpaceDescriptor.RETAIN_CYCLES_OFFSET))
                .retainBytes(b.getLong(SpaceDescriptor.RETAIN_BYTES_OFFSET))
                .groupShared((b.getInt(SpaceDescriptor.FLAGS_OFFSET) & SpaceDescriptor.FLAG_GROUP_SHARED) != 0);
        } catch (IllegalArgumentException e) {
            throw new CorruptSpaceException(requested.directory().resolve(SpaceDescriptor.FILE_NAME), "space header holds an impossible setting: "
                    + e.getMessage(), e);
        }
        final String archive = SpaceDescriptor.archiveDirectory(b);
        return o.archiveDirectory(archive == null ? null : Path.of(archive));
    }

    /**
     * Creates or opens the key/value map. {@code checksumEntries} applies to a map being created: Slate's recovery
     * never reads Chronicle Map's entry checksums (a dead writer's segment is repaired from the journal, see
     * recovery.md), and computing one costs every write about a tenth of its time, so a space of format 1.3 is
     * created without them. An existing map keeps what its header says (Chronicle reads its configuration from the
     * file): a map made by an earlier build goes on checksumming its entries. Tests create such a map with
     * {@code true}.
     */
    static ChronicleMap<CharSequence, EntryBuffer> openMap(final Path file, final SpaceOptions o, final boolean create,
                                                           final boolean checksumEntries) throws IOException {
        if (create) {
            SpaceFiles.createFile(file); // Chronicle Map fills an empty file: it then has our mode from the start
        } else {
            ChronicleHeaders.checkMapFile(file);
        }
        try {
            return ChronicleMapBuilder.of(CharSequence.class, EntryBuffer.class)
                    .name("slate-kv")
                    .valueMarshallers(EntryMarshaller.INSTANCE, EntryMarshaller.INSTANCE)
                    .entries(o.maxEntries())
                    .averageKeySize(o.averageKeyBytes())
                    .averageValueSize(EntryDescriptor.AGENT_OFFSET + 24 + o.averageValueBytes())
                    .maxBloatFactor(4.0)
                    .checksumEntries(checksumEntries)
                    .createPersistedTo(file.toFile());
        } catch (IOException | RuntimeException e) {
            final String msg = String.valueOf(e.getMessage());
            if (!create) {
                throw new CorruptSpaceException(file, "cannot open the key/value map: " + msg, e);
            }
            throw MappedFile.ioProblem(file, "cannot create the key/value map", e instanceof Exception ? e : new IOException(e));
        }
    }

    static RollCycle rollCycle(final JournalRollCycle c) {
        switch (c) {
            case SECONDLY:
                return TestRollCycles.TEST_SECONDLY;
            case FIVE_MINUTELY:
                return RollCycles.FIVE_MINUTELY;
            case TEN_MINUTELY:
                return RollCycles.TEN_MINUTELY;
            case HALF_HOURLY:
                return RollCycles.HALF_HOURLY;
            case HOURLY:
                return RollCycles.FAST_HOURLY;
            case DAILY:
                return RollCycles.FAST_DAILY;
            default:
                throw new IllegalArgumentException("roll cycle " + c);
        }
    }

    /**
     * Chronicle Queue's timeout: its write lock is waited for 1.5x this (plus up to 20%), then taken over when the
     * process holding it is dead (a writer SIGKILLed inside an append). Chronicle's default is 10 s; ours bounds how
     * long the survivors' appends stall after such a death. A live holder is never overridden: an append that times
     * out on a live holder waits again ({@link ChronicleJournal}).
     */
    static final long JOURNAL_TIMEOUT_MILLIS = 400;

    private static final long DAY_MILLIS = 86_400_000L;

    private static SingleChronicleQueue openQueue(final Path dir, final SpaceOptions o, final long epochMillis, final boolean create,
                                                  final IntFunction<String> recordsIn) throws IOException {
        final JournalFiles files = new JournalFiles(dir, rollCycle(o.rollCycle()), epochMillis);
        if (create) {
            SpaceFiles.createDirectory(dir, o.groupShared());
            SpaceFiles.createFile(dir.resolve(JournalFiles.METADATA_FILE_NAME)); // Chronicle fills an empty table store
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new CorruptSpaceException(dir, "journal directory is missing");
        } else {
            files.check(recordsIn);
        }
        final SingleChronicleQueue queue;
        try {
            queue = SingleChronicleQueueBuilder.binary(dir.toFile())
                    .rollCycle(rollCycle(o.rollCycle()))
                    .epoch(epochMillis)
                    .blockSize(JOURNAL_BLOCK_BYTES)
                    .timeoutMS(JOURNAL_TIMEOUT_MILLIS)
                    .timeProvider(new JournalClock())
                    .storeFileListener(files)
                    .build();
        } catch (RuntimeException e) {
            throw new CorruptSpaceException(dir, "cannot open the journal: " + e.getMessage(), e);
        }
        if (!o.observer()) {
            files.prepare();
        }
        return queue;
    }

    static void checkFreeSpace(final Path dir, final FileStore store) {
        try {
            final long free = store.getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                throw new SpaceFullException(dir, "file system is full: " + free + " bytes free, a space needs at least " + MIN_FREE_BYTES);
            }
        } catch (IOException e) {
            throw MappedFile.ioProblem(dir, "cannot read free space", e);
        }
    }

    public void checkFreeSpace() {
        checkFreeSpace(directory, fileStore);
    }

    private static void wipeContents(final Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(SpaceDescriptor.LOCK_FILE_NAME)) {
                    deleteRecursively(p);
                }
            }
        }
    }

    private static void deleteRecursively(final Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(q);
                } catch (NoSuchFileException ignored) {
                    // gone already
                }
            }
        }
    }

    /** True when the directory holds a space header. */
    public static boolean exists(final Path directory) {
        return Files.isRegularFile(directory.toAbsolutePath().normalize().resolve(SpaceDescriptor.FILE_NAME));
    }

    /** Removes a space directory and everything in it. */
    public static void delete(final Path directory) {
        try {
            deleteRecursively(directory.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new SpaceException(directory, "cannot delete the space: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(final AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure: the first error is the one reported
            }
        }
    }

    // ---- accessors for the implementation (io.slate.internal is not API: these may change) ----

    /** This agent's registry slot. */
    public int agentSlot() {
        return agentSlot;
    }

    /** This process's PID. */
    public long pid() {
        return pid;
    }

    /** This process's start time in clock ticks since boot (with the PID, its exact identity on this host). */
    public long startTicks() {
        return registry.startTicks(agentSlot);
    }

    /** The agent registry. */
    public AgentRegistry registry() {
        return registry;
    }

    public ChronicleMap<CharSequence, EntryBuffer> map() {
        return map;
    }

    public SingleChronicleQueue queue() {
        return queue;
    }

    public TailerPositions tailerPositions() {
        return tailerPositions;
    }

    public UnsafeBuffer headerBuffer() {
        return header.buffer();
    }

    public byte[] agentIdBytes() {
        return agentIdBytes;
    }

    @Override
    public void register(final AutoCloseable c) {
        closeables.add(c);
    }

    @Override
    public void unregister(final AutoCloseable c) {
        closeables.remove(c);
    }

    /**
     * Refuses a write through a space opened as an observer ({@link SpaceOptions#observer(boolean)}).
     *
     * @param what what was refused, for the message ("write key 'k'")
     */
    public void checkWritable(final String what) {
        if (options.observer()) {
            throw new io.slate.space.ReadOnlySpaceException(directory, "opened as an observer, which changes nothing: cannot " + what
                    + " (open the space as an agent to write)");
        }
    }

    @Override
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("space " + directory + " is closed");
        }
    }

    // ---- Space ----

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public SpaceOptions options() {
        return options;
    }

    @Override
    public String agentId() {
        return agentId;
    }

    @Override
    public KeyValue kv() {
        return kv;
    }

    @Override
    public Journal journal() {
        return publicJournal;
    }

    @Override
    public ChronicleJournal log() {
        return journal;
    }

    @Override
    public ChronicleKeyValue store() {
        return kv;
    }

    @Override
    public ShmSnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public AgentRef self() {
        return self;
    }

    @Override
    public boolean isLive(final int slot, final long id, final long incarnation) {
        return registry.isLive(slot, id, incarnation);
    }

    @Override
    public Sync sync() {
        return ShmSync.of(this);
    }

    @Override
    public boolean syncExists() {
        return ShmSync.exists(directory);
    }

    public ChronicleJournal chronicleJournal() {
        return journal;
    }

    public ChronicleKeyValue chronicleKv() {
        return kv;
    }

    @Override
    public List<AgentInfo> agents() {
        ensureOpen();
        return registry.agents();
    }

    @Override
    public SpaceStats stats() {
        ensureOpen();
        final List<AgentInfo> agents = registry.agents();
        final int alive = (int) agents.stream().filter(AgentInfo::isAlive).count();
        return new SpaceStats(kv.size(), options.maxEntries(), journal.recordCount(), journal.firstIndex(), journal.lastIndex(),
                du(directory.resolve(SpaceDescriptor.JOURNAL_DIR_NAME)), du(directory.resolve(SpaceDescriptor.MAP_FILE_NAME)),
                alive, agents.size(), headerBuffer().getInt(SpaceDescriptor.FORMAT_MAJOR_OFFSET),
                headerBuffer().getInt(SpaceDescriptor.FORMAT_MINOR_OFFSET), journal.complete(), snapshots.bytes(), snapshots.views().size());
    }

    /** Memory actually used by a file or directory on tmpfs (allocated blocks, not the sparse length). */
    static long du(final Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    final Object blocks = Files.getAttribute(f, "unix:blocks");
                    return blocks instanceof Number ? ((Number) blocks).longValue() * 512 : Files.size(f);
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    try {
                        return Files.size(f);
                    } catch (IOException ex) {
                        return 0;
                    }
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable c : closeables) {
            closeQuietly(c);
        }
        closeables.clear();
        journal.closeRetention();
        kv.close();
        registry.markClosed(agentSlot, pid);
        closeQuietly(queue);
        map.close();
        registry.close();
        tailerPositions.close();
        header.close();
    }

    @Override
    public String toString() {
        return "Space{" + directory + ", agent=" + agentId + '}';
    }
}
