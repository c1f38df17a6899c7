package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.slate.space.CorruptSpaceException;
import io.slate.space.SpaceException;
import io.slate.spi.LogRecord;
import io.slate.spi.NamedPosition;
import io.slate.spi.RecordCursor;
import io.slate.spi.RecordLog;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The space's journal on etcd as the SPI's {@link RecordLog}: one record per {@code j/<request id>} key, its index the
 * revision that committed it (increasing, with gaps). Key/value commits write their record in the commit's own Txn
 * ({@link EtcdKeyValue}); the records of the other features (tuples, sync events, blackboard posts) are appended here,
 * each a Txn of one put, exactly once across unknown outcomes (a retry with the same request id finds its record).
 *
 * <p>Retention ({@link EtcdRetention}) deletes the oldest records and records the trimmed-through index; the journal
 * is {@link #complete()} until it first did. A cursor or named position that needs a removed record fails saying so.
 *
 * <p>Thread-safe as a factory and for appends; the cursors it makes are single-threaded.
 */
final class EtcdLog implements RecordLog {
    private final EtcdSpace space;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final EtcdKeyValue engine;
    /**
     * The newest complete check one of this handle's cursors made (a linearizable list of the journal from an index),
     * which every other cursor at or past its start takes instead of making one of its own.
     */
    private volatile JournalTailer.Check shared;
    /**
     * What arrived for this handle's cursors, counted: every watch response (or error) of any of their tailers and
     * every background check's answer. A cursor notes the count when a call of {@code next} begins; a reader that
     * waits ({@link Cursor#awaitArrival}) parks until the count moved past it, so it wakes for anything that came
     * after its last look and sleeps otherwise. Guarded by its own monitor.
     */
    private final Arrivals arrivals = new Arrivals();

    /** A count of arrivals with waiting on it; thread-safe. */
    static final class Arrivals {
        private long count;
        private int waiting;

        synchronized void arrived() {
            count++;
            if (waiting > 0) {
                notifyAll();
            }
        }

        synchronized long count() {
            return count;
        }

        /** Waits at most {@code maxNanos} while the count is still {@code seen}. */
        synchronized void await(final long seen, final long maxNanos) throws InterruptedException {
            final long deadline = System.nanoTime() + maxNanos;
            waiting++;
            try {
                while (count == seen) {
                    final long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } finally {
                waiting--;
            }
        }
    }

    /** The background check in flight, if any (guarded by {@code this}). */
    private InFlight inFlight;

    /** A background check sent and not answered yet: the index it lists from and when it was sent. */
    private static final class InFlight {
        final long from;
        final long sentNanos;
        final java.util.concurrent.CompletableFuture<io.etcd.jetcd.kv.TxnResponse> answer;
        volatile EtcdFailure failed;

        InFlight(final long from, final long sentNanos, final java.util.concurrent.CompletableFuture<io.etcd.jetcd.kv.TxnResponse> answer) {
            this.from = from;
            this.sentNanos = sentNanos;
            this.answer = answer;
        }
    }

    /**
     * Makes sure a background check serves a cursor whose next index is {@code from}: one in flight already does when it
     * lists from {@code from} or before; else one is sent. Its answer is published as {@link #shared} when it arrives
     * (whoever polls next takes it: {@link Cursor#creditChecks}), so the handle's readers, however many, send one check
     * at a time between them.
     *
     * @throws EtcdFailure when the check in flight was not answered within one request timeout (it is dropped: the
     *                     cluster cannot answer now), or failed
     */
    private synchronized void backgroundCheck(final long from) {
        final InFlight f = inFlight;
        if (f != null) {
            if (f.failed != null) {
                inFlight = null;
                throw f.failed;
            }
            if (System.nanoTime() - f.sentNanos > TimeUnit.MILLISECONDS.toNanos(connection.options().requestTimeoutMillis)) {
                inFlight = null;
                f.answer.cancel(true);
                throw new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, "journal read of space '" + layout.space() + "' from index " + f.from
                        + ": no answer from etcd at " + connection.address().endpointList() + " within "
                        + connection.options().requestTimeoutMillis + " ms", false)
                        .reason("no answer within " + connection.options().requestTimeoutMillis + " ms");
            }
            if (f.from <= from) {
                return; // it serves this cursor too
            }
        }
        final long sent = System.nanoTime();
        final InFlight mine = new InFlight(from, sent, JournalTailer.checkRequest(connection, layout, from));
        inFlight = mine;
        mine.answer.whenComplete((t, e) -> {
            if (e != null) {
                mine.failed = connection.translate(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e,
                        "journal read of space '" + layout.space() + "' from index " + from);
                return;
            }
            synchronized (this) {
                if (inFlight == mine) {
                    inFlight = null;
                }
            }
            publish(JournalTailer.check(t, layout, from, sent));
            arrivals.arrived(); // a reader parked for records takes the check's at once
        });
    }

    /** Makes {@code c} the handle's newest check, unless a newer one is there. */
    private void publish(final JournalTailer.Check c) {
        if (c == null) {
            return;
        }
        synchronized (this) {
            final JournalTailer.Check now = shared;
            if (now == null || c.sentNanos - now.sentNanos > 0) {
                shared = c;
            }
        }
    }

    EtcdLog(final EtcdSpace space, final EtcdConnection connection, final SpaceLayout layout, final EtcdKeyValue engine) {
        this.space = space;
        this.connection = connection;
        this.layout = layout;
        this.engine = engine;
    }

    @Override
    public long append(final io.slate.journal.Op op, final int flags, final long version, final CharSequence key, final byte[] value,
                       final int offset, final int length) {
        space.checkWritable("append a " + op.label() + " record");
        final byte[] k = EtcdStore.keyBytes(key, space.options().maxKeyBytes());
        try {
            final long sent = System.nanoTime();
            final long index = engine.append(op, flags, version, k, value, offset, length, engine.newRequestId());
            space.store().lastWrite(index, sent);
            return index;
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    @Override
    public RecordCursor cursor() {
        space.ensureOpen();
        return new Cursor();
    }

    @Override
    public long firstIndex() {
        return edge(GetOption.SortOrder.ASCEND);
    }

    @Override
    public long lastIndex() {
        return edge(GetOption.SortOrder.DESCEND);
    }

    private long edge(final GetOption.SortOrder order) {
        try {
            final GetResponse r = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true)
                    .withSortField(GetOption.SortTarget.MOD).withSortOrder(order).withLimit(1).build(),
                    "journal bounds of space '" + layout.space() + "'");
            return r.getKvs().isEmpty() ? -1 : r.getKvs().get(0).getModRevision();
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    /** Number of records in the journal. */
    long count() {
        try {
            return connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                    "journal size of space '" + layout.space() + "'").getCount();
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    @Override
    public boolean complete() {
        try {
            return EtcdRetention.trimmedThrough(connection, layout) == 0;
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    /** The error of a cursor that needed records retention removed: it never reads on past them. */
    private SpaceException lost(final JournalTailer.Trimmed t) {
        return new SpaceException(location(), "journal reader lost records: it had read up to index " + t.position
                + " and retention removed the records after it through index " + t.trimmedThrough + " (the first retained record is now "
                + firstIndex() + "): it fell more than the journal's retention budget behind (r/budget, slate.etcd.retainRecords at creation)",
                null);
    }

    @Override
    public NamedPosition namedPosition(final String name) {
        return new Position(name);
    }

    @Override
    public void deleteNamedPosition(final String name) {
        try {
            connection.read(() -> connection.kv().delete(layout.tailerKey(checkedName(name)), DeleteOption.DEFAULT),
                    "delete of named position '" + name + "'");
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    @Override
    public String location() {
        return space.address();
    }

    @Override
    public CorruptSpaceException foreignRecord(final long index, final String problem) {
        return new CorruptSpaceException(location(), "journal record at index " + index + " (0x" + Long.toHexString(index) + "): " + problem);
    }

    /** Named positions may hold any character but '/' (they are the last part of a key); 1 to 512 UTF-8 bytes. */
    private static String checkedName(final String name) {
        final int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > 512) {
            throw new IllegalArgumentException("named position '" + name + "': 1 to 512 UTF-8 bytes, got " + n);
        }
        return name;
    }

    /**
     * A named position as the key {@code t/<name>}: the index last delivered, 20 decimal digits. {@link #advance} is a
     * compare-and-set on the stored value, so two readers under one name cannot both move it.
     */
    private final class Position implements NamedPosition {
        private final String name;
        private final ByteSequence key;

        Position(final String name) {
            this.name = checkedName(name);
            this.key = layout.tailerKey(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long get() {
            try {
                final GetResponse r = connection.get(key, GetOption.DEFAULT, "named position '" + name + "'");
                return r.getKvs().isEmpty() ? 0 : parse(r.getKvs().get(0));
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
        }

        private long parse(final KeyValue kv) {
            final String s = kv.getValue().toString(StandardCharsets.US_ASCII);
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new CorruptSpaceException(location(), "named position '" + name + "' holds '" + s + "', not an index");
            }
        }

        @Override
        public void set(final long index) {
            try {
                connection.read(() -> connection.kv().put(key, digits(index), PutOption.DEFAULT), "store of named position '" + name + "'");
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
        }

        @Override
        public boolean advance(final long expected, final long index) {
            // idempotent: after an unknown outcome the retry finds the value it stored and compares false, so the
            // outcome is read back instead
            final ByteSequence want = digits(index);
            try {
                final TxnResponse t = connection.read(() -> connection.kv().txn()
                        .If(expected == 0 ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
                                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(digits(expected))))
                        .Then(Op.put(key, want, PutOption.DEFAULT))
                        .Else(Op.get(key, GetOption.DEFAULT)).commit(), "advance of named position '" + name + "'");
                if (t.isSucceeded()) {
                    return true;
                }
                final java.util.List<KeyValue> now = t.getGetResponses().get(0).getKvs();
                if (expected == 0 && !now.isEmpty() && parse(now.get(0)) == 0) {
                    return advanceFromStoredZero(index);
                }
                return !now.isEmpty() && parse(now.get(0)) == index; // our own earlier attempt applied it
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
        }

        private boolean advanceFromStoredZero(final long index) {
            final TxnResponse t = connection.read(() -> connection.kv().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(digits(0))))
                    .Then(Op.put(key, digits(index), PutOption.DEFAULT)).commit(), "advance of named position '" + name + "'");
            return t.isSucceeded();
        }

        @Override
        public boolean lost() {
            return get() < 0; // retention marked it (-1) before it removed records the position had not delivered
        }
    }

    private static ByteSequence digits(final long index) {
        return ByteSequence.from(String.format("%020d", index).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A raw cursor over the journal: a {@link JournalTailer} (list, then watch) positioned where asked. When the watch
     * has nothing, {@link #next()} checks with a linearizable list, at most every 10 ms, backing off to 20 ms while it
     * keeps finding nothing. When this space handle committed a record the cursor has not read yet, it waits for the
     * watch to deliver it (the watch sends it about when the commit is answered; no request), and lists at once only
     * when the watch did not deliver within 100 ms (then, for 2 s, it lists instead of waiting): a null
     * answer covers every record committed by this handle, and every record committed by anyone before the last check,
     * made at most 20 ms earlier. A cursor that keeps being polled makes its checks in the
     * background (a later call takes their records; no call waits for a list while the watch may be delivering); the
     * first call after a pause of more than 40 ms makes it in the call, so a reader that looks once sees every record
     * committed before it looked. When the cluster
     * cannot answer that list within one request timeout (no quorum), the cursor answers from what the watch delivered
     * and checks again after 5 s: reads that need no quorum go on. Every record is a copy of the
     * stored bytes, wrapped by one {@link LogRecord} flyweight valid until the next call.
     *
     * <p>Single-threaded, like the tailer it wraps (or guarded by one lock: {@link #guardedByLock()}).
     */
    private final class Cursor implements RecordCursor {
        /**
         * Shortest interval between two linearizable checks while a reader keeps finding nothing (the interval after a
         * record was read). 10 ms, not less: while records flow the watch delivers them, and a check every 2 ms was
         * about half of all the requests of a tuple exchange (2.3 of 4.3 Txns per message, counted at the member).
         */
        private static final long SYNC_MIN_NANOS = 10_000_000;
        /** Longest interval: a reader idle for long still checks this often (the watch delivers in between). */
        private static final long SYNC_MAX_NANOS = 20_000_000;
        /** After a check the cluster could not answer: how long the cursor answers from the watch alone. */
        private static final long UNREACHABLE_RETRY_NANOS = 5_000_000_000L;
        /** How long a cursor behind this handle's own commit waits for the watch before it lists instead. */
        private static final long OWN_WAIT_NANOS = 100_000_000L;
        /**
         * A cursor not asked for this long is a reader that paused: its next check is made in the call (and answers
         * for everything committed before it); a cursor asked more often checks in the background.
         */
        private static final long IDLE_NANOS = 2 * SYNC_MAX_NANOS;
        /** After a wait for an own record timed out, how long the cursor lists for its own records instead. */
        private static final long OWN_WAIT_PAUSE_NANOS = 2_000_000_000L;
        /** When the cursor may wait on the watch for its own records again. */
        private long ownWaitAfter = System.nanoTime();
        /**
         * Longest single park in {@link #awaitArrival}: a reader that waits calls {@link #next} at least this often, so
         * its checks (every 10-20 ms while it finds nothing) go on as for a reader that polls.
         */
        private static final long ARRIVAL_WAIT_MAX_NANOS = SYNC_MIN_NANOS;
        /** The handle's {@link #arrivals} count when the last call of {@link #next} began. */
        private volatile long arrivalsSeen;
        /** When {@link #next} was last called (0: never). */
        private long lastCallNanos;
        /** When the newest shared check this cursor took was sent. */
        private long offeredNanos = System.nanoTime() - Long.MAX_VALUE / 2;
        private final LogRecord flyweight = new LogRecord();
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        private JournalTailer tailer;
        private long lastIndex = -1;
        /** Records read since the cursor was made. */
        private long records;
        private long lastSyncNanos;
        private long syncInterval;
        /** While the cluster could not answer a check: until when the cursor answers from the watch alone (0: it can). */
        private long unreachableUntil;

        Cursor() {
            position(0);
        }

        private void position(final long afterIndex) {
            position(afterIndex, true);
        }

        /** {@code fromRetainedStart}: records retention removed before the first read are skipped to the first retained one. */
        private void position(final long afterIndex, final boolean fromRetainedStart) {
            if (tailer != null) {
                tailer.close();
            }
            tailer = new JournalTailer(connection, layout, Math.max(0, afterIndex), fromRetainedStart).onArrival(arrivals::arrived);
            syncInterval = 0;
        }

        @Override
        public RecordCursor toStart() {
            position(0);
            return this;
        }

        @Override
        public RecordCursor toEnd() {
            try {
                final GetResponse r = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                        "end of the journal of space '" + layout.space() + "'");
                position(r.getHeader().getRevision());
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            return this;
        }

        @Override
        public RecordCursor from(final long index) {
            position(index - 1);
            return this;
        }

        @Override
        public RecordCursor after(final long index) {
            final GetResponse r;
            try {
                r = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true)
                        .withMinModRevision(index).withMaxModRevision(index).withLimit(1).build(), "journal record " + index + " of space '"
                        + layout.space() + "'");
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            if (r.getKvs().isEmpty()) {
                final long trimmed;
                try {
                    trimmed = EtcdRetention.trimmedThrough(connection, layout);
                } catch (EtcdFailure e) {
                    throw space.failure(e);
                }
                if (index == trimmed) {
                    // the last record retention removed: nothing after it was removed, so the reader resumes there
                    position(index, false);
                    lastIndex = index;
                    return this;
                }
                if (index < trimmed) {
                    throw new SpaceException(location(), "cannot resume after index " + index + ": retention removed it and the records after it"
                            + " through index " + trimmed + " (the first retained record is " + firstIndex() + ")", null);
                }
                throw new SpaceException(location(), "journal has no record at index " + index + " to resume after (never written, or not a"
                        + " record of this space)", null);
            }
            position(index, false);
            lastIndex = index;
            return this;
        }

        /**
         * Checks made by others that stand for this cursor's own: this handle's latest commit once this cursor has read
         * its record (every commit answered before that commit was sent has a lower index, and the watch delivers in
         * index order), and the newest check another cursor of this handle made from an index at or before this
         * cursor's next (its records are taken). Each counts as a check made when its request was sent.
         */
        private void creditChecks() {
            final long[] own = space.ownCheck();
            if (own != null && own[1] - lastSyncNanos > 0 && tailer.position() >= own[0]) {
                lastSyncNanos = own[1];
            }
            final JournalTailer.Check c = shared;
            if (c != null && c.sentNanos - offeredNanos > 0 && tailer.offer(c)) {
                offeredNanos = c.sentNanos;
                if (c.sentNanos - lastSyncNanos > 0) {
                    lastSyncNanos = c.sentNanos;
                }
            }
        }

        /** Offers the check this cursor just made in the call to the handle's other cursors. */
        private void shareCheck() {
            publish(tailer.takeCheck());
        }

        /**
         * Parks until a watch response or a check's answer reached this handle after the last call of {@link #next}
         * began (then that call may not have seen it), at most {@code maxNanos} and at most {@link
         * #ARRIVAL_WAIT_MAX_NANOS}: a reader blocked in {@code Tailer.next(timeout)} or a tuple space's {@code in}
         * costs no CPU while nothing comes, where spinning on {@code next} took a core from the members and the client's
         * own threads. What {@link #next} answers is unchanged (it is called as before, only not in a busy loop).
         */
        @Override
        public boolean awaitArrival(final long maxNanos) {
            try {
                arrivals.await(arrivalsSeen, Math.min(maxNanos, ARRIVAL_WAIT_MAX_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        @Override
        public LogRecord next() {
            arrivalsSeen = arrivals.count();
            final long now = System.nanoTime();
            // a reader polled without pause may count others' checks as its own (it answers for what was committed
            // before the last check, at most SYNC_MAX_NANOS old); the first call after a pause checks for itself, so
            // that its answer covers what was committed before the call
            final boolean polling = lastCallNanos != 0 && now - lastCallNanos <= IDLE_NANOS;
            lastCallNanos = now;
            EtcdRecord r;
            if (unreachableUntil != 0 && now - unreachableUntil < 0) {
                r = tailer.pollDelivered();
            } else {
                unreachableUntil = 0;
                if (polling) {
                    creditChecks();
                }
                // this handle's own writes are always read back: a cursor behind one of them waits for the watch to
                // deliver up to it (it committed, so the watch has it on the way) and lists only when the watch
                // stays silent for OWN_WAIT_NANOS (a stalled stream)
                final boolean behindOwn = tailer.position() < space.highestWrite();
                boolean sync = now - lastSyncNanos >= syncInterval || behindOwn;
                try {
                    r = null;
                    if (behindOwn && now - ownWaitAfter >= 0) {
                        r = tailer.awaitDelivered(OWN_WAIT_NANOS);
                        if (r == null) { // the watch lags: list for a while instead of waiting on it
                            ownWaitAfter = System.nanoTime() + OWN_WAIT_PAUSE_NANOS;
                        }
                    }
                    if (r == null) {
                        if (behindOwn || !sync || now - lastSyncNanos > IDLE_NANOS) {
                            // behind an own record, or the first call after a pause: the check is made now (as
                            // before); a null answer then also covers what was committed before this call
                            r = tailer.pollNow(sync);
                        } else {
                            // a reader that keeps polling: the check runs in the background and a later call takes
                            // its records, so no call waits for a list while the watch may be delivering
                            r = tailer.pollNow(false);
                            if (r == null) {
                                // one check for all of the handle's readers: one in flight from at or before our
                                // next index stands for ours; its answer is taken by creditChecks when it arrives
                                backgroundCheck(tailer.nextIndex());
                            }
                        }
                    }
                } catch (JournalTailer.Trimmed t) {
                    throw lost(t);
                } catch (EtcdFailure e) {
                    if (e.definite() && e.kind() == EtcdFailure.Kind.FAILED && e.getMessage().contains("journal of space")) {
                        lastIndex = tailer.position();
                        throw new CorruptSpaceException(location(), e.getMessage());
                    }
                    if (e.definite()) {
                        throw space.failure(e);
                    }
                    // the cluster cannot answer a linearizable read now (no quorum, no leader): answer from what the
                    // watch delivered, and ask again only after a pause, so that readers are not held up on every call
                    unreachableUntil = (now + UNREACHABLE_RETRY_NANOS) | 1;
                    r = tailer.pollDelivered();
                }
                if (r == null && sync) {
                    lastSyncNanos = now;
                    syncInterval = Math.min(SYNC_MAX_NANOS, Math.max(SYNC_MIN_NANOS, syncInterval * 2));
                }
                shareCheck();
            }
            if (r == null) {
                return null;
            }
            syncInterval = SYNC_MIN_NANOS;
            buffer.wrap(r.bytes);
            final String problem = flyweight.wrap(r.index, buffer, 0, r.bytes.length);
            lastIndex = r.index;
            records++;
            if (problem != null) {
                throw foreignRecord(r.index, problem);
            }
            return flyweight;
        }

        @Override
        public long records() {
            return records;
        }

        @Override
        public long lastIndex() {
            return lastIndex;
        }

        @Override
        public RecordCursor guardedByLock() {
            return this; // nothing here is bound to a thread: one lock around every use is enough
        }

        @Override
        public void close() {
            tailer.close();
        }
    }

    static long elapsedMillis(final long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
