package io.slate.engine.tuple;

import io.slate.idle.IdleStrategy;
import io.slate.engine.Projection;
import io.slate.internal.Clock;
import io.slate.journal.Op;
import io.slate.spi.BackendSpace;
import io.slate.spi.LogRecord;
import io.slate.spi.NamedPosition;
import io.slate.spi.RecordLog;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleHandler;
import io.slate.tuple.TupleSpace;
import io.slate.tuple.TupleWatch;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.slate.engine.tuple.TupleRecordDescriptor.END_LENGTH;
import static io.slate.engine.tuple.TupleRecordDescriptor.END_TAKE_INDEX_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.END_TUPLE_ID_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAGS_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAG_FINAL;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAG_TAKER_DIED;
import static io.slate.engine.tuple.TupleRecordDescriptor.LAYOUT;
import static io.slate.engine.tuple.TupleRecordDescriptor.LAYOUT_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TTL_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_LENGTH;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_PID_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_SLOT_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_START_TICKS_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_TUPLE_ID_OFFSET;

/**
 * A tuple space handle on the space's journal. The journal is the only shared state: {@code out} appends a
 * {@code TUPLE_OUT} record (its index is the tuple's id); a taker appends a {@code TUPLE_TAKE} naming the oldest match
 * it sees, then reads the journal up to its own record: the first valid take of a tuple in journal order wins, by
 * rules every handle applies identically ({@link TupleIndex}). Acknowledgements and returns are records too. So a
 * tuple is taken at most once across processes with no claim table in shared memory, no lock beyond the journal's
 * append lock, and nothing to clean up: replaying the journal rebuilds every view exactly.
 *
 * <p>A take that is not acknowledged belongs to its taker's agent reference ({@link io.slate.spi.AgentRef}: on one
 * host its registry slot, PID and start time); when this handle finds such a taker dead
 * ({@link BackendSpace#isLive}, at most every {@value #REAP_INTERVAL_MILLIS} ms while it reads or takes), it appends
 * a {@code TUPLE_RETURN}. Several survivors may do so at once; only the first return of that take
 * counts.
 *
 * <p>Thread-safe: the journal {@link Projection} (whose cursor is single-threaded) and the index are guarded by one
 * lock; appends go through each thread's own appender; blocking calls wait outside the lock.
 */
public final class JournalTupleSpace implements TupleSpace {
    static final long REAP_INTERVAL_MILLIS = 5;
    private static final long REAP_INTERVAL_NANOS = REAP_INTERVAL_MILLIS * 1_000_000L;
    /** How long a handle waits to read back a record it appended itself before calling the journal broken. */
    private static final long OWN_RECORD_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String WATCH_PREFIX = "tuples/";

    private final BackendSpace space;
    private final RecordLog journal;
    private final String name;
    private final Object lock = new Object();
    private final Projection projection;
    private final TupleRecordReader reader;
    /**
     * The time the records being applied are judged at (a tuple written with a lease that ended long ago is not kept),
     * or {@link #CLOCK_NOT_READ}: then the clock is read when the first tuple is applied. Guarded by lock.
     */
    private long applyNow;
    private static final long CLOCK_NOT_READ = Long.MIN_VALUE;
    private final TupleIndex index = new TupleIndex();
    private final ThreadLocal<Scratch> scratches;
    /** The last thread to use this handle and its scratch: spares a one-thread agent's polls the thread-local lookup. */
    private volatile Scratch lastScratch;
    private final int mySlot;
    private final long myPid;
    private final long myStartTicks;
    /** This handle's takes not yet acknowledged or released, by take index. Guarded by lock. */
    private final Long2ObjectHashMap<TakenTuple> openTakes = new Long2ObjectHashMap<>();
    private long lastReapNanos;
    /** The takes whose taker a reaping round found dead. Guarded by lock. */
    private final org.agrona.collections.LongHashSet deadTakes = new org.agrona.collections.LongHashSet();
    private long reapRound;
    /** Per registry slot: the reaping round, process and answer of the last liveness check. Guarded by lock. */
    private long[] livenessRound = new long[0];
    private long[] livenessPid = new long[0];
    private long[] livenessStartTicks = new long[0];
    private boolean[] livenessAnswer = new boolean[0];
    private volatile boolean closed;

    /** Per-thread buffers: the record being composed, the template being matched, a tuple, an idle strategy. */
    private static final class Scratch {
        /** The thread it belongs to (the one that made it). */
        final Thread thread = Thread.currentThread();
        byte[] record = new byte[256];
        byte[] template = new byte[128];
        /** The template whose binary form {@link #template} holds (templates are immutable). */
        Template encoded;
        /**
         * The template of this thread's last take or read that found nothing, and the index's
         * {@link TupleIndex#availableVersion} then: until a tuple becomes available, the answer stays "nothing".
         */
        Template missed;
        long missedAtVersion;
        final TupleBuffer tuple = new TupleBuffer();
        final IdleStrategy idle;

        Scratch(final IdleStrategy idle) {
            this.idle = idle;
        }

        byte[] record(final int n) {
            if (record.length < n) {
                record = new byte[Math.max(n, record.length * 2)];
            }
            return record;
        }

        byte[] template(final Template t) {
            if (t == encoded) {
                return template;
            }
            missed = null;
            encoded = null;
            final int n = t.encodedLength();
            if (template.length < n) {
                template = new byte[Math.max(n, template.length * 2)];
            }
            t.encodeTo(template, 0);
            encoded = t;
            return template;
        }
    }

    private JournalTupleSpace(final BackendSpace space, final String name) {
        this.space = space;
        this.journal = space.log();
        this.name = name;
        this.mySlot = space.self().slot();
        this.myPid = space.self().id();
        this.myStartTicks = space.self().incarnation();
        this.reader = new TupleRecordReader(journal, name.getBytes(StandardCharsets.UTF_8));
        this.scratches = ThreadLocal.withInitial(() -> new Scratch(space.options().idleStrategy().get()));
        // the lock, not the thread, confines this projection's cursor
        this.projection = new Projection(journal, "tuple space '" + name + "'", this::onRecord, Long.MAX_VALUE, true, OWN_RECORD_WAIT_NANOS)
                .readingOnly(TupleRecordReader.OPS);
    }

    /** The calling thread's scratch buffers. */
    private Scratch scratch() {
        final Scratch last = lastScratch;
        if (last != null && last.thread == Thread.currentThread()) {
            return last;
        }
        final Scratch s = scratches.get();
        lastScratch = s;
        return s;
    }

    private void onRecord(final LogRecord r) {
        final int code = reader.read(r);
        if (code != TupleRecordReader.NOT_OURS) {
            if (applyNow == CLOCK_NOT_READ && code == Op.TUPLE_OUT.code()) {
                applyNow = Clock.nanos(); // only a written tuple is judged by the time (its lease)
            }
            index.apply(code, reader, applyNow);
        }
    }

    /** Opens a handle on the tuple space {@code name}: restores its newest snapshot and reads the records after it. */
    public static JournalTupleSpace open(final BackendSpace space, final String name) {
        checkName(name, "tuple space name", space.options().maxKeyBytes());
        space.ensureOpen();
        final JournalTupleSpace ts = new JournalTupleSpace(space, name);
        synchronized (ts.lock) {
            // from the newest snapshot, then the records after it: time proportional to the live tuples, not history
            final long after = TupleSnapshots.restore(space, name, ts.index);
            if (after >= 0) {
                ts.projection.startAfter(after);
            }
        }
        space.register(ts);
        synchronized (ts.lock) {
            ts.catchUp(Clock.nanos());
        }
        return ts;
    }

    /** Checks a tuple space or watch name: 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes (and the space's key limit), no control characters. */
    static void checkName(final String name, final String what, final int maxKeyBytes) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException(what + " '" + name.replaceAll("\\p{Cntrl}", "?") + "' contains a control character");
            }
        }
        final int n = TupleCodec.utf8Length(name);
        final int max = Math.min(MAX_NAME_BYTES, maxKeyBytes);
        if (n > max) {
            throw new IllegalArgumentException(what + " '" + (name.length() <= 64 ? name : name.substring(0, 60) + "...") + "' is too long: " + n
                    + " UTF-8 bytes, at most " + max);
        }
        // refuses unpaired surrogates with a clear message
        TupleCodec.putString(name, new byte[TupleCodec.VAR_HEADER + n], 0);
    }

    @Override
    public String name() {
        return name;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tuple space '" + name + "' in " + space.address() + " is closed");
        }
        space.ensureOpen();
    }

    private static void checkTimeout(final long timeout) {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
        }
    }

    private static long ttlNanos(final long ttl, final TimeUnit unit) {
        if (ttl <= 0) {
            throw new IllegalArgumentException("time to live must be > 0, got " + ttl + " " + unit.name().toLowerCase(java.util.Locale.ROOT));
        }
        return unit.toNanos(ttl);
    }

    private static void checkMax(final int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, got " + max);
        }
    }

    // ---------------------------------------------------------------- out

    @Override
    public long out(final Tuple tuple) {
        return appendOut(tuple, null, 0);
    }

    @Override
    public long out(final Tuple tuple, final long ttl, final TimeUnit unit) {
        return appendOut(tuple, null, ttlNanos(ttl, unit));
    }

    @Override
    public long out(final TupleBuffer buffer) {
        return appendOut(null, buffer, 0);
    }

    @Override
    public long out(final TupleBuffer buffer, final long ttl, final TimeUnit unit) {
        return appendOut(null, buffer, ttlNanos(ttl, unit));
    }

    private long appendOut(final Tuple tuple, final TupleBuffer buffer, final long ttlNanos) {
        if (tuple == null && (buffer == null || buffer.isEmpty())) {
            throw new IllegalArgumentException(buffer == null ? "tuple must not be null" : "the buffer holds no field: a tuple needs at least one");
        }
        ensureOpen();
        final Scratch s = scratch();
        final int n = tuple != null ? tuple.encodedLength() : buffer.encodedLength();
        final byte[] rec = s.record(OUT_TUPLE_OFFSET + n);
        rec[LAYOUT_OFFSET] = LAYOUT;
        rec[FLAGS_OFFSET] = 0;
        rec[2] = 0;
        rec[3] = 0;
        TupleCodec.putLong(rec, OUT_TTL_OFFSET, ttlNanos);
        if (tuple != null) {
            tuple.encodeTo(rec, OUT_TUPLE_OFFSET);
        } else {
            buffer.encodeTo(rec, OUT_TUPLE_OFFSET);
        }
        return journal.append(Op.TUPLE_OUT, 0, 0, name, rec, 0, OUT_TUPLE_OFFSET + n);
    }

    // ---------------------------------------------------------------- reading the journal (lock held)

    /** Applies every record written since the last read; returns whether there was any. */
    private boolean catchUp(final long now) {
        boolean any = false;
        while (readOne(now)) {
            any = true;
        }
        return any;
    }

    private boolean readOne(final long now) {
        applyNow = now;
        return projection.readOne();
    }

    /** Reads up to and including the record this handle appended at {@code recordIndex}; returns whether it was valid. */
    private boolean awaitOwn(final long recordIndex) {
        index.awaitIndex = recordIndex;
        index.awaitOutcome = TupleIndex.OUTCOME_UNKNOWN;
        try {
            applyNow = CLOCK_NOT_READ;
            projection.catchUpTo(recordIndex);
            if (index.awaitOutcome == TupleIndex.OUTCOME_UNKNOWN) {
                throw new IllegalStateException("journal record " + recordIndex + " appended by tuple space '" + name + "' was read but not applied");
            }
            return index.awaitOutcome == 1;
        } finally {
            index.awaitIndex = -1;
        }
    }

    /**
     * Whether the calling thread's last miss still stands: it missed with this template, the index has no pending take
     * to check and no lease that could end, and no tuple became available since, the journal read to its end first.
     * Reads the clock only if a tuple is written meanwhile. An agent polling an empty space pays no more. Lock held.
     */
    private boolean stillMissing(final Scratch s) {
        if (s.missed == null || s.missed != s.encoded || index.pendingCount != 0 || index.hasLeases()) {
            return false;
        }
        applyNow = CLOCK_NOT_READ;
        while (projection.readOne()) {
            // applied: the version below says whether any of it made a tuple available
        }
        return index.availableVersion == s.missedAtVersion && index.pendingCount == 0 && !index.hasLeases();
    }

    private void missed(final Scratch s) {
        s.missed = s.encoded;
        s.missedAtVersion = index.availableVersion;
    }

    /** Brings the view up to date, returning dead takers' tuples if due and dropping long-expired ones. Lock held. */
    private void refresh(final long now) {
        catchUp(now);
        if (maybeReap(now)) {
            catchUp(now);
        }
        index.sweep(now);
    }

    // ---------------------------------------------------------------- returning the takes of dead agents

    /**
     * Appends a RETURN for every pending take whose taker is dead, at most once per interval (not by an observer).
     * The view may be older than the death: a taker that acknowledged after this view was read and died before the
     * liveness check. So once a dead taker is found, the view is read again to the journal's end (everything a dead
     * process wrote is there by now) and only takes still pending are returned; a return made void by the taker's own
     * late ack is never appended. Lock held.
     */
    private boolean maybeReap(final long now) {
        if (space.options().observer()) {
            return false; // an observer changes nothing: the first agent that reads returns them
        }
        if (index.pendingCount == 0 || now - lastReapNanos < REAP_INTERVAL_NANOS) {
            return false;
        }
        lastReapNanos = now;
        reapRound++;
        deadTakes.clear();
        for (TupleIndex.Entry e = index.pendingHead; e != null; e = e.nextPending) {
            if (!takerLive(e.takerSlot, e.takerId, e.takerIncarnation)) {
                deadTakes.add(e.takeIndex);
            }
        }
        if (deadTakes.isEmpty()) {
            return false;
        }
        catchUp(now); // after the deaths were seen: whatever those takers wrote is read now
        boolean appended = false;
        final Scratch s = scratch();
        for (TupleIndex.Entry e = index.pendingHead; e != null; e = e.nextPending) {
            // only takes whose taker was found dead before that read: one found dead only now may have acked after it
            if (deadTakes.contains(e.takeIndex)) {
                appendEnd(s, Op.TUPLE_RETURN, e.id, e.takeIndex, FLAG_TAKER_DIED);
                appended = true;
            }
        }
        return appended;
    }

    /** Exact liveness of a taker (registry slot, PID, start time), asked at most once per slot and reaping round. */
    private boolean takerLive(final int slot, final long pid, final long startTicks) {
        if (slot == mySlot && pid == myPid && startTicks == myStartTicks) {
            return true;
        }
        if (slot < 0 || slot > 1 << 20) {
            return false;
        }
        if (slot >= livenessRound.length) {
            final int n = slot + 16;
            livenessRound = Arrays.copyOf(livenessRound, n);
            livenessPid = Arrays.copyOf(livenessPid, n);
            livenessStartTicks = Arrays.copyOf(livenessStartTicks, n);
            livenessAnswer = Arrays.copyOf(livenessAnswer, n);
        }
        if (livenessRound[slot] == reapRound && livenessPid[slot] == pid && livenessStartTicks[slot] == startTicks) {
            return livenessAnswer[slot];
        }
        final boolean live = space.isLive(slot, pid, startTicks);
        livenessRound[slot] = reapRound;
        livenessPid[slot] = pid;
        livenessStartTicks[slot] = startTicks;
        livenessAnswer[slot] = live;
        return live;
    }

    // ---------------------------------------------------------------- appending takes and their ends

    private long appendTake(final Scratch s, final long id, final boolean fin) {
        final byte[] rec = s.record(TAKE_LENGTH);
        rec[LAYOUT_OFFSET] = LAYOUT;
        rec[FLAGS_OFFSET] = (byte) (fin ? FLAG_FINAL : 0);
        rec[2] = 0;
        rec[3] = 0;
        TupleCodec.putLong(rec, TAKE_TUPLE_ID_OFFSET, id);
        TupleCodec.putInt(rec, TAKE_SLOT_OFFSET, mySlot);
        TupleCodec.putLong(rec, TAKE_PID_OFFSET, myPid);
        TupleCodec.putLong(rec, TAKE_START_TICKS_OFFSET, myStartTicks);
        return journal.append(Op.TUPLE_TAKE, 0, id, name, rec, 0, TAKE_LENGTH);
    }

    private long appendEnd(final Scratch s, final Op op, final long id, final long takeIndex, final int flags) {
        final byte[] rec = s.record(END_LENGTH);
        rec[LAYOUT_OFFSET] = LAYOUT;
        rec[FLAGS_OFFSET] = (byte) flags;
        rec[2] = 0;
        rec[3] = 0;
        TupleCodec.putLong(rec, END_TUPLE_ID_OFFSET, id);
        TupleCodec.putLong(rec, END_TAKE_INDEX_OFFSET, takeIndex);
        return journal.append(op, 0, id, name, rec, 0, END_LENGTH);
    }

    /**
     * Takes the oldest match into {@code into}: appends a take of it and reads up to that record; when another take
     * came first (or the lease ran out meanwhile), tries the next oldest. When the take's index directly follows the
     * last record the view read, nothing can have come first, and a tuple without a lease cannot have run out: the take
     * won without reading it back. Returns the take's index, or -1 when nothing matches. Lock held.
     */
    private long takeOne(final Scratch s, final byte[] tpl, final boolean fin, final TupleBuffer into) {
        while (true) {
            if (stillMissing(s)) {
                return -1;
            }
            final long now = Clock.nanos();
            refresh(now);
            final TupleIndex.Entry e = index.findOldest(tpl, now);
            if (e == null) {
                missed(s);
                return -1;
            }
            // copy first: once our take is applied the entry may be recycled for a newer tuple
            into.set(e.data, 0, e.length).origin(e.id, e.writtenAt, e.expiresAt);
            final long seen = projection.position();
            final long t = appendTake(s, e.id, fin);
            if (t == seen + 1 && e.expiresAt == Long.MAX_VALUE) {
                // no record between the view and the take (indices only grow): the tuple was available where the take
                // is, and it has no lease to end, so the take wins. The view applies it when it next reads.
                return t;
            }
            index.takeHint = e;
            final boolean won;
            try {
                won = awaitOwn(t);
            } finally {
                index.takeHint = null;
            }
            if (won) {
                return t;
            }
        }
    }

    // ---------------------------------------------------------------- read

    @Override
    public Tuple rdp(final Template template) {
        final Scratch s = scratch();
        return rdp(template, s.tuple) ? s.tuple.toTuple() : null;
    }

    @Override
    public boolean rdp(final Template template, final TupleBuffer into) {
        final Scratch s = scratch();
        final byte[] tpl = s.template(template);
        synchronized (lock) {
            ensureOpen();
            return readOldest(s, tpl, into);
        }
    }

    private boolean readOldest(final Scratch s, final byte[] tpl, final TupleBuffer into) {
        if (stillMissing(s)) {
            return false;
        }
        final long now = Clock.nanos();
        refresh(now);
        final TupleIndex.Entry e = index.findOldest(tpl, now);
        if (e == null) {
            missed(s);
            return false;
        }
        into.set(e.data, 0, e.length).origin(e.id, e.writtenAt, e.expiresAt);
        return true;
    }

    @Override
    public Tuple rd(final Template template, final long timeout, final TimeUnit unit) {
        checkTimeout(timeout);
        final Scratch s = scratch();
        final byte[] tpl = s.template(template);
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        final IdleStrategy idle = s.idle;
        idle.reset();
        long previous = Long.MIN_VALUE;
        while (true) {
            final long seen;
            synchronized (lock) {
                ensureOpen();
                if (readOldest(s, tpl, s.tuple)) {
                    return s.tuple.toTuple();
                }
                seen = projection.position();
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return null;
            }
            // etcd parks until its watch delivers; otherwise new records in the journal (even unrelated ones) restart
            // the idle strategy at its cheapest step
            if (!projection.awaitArrival(left)) {
                idle.idle(seen != previous ? 1 : 0);
            }
            previous = seen;
        }
    }

    @Override
    public List<Tuple> rdAll(final Template template, final int max) {
        checkMax(max);
        final List<Tuple> list = new ArrayList<>();
        rdAll(template, max, t -> list.add(t.toTuple()));
        return list;
    }

    @Override
    public int rdAll(final Template template, final int max, final TupleHandler handler) {
        checkMax(max);
        final Scratch s = scratch();
        final byte[] tpl = s.template(template);
        final TupleBuffer buffer = s.tuple;
        synchronized (lock) {
            ensureOpen();
            final long now = Clock.nanos();
            refresh(now);
            return index.forEachMatch(tpl, now, max, e -> handler.onTuple(buffer.set(e.data, 0, e.length).origin(e.id, e.writtenAt, e.expiresAt)));
        }
    }

    @Override
    public long count(final Template template) {
        final byte[] tpl = scratch().template(template);
        synchronized (lock) {
            ensureOpen();
            final long now = Clock.nanos();
            refresh(now);
            return index.count(tpl, now);
        }
    }

    // ---------------------------------------------------------------- take

    @Override
    public Tuple inp(final Template template) {
        final Scratch s = scratch();
        return inp(template, s.tuple) ? s.tuple.toTuple() : null;
    }

    @Override
    public boolean inp(final Template template, final TupleBuffer into) {
        final Scratch s = scratch();
        final byte[] tpl = s.template(template);
        synchronized (lock) {
            ensureOpen();
            return takeOne(s, tpl, true, into) >= 0;
        }
    }

    @Override
    public Tuple in(final Template template, final long timeout, final TimeUnit unit) {
        final Scratch s = scratch();
        return awaitTake(s, template, timeout, unit, true) >= 0 ? s.tuple.toTuple() : null;
    }

    @Override
    public List<Tuple> inAll(final Template template, final int max) {
        checkMax(max);
        final Scratch s = scratch();
        final byte[] tpl = s.template(template);
        final List<Tuple> list = new ArrayList<>();
        synchronized (lock) {
            ensureOpen();
            while (list.size() < max && takeOne(s, tpl, true, s.tuple) >= 0) {
                list.add(s.tuple.toTuple());
            }
        }
        return list;
    }

    @Override
    public Taken inWithAck(final Template template, final long timeout, final TimeUnit unit) {
        final Scratch s = scratch();
        final long t = awaitTake(s, template, timeout, unit, false);
        if (t < 0) {
            return null;
        }
        final TakenTuple taken = new TakenTuple(s.tuple.toTuple(), s.tuple.id(), t);
        synchronized (lock) {
            openTakes.put(t, taken);
        }
        return taken;
    }

    /** Takes into the thread's scratch tuple, waiting up to the timeout; returns the take's index or -1. */
    private long awaitTake(final Scratch s, final Template template, final long timeout, final TimeUnit unit, final boolean fin) {
        checkTimeout(timeout);
        final byte[] tpl = s.template(template);
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        final IdleStrategy idle = s.idle;
        idle.reset();
        long previous = Long.MIN_VALUE;
        while (true) {
            final long seen;
            synchronized (lock) {
                ensureOpen();
                final long t = takeOne(s, tpl, fin, s.tuple);
                if (t >= 0) {
                    return t;
                }
                seen = projection.position();
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return -1;
            }
            if (!projection.awaitArrival(left)) { // etcd parks until its watch delivers
                idle.idle(seen != previous ? 1 : 0);
            }
            previous = seen;
        }
    }

    // ---------------------------------------------------------------- watch

    @Override
    public TupleWatch watch(final Template template, final long afterIndex) {
        if (afterIndex < -1) {
            throw new IllegalArgumentException("afterIndex must be -1 (from now), 0 (from the start) or a journal index, got " + afterIndex);
        }
        ensureOpen();
        return JournalTupleWatch.open(space, reader.name(), template, afterIndex, null, null);
    }

    /** A watch name is a name without '/', so that "tuples/SPACE/WATCH" names one watch only. */
    private static void checkWatchName(final String watchName) {
        checkName(watchName, "watch name", Integer.MAX_VALUE);
        if (watchName.indexOf('/') >= 0) {
            throw new IllegalArgumentException("watch name '" + watchName + "' must not contain '/'");
        }
    }

    @Override
    public TupleWatch watch(final String watchName, final Template template) {
        checkWatchName(watchName);
        ensureOpen();
        final NamedPosition position = journal.namedPosition(WATCH_PREFIX + name + "/" + watchName);
        return JournalTupleWatch.open(space, reader.name(), template, -1, watchName, position);
    }

    @Override
    public void deleteWatch(final String watchName) {
        checkWatchName(watchName);
        ensureOpen();
        space.journal().deleteNamedTailer(WATCH_PREFIX + name + "/" + watchName);
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                if (!openTakes.isEmpty()) {
                    space.ensureOpen();
                    final Scratch s = scratch();
                    for (TakenTuple t : new ArrayList<>(openTakes.values())) {
                        appendEnd(s, Op.TUPLE_RETURN, t.id, t.takeIndex, 0);
                        t.state = TakenTuple.RELEASED;
                    }
                }
            } catch (IllegalStateException spaceClosed) {
                // the space is closing: its agent is marked closed, so survivors return these takes
            } finally {
                openTakes.clear();
                closed = true;
                projection.close();
            }
        }
        space.unregister(this);
    }

    /** The index of the last record this handle's view read (tests: whether a take was read back). */
    long viewPosition() {
        synchronized (lock) {
            return projection.position();
        }
    }

    /**
     * Checks the takers of the pending takes in this handle's view now, without reading the journal first (tests: a
     * view older than a taker's ack and death); returns whether a return was appended.
     */
    boolean reapNow() {
        synchronized (lock) {
            final long now = Clock.nanos();
            lastReapNanos = now - REAP_INTERVAL_NANOS;
            return maybeReap(now);
        }
    }

    /** Tuples this handle knows (available or taken and not yet acknowledged), for tests. */
    int knownTuples() {
        synchronized (lock) {
            return index.size();
        }
    }

    @Override
    public String toString() {
        return "TupleSpace{" + name + " in " + space.address() + '}';
    }

    /** A take with acknowledgement held by this handle. */
    private final class TakenTuple implements Taken {
        static final int OPEN = 0;
        static final int ACKED = 1;
        static final int RELEASED = 2;

        private final Tuple tuple;
        private final long id;
        private final long takeIndex;
        private int state;

        TakenTuple(final Tuple tuple, final long id, final long takeIndex) {
            this.tuple = tuple;
            this.id = id;
            this.takeIndex = takeIndex;
        }

        @Override
        public Tuple tuple() {
            return tuple;
        }

        @Override
        public long id() {
            return id;
        }

        private void checkOpen() {
            if (state != OPEN) {
                throw new IllegalStateException("tuple " + id + " of '" + name + "' was already " + (state == ACKED ? "acknowledged" : "released"));
            }
            ensureOpen();
        }

        @Override
        public boolean ack() {
            synchronized (lock) {
                checkOpen();
                final long a = appendEnd(scratch(), Op.TUPLE_ACK, id, takeIndex, 0);
                state = ACKED;
                openTakes.remove(takeIndex);
                return awaitOwn(a);
            }
        }

        @Override
        public void release() {
            synchronized (lock) {
                checkOpen();
                final long r = appendEnd(scratch(), Op.TUPLE_RETURN, id, takeIndex, 0);
                state = RELEASED;
                openTakes.remove(takeIndex);
                awaitOwn(r);
            }
        }

        @Override
        public boolean isOpen() {
            synchronized (lock) {
                return state == OPEN;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (state != OPEN || closed) {
                    return;
                }
                try {
                    release();
                } catch (IllegalStateException spaceClosed) {
                    // the space is closed: survivors return the tuple once they see this agent gone
                }
            }
        }

        @Override
        public String toString() {
            return "Taken{" + id + " " + tuple + (state == OPEN ? "" : state == ACKED ? " acked" : " released") + '}';
        }
    }
}
