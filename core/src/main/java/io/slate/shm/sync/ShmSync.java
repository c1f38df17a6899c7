package io.slate.shm.sync;

import io.slate.idle.IdleStrategy;
import io.slate.shm.ChronicleSpace;
import io.slate.shm.MappedFile;
import io.slate.shm.NameClaims;
import io.slate.internal.Utf8;
import io.slate.journal.Op;
import io.slate.kv.Values;
import io.slate.space.CorruptSpaceException;
import io.slate.space.IncompatibleFormatException;
import io.slate.space.SpaceFullException;
import io.slate.sync.AtomicCounter;
import io.slate.sync.Barrier;
import io.slate.sync.CountDownLatch;
import io.slate.sync.Holder;
import io.slate.sync.Journaling;
import io.slate.sync.Mutex;
import io.slate.sync.PrimitiveInfo;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.slate.shm.sync.SyncDescriptor.AGENT_ATTACHED_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.AGENT_ID_LENGTH_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.AGENT_ID_MAX_BYTES;
import static io.slate.shm.sync.SyncDescriptor.AGENT_ID_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.AGENT_INCARNATION_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.AGENT_PID_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.AGENT_START_TICKS_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.KIND_BARRIER;
import static io.slate.shm.sync.SyncDescriptor.KIND_COUNTER;
import static io.slate.shm.sync.SyncDescriptor.KIND_FREE;
import static io.slate.shm.sync.SyncDescriptor.KIND_LATCH;
import static io.slate.shm.sync.SyncDescriptor.KIND_MUTEX;
import static io.slate.shm.sync.SyncDescriptor.KIND_OFFSET;
import static io.slate.shm.sync.SyncDescriptor.KIND_SEMAPHORE;

/**
 * The sync primitives of one space handle, on {@code sync.slate} ({@link SyncDescriptor}). One per open
 * {@link ChronicleSpace}, made by {@link #of(ChronicleSpace)} and dropped when the space closes.
 *
 * <p>Opening takes no lock: the file is created if missing (written in full under a temporary name, then hard-linked
 * into place, so no agent ever maps a half-made file and concurrent creators agree on one file), its size is checked
 * before mapping, its header is checked, and this agent's entry in the agent table is (re)written with a fresh
 * incarnation before the agent can hold anything. Primitive slots are claimed without a lock too ({@link NameClaims}:
 * one slot per name however many agents claim it at once, and a claimer killed mid-claim is undone or completed by
 * whoever meets its slot next); lookups by name are cached per handle.
 *
 * <p>The mapping is not unmapped when the space closes: a thread of this process may still be spinning on a word of
 * it, and touching an unmapped page would crash the JVM. It is released with the last reference (the buffer's
 * cleaner); the file is small (about 640 KiB with 1024 agents).
 */
public final class ShmSync implements Sync, AutoCloseable {
    /** How often, while waiting, waiters check a holder's liveness. */
    static final long LIVENESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(Mutex.LIVENESS_CHECK_MILLIS);
    private static final byte[] NO_VALUE = new byte[0];
    private static final ConcurrentHashMap<ChronicleSpace, ShmSync> OPEN = new ConcurrentHashMap<>();

    private final ChronicleSpace space;
    private final MappedFile file;
    private final UnsafeBuffer buffer;
    private final Path path;
    private final int agents;
    private final long ownerWord;
    private final ConcurrentHashMap<String, Object> handles = new ConcurrentHashMap<>();
    private final NameClaims claims;
    private final ThreadLocal<IdleStrategy> idle;
    private final ThreadLocal<byte[]> digits = ThreadLocal.withInitial(() -> new byte[20]);

    private ShmSync(final ChronicleSpace space, final MappedFile file, final int agents, final long ownerWord) {
        this.space = space;
        this.file = file;
        this.buffer = file.buffer();
        this.path = file.path();
        this.agents = agents;
        this.ownerWord = ownerWord;
        this.claims = new NameClaims(buffer, new SlotLayout(), path, "sync primitive");
        this.idle = ThreadLocal.withInitial(() -> space.options().idleStrategy().get());
    }

    /** The sync primitives of {@code space}: one object per open space handle. */
    public static ShmSync of(final ChronicleSpace space) {
        space.ensureOpen();
        ShmSync s = OPEN.get(space);
        if (s != null) {
            return s;
        }
        synchronized (OPEN) {
            s = OPEN.get(space);
            if (s == null) {
                s = open(space);
                OPEN.put(space, s);
                space.register(s);
            }
        }
        try {
            space.ensureOpen(); // closed while we opened: its close may have run before our register
        } catch (IllegalStateException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** True when the space in {@code directory} has a sync file. */
    public static boolean exists(final Path directory) {
        return Files.isRegularFile(directory.resolve(SyncDescriptor.FILE_NAME));
    }

    private static ShmSync open(final ChronicleSpace space) {
        final int agents = space.options().maxAgents();
        final Path path = space.directory().resolve(SyncDescriptor.FILE_NAME);
        if (agents > SyncDescriptor.MAX_AGENTS) {
            throw new IllegalStateException(space.directory() + ": sync primitives support spaces of at most " + SyncDescriptor.MAX_AGENTS
                    + " agents; this space was created with maxAgents " + agents);
        }
        if (!Files.exists(path)) {
            create(path, agents); // no lock: made complete under a temporary name, linked into place
        }
        final MappedFile f = MappedFile.open(path, SyncDescriptor.fileLength(agents)); // size checked before mapping
        try {
            check(f.buffer(), path, agents);
            final long word = attach(f.buffer(), space);
            return new ShmSync(space, f, agents, word);
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** Creates the file complete, unless another process did first. */
    private static void create(final Path path, final int agents) {
        MappedFile.createAtomically(path, SyncDescriptor.fileLength(agents), b -> {
            b.putInt(SyncDescriptor.FORMAT_MAJOR_OFFSET, SyncDescriptor.FORMAT_MAJOR);
            b.putInt(SyncDescriptor.FORMAT_MINOR_OFFSET, SyncDescriptor.FORMAT_MINOR);
            b.putInt(SyncDescriptor.AGENT_ENTRIES_OFFSET, agents);
            b.putInt(SyncDescriptor.PRIMITIVES_OFFSET, SyncDescriptor.PRIMITIVES);
            b.putInt(SyncDescriptor.AGENT_ENTRY_LENGTH_OFFSET, SyncDescriptor.AGENT_ENTRY_LENGTH);
            b.putInt(SyncDescriptor.SLOT_LENGTH_OFFSET, SyncDescriptor.SLOT_LENGTH);
            b.putLong(SyncDescriptor.CREATED_OFFSET, System.currentTimeMillis());
            b.putLongOrdered(SyncDescriptor.MAGIC_OFFSET, SyncDescriptor.MAGIC); // release: magic last
        });
    }

    private static void check(final UnsafeBuffer b, final Path path, final int agents) {
        if (b.getLongVolatile(SyncDescriptor.MAGIC_OFFSET) != SyncDescriptor.MAGIC) {
            throw new CorruptSpaceException(path, "not a Slate sync file (bad magic)");
        }
        final int major = b.getInt(SyncDescriptor.FORMAT_MAJOR_OFFSET);
        if (major != SyncDescriptor.FORMAT_MAJOR) {
            throw new IncompatibleFormatException(path, "sync file format " + major + "." + b.getInt(SyncDescriptor.FORMAT_MINOR_OFFSET)
                    + " cannot be read by this build, which reads format " + SyncDescriptor.FORMAT_MAJOR + ".x");
        }
        if (b.getInt(SyncDescriptor.AGENT_ENTRIES_OFFSET) != agents || b.getInt(SyncDescriptor.PRIMITIVES_OFFSET) != SyncDescriptor.PRIMITIVES
                || b.getInt(SyncDescriptor.AGENT_ENTRY_LENGTH_OFFSET) != SyncDescriptor.AGENT_ENTRY_LENGTH
                || b.getInt(SyncDescriptor.SLOT_LENGTH_OFFSET) != SyncDescriptor.SLOT_LENGTH) {
            throw new CorruptSpaceException(path, "sync file sizing does not match the space: " + b.getInt(SyncDescriptor.AGENT_ENTRIES_OFFSET)
                    + " agent entries (space has " + agents + "), " + b.getInt(SyncDescriptor.PRIMITIVES_OFFSET) + " primitive slots");
        }
    }

    /**
     * Publishes this agent's entry with a new incarnation; returns its owner word. Needs no lock: the entry is this
     * agent's registry slot's, and the incarnation comes from an atomic get-and-add.
     */
    private static long attach(final UnsafeBuffer b, final ChronicleSpace space) {
        final long incarnation = b.getAndAddLong(SyncDescriptor.INCARNATION_SEQUENCE_OFFSET, 1) + 1;
        if (incarnation > SyncDescriptor.MAX_INCARNATION) {
            throw new CorruptSpaceException(space.directory().resolve(SyncDescriptor.FILE_NAME), "incarnation sequence exhausted: " + incarnation);
        }
        final int slot = space.agentSlot();
        final int o = SyncDescriptor.agentOffset(slot);
        // 0 first: a reader that finds the old incarnation on both sides of its reads read the old fields
        b.putLongVolatile(o + AGENT_INCARNATION_OFFSET, 0);
        VarHandle.storeStoreFence(); // the field stores below stay after the 0
        b.putLong(o + AGENT_PID_OFFSET, space.pid());
        b.putLong(o + AGENT_START_TICKS_OFFSET, space.startTicks());
        b.putLong(o + AGENT_ATTACHED_OFFSET, System.currentTimeMillis());
        final byte[] id = space.agentIdBytes();
        final int idLen = Math.min(id.length, AGENT_ID_MAX_BYTES);
        b.putBytes(o + AGENT_ID_OFFSET, id, 0, idLen);
        b.putInt(o + AGENT_ID_LENGTH_OFFSET, idLen);
        b.putLongOrdered(o + AGENT_INCARNATION_OFFSET, incarnation); // release: a reader that sees it sees the fields
        return SyncDescriptor.ownerWord(incarnation, slot);
    }

    // ---------------------------------------------------------------- liveness

    /**
     * True when the agent named by an owner word is alive: its agent entry still holds that incarnation (read on both
     * sides of the fields, so the fields are that incarnation's), and the registry and /proc confirm that process
     * (same PID and start time) is attached and running. A word whose entry was rewritten belongs to an agent whose
     * registry slot was reused, which happens only once that agent is closed or dead. Costs a /proc read.
     */
    boolean isOwnerAlive(final long word) {
        final int slot = SyncDescriptor.ownerSlot(word);
        final long incarnation = SyncDescriptor.ownerIncarnation(word);
        if (incarnation == 0 || slot >= agents) {
            return false; // not a word any agent writes: nobody can release it, so it is taken over
        }
        final int o = SyncDescriptor.agentOffset(slot);
        if (buffer.getLongVolatile(o + AGENT_INCARNATION_OFFSET) != incarnation) {
            return false;
        }
        final long pid = buffer.getLongVolatile(o + AGENT_PID_OFFSET);
        final long startTicks = buffer.getLongVolatile(o + AGENT_START_TICKS_OFFSET);
        if (buffer.getLongVolatile(o + AGENT_INCARNATION_OFFSET) != incarnation) {
            return false;
        }
        return space.registry().isLive(slot, pid, startTicks);
    }

    /** The holder an owner word names, with liveness. Allocates. */
    Holder holder(final long word, final int permits) {
        final int slot = SyncDescriptor.ownerSlot(word);
        final long incarnation = SyncDescriptor.ownerIncarnation(word);
        if (slot >= agents) {
            return new Holder("?", 0, slot, false, permits);
        }
        final int o = SyncDescriptor.agentOffset(slot);
        final long pid = buffer.getLongVolatile(o + AGENT_PID_OFFSET);
        final int len = Math.min(Math.max(buffer.getInt(o + AGENT_ID_LENGTH_OFFSET), 0), AGENT_ID_MAX_BYTES);
        final byte[] id = new byte[len];
        buffer.getBytes(o + AGENT_ID_OFFSET, id);
        if (buffer.getLongVolatile(o + AGENT_INCARNATION_OFFSET) != incarnation) {
            // the entry now describes a later agent of that registry slot: the holder is gone, its id with it
            return new Holder("(gone, agent slot " + slot + ")", 0, slot, false, permits);
        }
        return new Holder(new String(id, StandardCharsets.UTF_8), pid, slot, isOwnerAlive(word), permits);
    }

    /** Words for messages: "agent 'x' (pid 1, alive)". */
    String describe(final long word) {
        final Holder h = holder(word, 1);
        return "agent '" + h.agentId() + "' (pid " + h.pid() + ", " + (h.isAlive() ? "alive" : "dead") + ")";
    }

    // ---------------------------------------------------------------- handles

    @Override
    public Mutex mutex(final String name) {
        return (Mutex) handle(name, KIND_MUTEX, 0, null);
    }

    @Override
    public Mutex mutex(final String name, final Journaling journaling) {
        return (Mutex) handle(name, KIND_MUTEX, 0, Objects.requireNonNull(journaling, "journaling"));
    }

    @Override
    public Semaphore semaphore(final String name, final int permits) {
        return semaphore(name, permits, null);
    }

    @Override
    public Semaphore semaphore(final String name, final int permits, final Journaling journaling) {
        if (permits < 1) {
            throw new IllegalArgumentException("semaphore '" + name + "' needs at least 1 permit, got " + permits);
        }
        return (Semaphore) handle(name, KIND_SEMAPHORE, permits, journaling);
    }

    @Override
    public AtomicCounter counter(final String name) {
        return (AtomicCounter) handle(name, KIND_COUNTER, 0, null);
    }

    @Override
    public AtomicCounter counter(final String name, final Journaling journaling) {
        return (AtomicCounter) handle(name, KIND_COUNTER, 0, Objects.requireNonNull(journaling, "journaling"));
    }

    @Override
    public CountDownLatch latch(final String name, final int count) {
        return latch(name, count, null);
    }

    @Override
    public CountDownLatch latch(final String name, final int count, final Journaling journaling) {
        if (count < 0) {
            throw new IllegalArgumentException("latch '" + name + "' needs a count >= 0, got " + count);
        }
        return (CountDownLatch) handle(name, KIND_LATCH, count, journaling);
    }

    @Override
    public Barrier barrier(final String name, final int parties) {
        return barrier(name, parties, null);
    }

    @Override
    public Barrier barrier(final String name, final int parties, final Journaling journaling) {
        if (parties < 1) {
            throw new IllegalArgumentException("barrier '" + name + "' needs at least 1 party, got " + parties);
        }
        return (Barrier) handle(name, KIND_BARRIER, parties, journaling);
    }

    /** The cached handle for {@code name}, checked against the kind and parameter asked for. */
    private Object handle(final String name, final int kind, final long parameter, final Journaling journaling) {
        Objects.requireNonNull(name, "name");
        space.ensureOpen();
        space.checkWritable("use " + SyncDescriptor.kindName(kind) + " '" + name + "' (sync primitives change the space when used)");
        Object h = handles.get(name);
        if (h == null) {
            h = newHandle(name, kind, parameter);
        }
        final Primitive p = (Primitive) h;
        if (p.kind() != kind) {
            throw new IllegalArgumentException("sync primitive '" + name + "' in " + space.directory() + " is a " + SyncDescriptor.kindName(p.kind())
                    + ", not a " + SyncDescriptor.kindName(kind));
        }
        if (p.parameter() != parameter) {
            throw new IllegalArgumentException(SyncDescriptor.kindName(kind) + " '" + name + "' in " + space.directory() + " exists with "
                    + parameterText(kind, p.parameter()) + "; asked for " + parameterText(kind, parameter));
        }
        if (journaling != null) {
            if (journaling == Journaling.ON && Utf8.length(name) > space.options().maxKeyBytes()) {
                throw new IllegalArgumentException("journaling needs a name of at most " + space.options().maxKeyBytes()
                        + " UTF-8 bytes (the space's maxKeyBytes): '" + name + "'");
            }
            buffer.putIntOrdered(p.slotOffset() + SyncDescriptor.JOURNALING_OFFSET, journaling == Journaling.ON ? 1 : 0);
        }
        return h;
    }

    private static String parameterText(final int kind, final long parameter) {
        switch (kind) {
            case KIND_SEMAPHORE:
                return parameter + (parameter == 1 ? " permit" : " permits");
            case KIND_LATCH:
                return "count " + parameter;
            case KIND_BARRIER:
                return parameter + (parameter == 1 ? " party" : " parties");
            default:
                return "parameter " + parameter;
        }
    }

    private Object newHandle(final String name, final int kind, final long parameter) {
        final byte[] bytes = checkName(name);
        final int slot = findOrClaim(bytes, kind, parameter); // lock-free (NameClaims)
        final int o = SyncDescriptor.slotOffset(agents, slot);
        final int actualKind = buffer.getIntVolatile(o + KIND_OFFSET);
        final long actualParameter = buffer.getLong(o + SyncDescriptor.PARAMETER_OFFSET);
        final Object h;
        switch (actualKind) {
            case KIND_MUTEX:
                h = new MutexImpl(this, name, o);
                break;
            case KIND_SEMAPHORE:
                h = new SemaphoreImpl(this, name, o, checkParameter(actualParameter, name));
                break;
            case KIND_COUNTER:
                h = new CounterImpl(this, name, o);
                break;
            case KIND_LATCH:
                h = new LatchImpl(this, name, o, checkParameter(actualParameter, name));
                break;
            case KIND_BARRIER:
                h = new BarrierImpl(this, name, o, checkParameter(actualParameter, name));
                break;
            default:
                throw new CorruptSpaceException(path, "sync primitive '" + name + "' has unknown kind " + actualKind);
        }
        final Object raced = handles.putIfAbsent(name, h);
        return raced == null ? h : raced;
    }

    private int checkParameter(final long parameter, final String name) {
        if (parameter < 0 || parameter > Integer.MAX_VALUE) {
            throw new CorruptSpaceException(path, "sync primitive '" + name + "' has an impossible parameter " + parameter);
        }
        return (int) parameter;
    }

    static byte[] checkName(final String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("sync primitive name must not be empty");
        }
        final byte[] bytes = new byte[Utf8.length(name)];
        Utf8.encode(name, bytes); // refuses unpaired surrogates
        if (bytes.length > SyncDescriptor.NAME_MAX_BYTES) {
            throw new IllegalArgumentException("sync primitive name '" + name + "' is " + bytes.length + " UTF-8 bytes, at most "
                    + SyncDescriptor.NAME_MAX_BYTES);
        }
        return bytes;
    }

    /**
     * Finds or claims the slot for {@code name} without a lock ({@link NameClaims}): the kind and name length are the
     * slot's claim word, the creator word its owner word. Slots are never freed, but a claim that withdrew leaves a
     * free slot between used ones, so lookups read every slot.
     */
    private int findOrClaim(final byte[] name, final int kind, final long parameter) {
        return claims.findOrClaim(name, new NameClaims.Claim() {
            @Override
            public void prepare(final int slot) {
                final int o = SyncDescriptor.slotOffset(agents, slot);
                buffer.putLong(o + SyncDescriptor.STATE_OFFSET, kind == KIND_LATCH ? parameter : 0);
                buffer.putLong(o + SyncDescriptor.TOKEN_OFFSET, 0);
                buffer.putLong(o + SyncDescriptor.RECOVERED_TOKEN_OFFSET, 0);
                buffer.putInt(o + SyncDescriptor.JOURNALING_OFFSET, 0);
                buffer.putLong(o + SyncDescriptor.PARAMETER_OFFSET, parameter);
                buffer.putLong(o + SyncDescriptor.SLOT_CREATED_OFFSET, System.currentTimeMillis());
                buffer.putBytes(o + SyncDescriptor.NAME_OFFSET, name);
                for (int i = name.length; i < SyncDescriptor.NAME_MAX_BYTES; i++) {
                    buffer.putByte(o + SyncDescriptor.NAME_OFFSET + i, (byte) 0);
                }
            }

            @Override
            public long publishedWord() {
                return (long) name.length << 32 | kind;
            }

            @Override
            public long publishedOwner() {
                return ownerWord;
            }
        });
    }

    /** Where {@link NameClaims} finds a primitive slot's words and name. */
    private final class SlotLayout implements NameClaims.Layout {
        @Override
        public int slots() {
            return SyncDescriptor.PRIMITIVES;
        }

        @Override
        public int claimOffset(final int slot) {
            return SyncDescriptor.slotOffset(agents, slot) + KIND_OFFSET; // kind, then name length: 8-byte aligned
        }

        @Override
        public int ownerOffset(final int slot) {
            return SyncDescriptor.slotOffset(agents, slot) + SyncDescriptor.CREATOR_OFFSET;
        }

        @Override
        public boolean nameIs(final int slot, final long word, final byte[] name) {
            if ((int) (word >>> 32) != name.length) {
                return false;
            }
            final int o = SyncDescriptor.slotOffset(agents, slot) + SyncDescriptor.NAME_OFFSET;
            for (int i = 0; i < name.length; i++) {
                if (buffer.getByte(o + i) != name[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- listing

    @Override
    public List<PrimitiveInfo> primitives() {
        space.ensureOpen();
        final List<PrimitiveInfo> list = new ArrayList<>();
        for (int s = 0; s < SyncDescriptor.PRIMITIVES; s++) {
            final int o = SyncDescriptor.slotOffset(agents, s);
            final int kind = buffer.getIntVolatile(o + KIND_OFFSET);
            if (kind <= KIND_FREE) {
                continue; // free, or being claimed (a withdrawn claim may leave a free slot between used ones)
            }
            final int len = Math.min(Math.max(buffer.getInt(o + SyncDescriptor.NAME_LENGTH_OFFSET), 0), SyncDescriptor.NAME_MAX_BYTES);
            final byte[] nameBytes = new byte[len];
            buffer.getBytes(o + SyncDescriptor.NAME_OFFSET, nameBytes);
            final String name = new String(nameBytes, StandardCharsets.UTF_8);
            final long parameter = buffer.getLong(o + SyncDescriptor.PARAMETER_OFFSET);
            final long state = buffer.getLongVolatile(o + SyncDescriptor.STATE_OFFSET);
            final boolean journaling = buffer.getIntVolatile(o + SyncDescriptor.JOURNALING_OFFSET) != 0;
            final List<Holder> holders = new ArrayList<>();
            switch (kind) {
                case KIND_MUTEX:
                    if (state != 0) {
                        holders.add(holder(state, 1));
                    }
                    list.add(new PrimitiveInfo(name, PrimitiveInfo.Kind.MUTEX, 0, state != 0 ? 1 : 0,
                            buffer.getLongVolatile(o + SyncDescriptor.TOKEN_OFFSET), journaling, holders));
                    break;
                case KIND_SEMAPHORE: {
                    long held = 0;
                    for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
                        final int e = o + SyncDescriptor.HOLDERS_OFFSET + i * SyncDescriptor.HOLDER_LENGTH;
                        final long w = buffer.getLongVolatile(e + SyncDescriptor.HOLDER_OWNER_OFFSET);
                        final long permits = buffer.getLongVolatile(e + SyncDescriptor.HOLDER_PERMITS_OFFSET);
                        if (w != 0 && permits > 0) {
                            holders.add(holder(w, (int) permits));
                            held += permits;
                        }
                    }
                    list.add(new PrimitiveInfo(name, PrimitiveInfo.Kind.SEMAPHORE, parameter, parameter - held, 0, journaling, holders));
                    break;
                }
                case KIND_COUNTER:
                    list.add(new PrimitiveInfo(name, PrimitiveInfo.Kind.COUNTER, 0, state, 0, journaling, holders));
                    break;
                case KIND_LATCH:
                    list.add(new PrimitiveInfo(name, PrimitiveInfo.Kind.LATCH, parameter, state, 0, journaling, holders));
                    break;
                case KIND_BARRIER:
                    list.add(new PrimitiveInfo(name, PrimitiveInfo.Kind.BARRIER, parameter, (int) state, state >>> 32, journaling, holders));
                    break;
                default:
                    throw new CorruptSpaceException(path, "sync primitive '" + name + "' has unknown kind " + kind);
            }
        }
        return list;
    }

    // ---------------------------------------------------------------- for the primitives

    UnsafeBuffer buffer() {
        return buffer;
    }

    /** This agent's owner word. */
    long ownerWord() {
        return ownerWord;
    }

    ChronicleSpace space() {
        return space;
    }

    /** This thread's idle strategy (the space's), for waits. */
    IdleStrategy idleStrategy() {
        return idle.get();
    }

    void ensureOpen() {
        space.ensureOpen();
    }

    /** True when the primitive at {@code slotOffset} journals its events. */
    boolean journaling(final int slotOffset) {
        return buffer.getIntVolatile(slotOffset + SyncDescriptor.JOURNALING_OFFSET) != 0;
    }

    /** Appends a record without a value. Allocation-free. */
    void journal(final Op op, final long version, final String name) {
        space.chronicleJournal().append(op, 0, version, name, NO_VALUE, 0, 0);
    }

    /** Appends a record whose value is {@code number} as decimal text. Allocation-free. */
    void journal(final Op op, final long version, final String name, final long number) {
        final byte[] d = digits.get();
        final int len = Values.writeDecimal(number, d, 0);
        space.chronicleJournal().append(op, 0, version, name, d, 0, len);
    }

    /** Appends a record whose value names a dead holder. Allocates (a rare event). */
    void journalRecovery(final Op op, final long version, final String name, final long deadWord) {
        final Holder h = holder(deadWord, 1);
        final byte[] v = ("dead " + h.agentId() + " pid " + h.pid()).getBytes(StandardCharsets.UTF_8);
        space.chronicleJournal().append(op, 0, version, name, v, 0, v.length);
    }

    @Override
    public void close() {
        OPEN.remove(space, this);
    }

    @Override
    public String toString() {
        return "Sync{" + path + ", agent=" + space.agentId() + '}';
    }
}
