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
import io.slate.space.SpaceException;
import io.slate.sync.AtomicCounter;
import io.slate.sync.Barrier;
import io.slate.sync.CountDownLatch;
import io.slate.sync.Holder;
import io.slate.sync.Journaling;
import io.slate.sync.Mutex;
import io.slate.sync.PrimitiveInfo;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The sync primitives of a space on etcd, built on keys, leases and revisions:
 * <ul>
 *   <li>each primitive's definition is {@code y/<name hex>} ("kind parameter journaling"), created by a Txn if absent;</li>
 *   <li>a <b>mutex</b> is {@link EtcdMutex} (etcd's own recipe: a queue of keys attached to the contenders' leases); its
 *       fencing token is the holder's create revision; its last token, last release and last recovery are kept in
 *       {@code y/<name>/meta}, written by the holder only;</li>
 *   <li>a <b>semaphore</b> keeps each holder's permits in {@code y/<name>/h/<lease hex>}, attached to the holder's lease
 *       (a dead holder's permits go back when its lease expires), and serializes acquisitions and releases on the
 *       mod revision of {@code y/<name>/state};</li>
 *   <li>a <b>counter</b>, a <b>latch</b> and a <b>barrier</b> are one text state key each, changed by compare-and-set
 *       on its mod revision.</li>
 * </ul>
 * Every change is exactly once across unknown outcomes: its Txn also puts a marker {@code y/<name>/r/<request id>}
 * attached to this agent's lease, and a retry whose comparison fails looks for its marker before it tries again.
 * Waiters watch the key they wait on, and re-read at least every second in case the watch sits on a frozen member.
 *
 * <p>Thread-safe; primitives are cached by name.
 */
final class EtcdSync implements Sync {
    private final EtcdSpace space;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final ConcurrentHashMap<String, Object> primitives = new ConcurrentHashMap<>();

    EtcdSync(final EtcdSpace space) {
        this.space = space;
        this.connection = space.connection();
        this.layout = space.layout();
    }

    static boolean exists(final EtcdSpace space) {
        try {
            return space.connection().get(space.layout().syncPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                    "sync primitives of space '" + space.layout().space() + "'").getCount() > 0;
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    // ---------------------------------------------------------------- definitions

    private static void checkName(final String name) {
        if (name == null) {
            throw new IllegalArgumentException("sync primitive name must not be null");
        }
        final int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n < 1 || n > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("sync primitive name '" + name + "' is " + n + " UTF-8 bytes; 1 to " + MAX_NAME_BYTES + " allowed");
        }
    }

    /**
     * The definition of {@code name}, created as {@code kind parameter} if absent; journaling as asked (null: as it is).
     * Returns the definition's text as it is now stored.
     */
    private String define(final String name, final PrimitiveInfo.Kind kind, final long parameter, final Journaling journaling) {
        checkName(name);
        space.ensureOpen();
        final ByteSequence key = layout.syncKey(name, "");
        final boolean on = journaling == Journaling.ON;
        final ByteSequence mine = text(kind.label() + " " + parameter + " " + (on ? "on" : "off"));
        try {
            final TxnResponse t = connection.read(() -> connection.kv().txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(Op.put(key, mine, PutOption.DEFAULT)).Else(Op.get(key, GetOption.DEFAULT)).commit(),
                    "definition of sync primitive '" + name + "'");
            if (t.isSucceeded()) {
                return mine.toString(StandardCharsets.UTF_8);
            }
            final String stored = t.getGetResponses().get(0).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
            final String[] f = stored.split(" ");
            if (!f[0].equals(kind.label())) {
                throw new IllegalArgumentException("sync primitive '" + name + "' in " + space.address() + " is a " + f[0] + ", not a " + kind.label());
            }
            if (Long.parseLong(f[1]) != parameter && kind != PrimitiveInfo.Kind.MUTEX && kind != PrimitiveInfo.Kind.COUNTER) {
                throw new IllegalArgumentException(kind.label() + " '" + name + "' in " + space.address() + " was created with " + f[1]
                        + ", not " + parameter);
            }
            if (journaling != null && "on".equals(f[2]) != on) {
                connection.read(() -> connection.kv().put(key, mine, PutOption.DEFAULT), "journaling of sync primitive '" + name + "'");
                return mine.toString(StandardCharsets.UTF_8);
            }
            return stored;
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    private boolean journaling(final String name) {
        final GetResponse r = get(layout.syncKey(name, ""), "definition of sync primitive '" + name + "'");
        return !r.getKvs().isEmpty() && r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).endsWith(" on");
    }

    private void journal(final String name, final io.slate.journal.Op op, final long version) {
        if (journaling(name)) {
            space.log().append(op, 0, version, name, new byte[0], 0, 0);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(final String name, final PrimitiveInfo.Kind kind, final java.util.function.Supplier<T> make) {
        final Object o = primitives.computeIfAbsent(kind.label() + "\n" + name, k -> make.get());
        return (T) o;
    }

    @Override
    public Mutex mutex(final String name) {
        return mutex(name, null);
    }

    @Override
    public Mutex mutex(final String name, final Journaling journaling) {
        define(name, PrimitiveInfo.Kind.MUTEX, 0, journaling);
        return cached(name, PrimitiveInfo.Kind.MUTEX, () -> new MutexImpl(name));
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
        define(name, PrimitiveInfo.Kind.SEMAPHORE, permits, journaling);
        return cached(name, PrimitiveInfo.Kind.SEMAPHORE, () -> new SemaphoreImpl(name, permits));
    }

    @Override
    public AtomicCounter counter(final String name) {
        return counter(name, null);
    }

    @Override
    public AtomicCounter counter(final String name, final Journaling journaling) {
        final String definition = define(name, PrimitiveInfo.Kind.COUNTER, 0, journaling);
        final CounterImpl counter = cached(name, PrimitiveInfo.Kind.COUNTER, () -> new CounterImpl(name));
        counter.definitionText = definition;
        return counter;
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
        define(name, PrimitiveInfo.Kind.LATCH, count, journaling);
        return cached(name, PrimitiveInfo.Kind.LATCH, () -> new LatchImpl(name, count));
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
        define(name, PrimitiveInfo.Kind.BARRIER, parties, journaling);
        return cached(name, PrimitiveInfo.Kind.BARRIER, () -> new BarrierImpl(name, parties));
    }

    @Override
    public List<PrimitiveInfo> primitives() {
        space.ensureOpen();
        final GetResponse r = get(layout.syncPrefix(), GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.ASCEND).build(), "sync primitives of space '" + layout.space() + "'");
        final List<PrimitiveInfo> out = new ArrayList<>();
        for (final KeyValue kv : r.getKvs()) {
            if (!layout.isSyncDefinition(kv.getKey())) {
                continue;
            }
            final String name = layout.syncName(kv.getKey());
            final String[] f = kv.getValue().toString(StandardCharsets.UTF_8).split(" ");
            final PrimitiveInfo.Kind kind = PrimitiveInfo.Kind.valueOf(f[0].toUpperCase(Locale.ROOT));
            final long parameter = Long.parseLong(f[1]);
            final boolean journaled = "on".equals(f[2]);
            switch (kind) {
                case MUTEX: {
                    final MutexImpl m = (MutexImpl) mutex(name);
                    final Holder h = m.owner();
                    out.add(new PrimitiveInfo(name, kind, 0, h == null ? 0 : 1, m.lastToken(), journaled, h == null ? List.of() : List.of(h)));
                    break;
                }
                case SEMAPHORE: {
                    final SemaphoreImpl s = (SemaphoreImpl) semaphore(name, (int) parameter);
                    out.add(new PrimitiveInfo(name, kind, parameter, s.availablePermits(), 0, journaled, s.holders()));
                    break;
                }
                case COUNTER:
                    out.add(new PrimitiveInfo(name, kind, 0, counter(name).get(), 0, journaled, List.of()));
                    break;
                case LATCH:
                    out.add(new PrimitiveInfo(name, kind, parameter, latch(name, (int) parameter).getCount(), 0, journaled, List.of()));
                    break;
                default: {
                    final Barrier b = barrier(name, (int) parameter);
                    out.add(new PrimitiveInfo(name, kind, parameter, b.arrived(), b.generation(), journaled, List.of()));
                    break;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the pieces every primitive uses

    private static ByteSequence text(final String s) {
        return ByteSequence.from(s.getBytes(StandardCharsets.UTF_8));
    }

    private GetResponse get(final ByteSequence key, final String what) {
        return get(key, GetOption.DEFAULT, what);
    }

    private GetResponse get(final ByteSequence key, final GetOption option, final String what) {
        try {
            return connection.get(key, option, what);
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    private long leaseId(final String what) {
        final AgentLease lease = space.lease();
        if (lease == null) {
            space.checkWritable(what);
        }
        if (lease.expired()) {
            throw new SpaceException(space.address(), what + ": this agent's lease " + Long.toHexString(lease.id())
                    + " expired (it was unreachable longer than its TTL), so the others see it dead; reopen the space", null);
        }
        return lease.id();
    }

    /** The outcome of {@link #change}: the state before and after (equal when the function changed nothing). */
    private static final class Change {
        final String before;
        final String after;
        final long revision;
        /** Whether the function asked for a change and it was committed. */
        final boolean applied;

        Change(final String before, final String after, final long revision, final boolean applied) {
            this.before = before;
            this.after = after;
            this.revision = revision;
            this.applied = applied;
        }
    }

    /**
     * Changes the text state under {@code key} (null when absent) to {@code fn(state)} by compare-and-set on its mod
     * revision, exactly once: the Txn also puts a marker of this request attached to the agent's lease, and a retry
     * whose comparison fails finds its marker when an earlier attempt applied. {@code fn} returning null changes nothing.
     * {@code extra} are further operations of the same Txn (given the new state).
     */
    private Change change(final String name, final ByteSequence key, final UnaryOperator<String> fn,
                          final java.util.function.Function<String, Op[]> extra, final String what) {
        return change(name, key, fn, extra, what, null, 0);
    }

    /**
     * {@link #change(String, ByteSequence, UnaryOperator, java.util.function.Function, String)}, and, when the primitive
     * is journaled, its journal record ({@code recordOp}, {@code recordVersion}) in the same Txn: the definition is read
     * with the state (one linearizable Txn), so a change and its record cost two requests, not four.
     */
    private Change change(final String name, final ByteSequence key, final UnaryOperator<String> fn,
                          final java.util.function.Function<String, Op[]> extra, final String what,
                          final io.slate.journal.Op recordOp, final long recordVersion) {
        final long lease = leaseId(what);
        final String requestId = space.engine().newRequestId();
        final ByteSequence marker = layout.syncKey(name, "r/" + requestId);
        final ByteSequence definition = layout.syncKey(name, "");
        final String recordId = recordOp == null ? null : space.engine().newRequestId();
        try {
            while (true) {
                final GetResponse cur;
                final boolean journaled;
                if (recordOp == null) {
                    cur = connection.get(key, GetOption.DEFAULT, what);
                    journaled = false;
                } else {
                    final TxnResponse both = connection.read(() -> connection.kv().txn()
                            .Then(Op.get(key, GetOption.DEFAULT), Op.get(definition, GetOption.DEFAULT)).commit(), what);
                    cur = both.getGetResponses().get(0);
                    final List<KeyValue> def = both.getGetResponses().get(1).getKvs();
                    journaled = !def.isEmpty() && def.get(0).getValue().toString(StandardCharsets.UTF_8).endsWith(" on");
                }
                final String before = cur.getKvs().isEmpty() ? null : cur.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
                final long mod = cur.getKvs().isEmpty() ? 0 : cur.getKvs().get(0).getModRevision();
                final String after = fn.apply(before);
                if (after == null) {
                    return new Change(before, before, cur.getHeader().getRevision(), false);
                }
                final List<Op> ops = new ArrayList<>();
                ops.add(Op.put(key, text(after), PutOption.DEFAULT));
                ops.add(Op.put(marker, text(after), PutOption.builder().withLeaseId(lease).build()));
                if (extra != null) {
                    ops.addAll(List.of(extra.apply(after)));
                }
                if (journaled) {
                    ops.add(space.engine().recordPut(recordOp, recordVersion, EtcdStore.keyBytes(name, space.options().maxKeyBytes()), recordId));
                }
                final Cmp cmp = mod == 0 ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)) : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(mod));
                final TxnResponse t = connection.read(() -> connection.kv().txn().If(cmp).Then(ops.toArray(new Op[0]))
                        .Else(Op.get(marker, GetOption.DEFAULT)).commit(), what);
                if (t.isSucceeded() || !t.getGetResponses().get(0).getKvs().isEmpty()) {
                    final long at = t.isSucceeded() ? t.getHeader().getRevision() : t.getGetResponses().get(0).getKvs().get(0).getModRevision();
                    connection.kv().delete(marker, DeleteOption.DEFAULT); // not waited for: it goes with the lease anyway
                    if (journaled) {
                        space.store().lastWrite(at); // the record's index: this handle's readers read up to it
                    }
                    return new Change(before, after, at, true);
                }
            }
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    /**
     * Waits until the key or prefix of {@code changes} changed after {@code revision}, at most {@code maxNanos} (and
     * 1 s: the caller reads again at least that often, in case the watch sits on a frozen member).
     */
    private static boolean awaitChange(final SpaceWatch.Changes changes, final long revision, final long maxNanos) {
        try {
            return changes.await(revision, Math.max(0, Math.min(maxNanos, TimeUnit.SECONDS.toNanos(1))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The changes of {@code key} (a prefix with {@code prefix}) through the space handle's one watch. */
    private SpaceWatch.Changes changes(final ByteSequence key, final boolean prefix) {
        try {
            return space.watch().changes(key, prefix);
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    private static long deadline(final long timeout, final TimeUnit unit) {
        final long n = unit.toNanos(timeout);
        return n >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : System.nanoTime() + n;
    }

    private static long left(final long deadline) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE / 4 : deadline - System.nanoTime();
    }

    private Holder holder(final long leaseId, final int permits) {
        final GetResponse a = get(layout.agentKey(leaseId), "agent " + Long.toHexString(leaseId));
        if (a.getKvs().isEmpty()) {
            return new Holder(Long.toHexString(leaseId), 0, 0, false, permits);
        }
        final String[] f = a.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).split("\n", -1);
        long pid = 0;
        try {
            pid = f.length > 1 ? Long.parseLong(f[1]) : 0;
        } catch (NumberFormatException ignored) {
            // not ours to judge: shown as 0
        }
        return new Holder(f[0], pid, 0, true, permits);
    }

    // ---------------------------------------------------------------- mutex

    /**
     * A mutex: the agent's place in {@link EtcdMutex}'s queue, plus a local permit so that threads of this agent
     * exclude each other (the queue key is the agent's, not the thread's).
     */
    private final class MutexImpl implements Mutex {
        private final String name;
        private final ByteSequence meta;
        private final ByteSequence definition;
        private final java.util.concurrent.Semaphore local = new java.util.concurrent.Semaphore(1);
        /** The meta key as this agent's current hold wrote it, and whether the mutex was journaled then. */
        private volatile long[] held;
        private volatile boolean journaled;
        /** The definition key's mod revision at the current hold's acquisition (0: not known): a handoff compares it. */
        private volatile long definitionRevision;
        private volatile EtcdMutex inner;
        private volatile Thread holderThread;
        private volatile long token;

        MutexImpl(final String name) {
            this.name = name;
            this.meta = layout.syncKey(name, "meta");
            this.definition = layout.syncKey(name, "");
        }

        private EtcdMutex inner() {
            EtcdMutex m = inner;
            if (m == null) {
                leaseId("lock mutex '" + name + "'");
                m = new EtcdMutex(connection, layout, name, space.lease(), space.watch(), meta);
                inner = m;
            }
            return m;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long lock() {
            boolean interrupted = false;
            try {
                while (true) {
                    final long t = tryLock(1, TimeUnit.HOURS);
                    if (t > 0) {
                        return t;
                    }
                    if (t == INTERRUPTED) {
                        interrupted |= Thread.interrupted();
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public long tryLock(final long timeout, final TimeUnit unit) {
            if (timeout < 0) {
                throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
            }
            space.ensureOpen();
            if (holderThread == Thread.currentThread()) {
                throw new IllegalStateException("mutex '" + name + "' is already held by this thread (not re-entrant)");
            }
            final long deadline = deadline(timeout, unit);
            try {
                if (!local.tryAcquire(Math.max(0, left(deadline)), TimeUnit.NANOSECONDS)) {
                    return TIMED_OUT;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return INTERRUPTED;
            }
            final long t;
            try {
                t = inner().lock(Math.max(0, TimeUnit.NANOSECONDS.toMillis(left(deadline))), meta, definition);
            } catch (EtcdFailure e) {
                local.release();
                if (e.kind() == EtcdFailure.Kind.TIMED_OUT) {
                    return Thread.currentThread().isInterrupted() ? INTERRUPTED : TIMED_OUT;
                }
                throw space.failure(e);
            } catch (RuntimeException e) {
                local.release();
                throw e;
            }
            try {
                acquired(t);
            } catch (RuntimeException e) {
                release(t);
                throw e;
            }
            holderThread = Thread.currentThread();
            token = t;
            return t;
        }

        /**
         * Records the acquisition in the meta key: its token, and whether the previous holder died holding the mutex;
         * with its journal record(s) in the same Txn when the mutex is journaled. The meta key and the definition were
         * read by the lock's last read, while this agent already held the mutex (only a holder writes the meta key).
         * When the previous holder handed the mutex over, its unlock recorded the acquisition already (the meta key's
         * text "token released recovered definitionRevision" says what it wrote): no request.
         */
        private void acquired(final long t) {
            final String handedText = inner().handedMeta();
            if (handedText != null) {
                final String[] f = handedText.split(" ");
                held = new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
                journaled = false; // a journaled mutex is never handed over (its records need their own commits)
                definitionRevision = f.length > 3 ? Long.parseLong(f[3]) : 0;
                return;
            }
            final List<GetResponse> read = inner().alsoRead();
            final long[] m = meta(read.get(0));
            final List<KeyValue> def = read.get(1).getKvs();
            journaled = !def.isEmpty() && def.get(0).getValue().toString(StandardCharsets.UTF_8).endsWith(" on");
            definitionRevision = def.isEmpty() ? 0 : def.get(0).getModRevision();
            final boolean recovered = m[0] > m[1];
            final long[] now = {t, m[1], recovered ? t : m[2]};
            held = now;
            final List<Op> ops = new ArrayList<>();
            ops.add(Op.put(meta, text(now[0] + " " + now[1] + " " + now[2]), PutOption.DEFAULT));
            if (journaled) {
                final byte[] k = EtcdStore.keyBytes(name, space.options().maxKeyBytes());
                // one record, as the shared-memory backend writes: a lock, or a lock taken over from a dead holder
                // (two records in this one Txn would share its revision, the journal index, and readers take one)
                ops.add(space.engine().recordPut(recovered ? io.slate.journal.Op.LOCK_RECOVERED : io.slate.journal.Op.LOCK, t, k,
                        space.engine().newRequestId()));
            }
            // applies once: it compares the meta key's revision as read while this agent held the mutex already (only
            // a holder writes it), so a retry after an applied attempt puts nothing (the records went with the first)
            final ByteSequence mine = layout.mutexKey(name, space.lease().id());
            final long metaRevision = read.get(0).getKvs().isEmpty() ? 0 : read.get(0).getKvs().get(0).getModRevision();
            try {
                final TxnResponse r = connection.read(() -> connection.kv().txn()
                        .If(new Cmp(mine, Cmp.Op.EQUAL, CmpTarget.createRevision(t)),
                                new Cmp(meta, Cmp.Op.EQUAL, CmpTarget.modRevision(metaRevision)))
                        .Then(ops.toArray(new Op[0])).commit(), "acquisition of mutex '" + name + "'");
                if (r.isSucceeded() && journaled) {
                    space.store().lastWrite(r.getHeader().getRevision());
                }
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
        }

        private long[] meta(final GetResponse r) {
            if (r.getKvs().isEmpty()) {
                return new long[3];
            }
            final String[] f = r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
        }

        /** {last token, last released token, last recovered token}. */
        private long[] meta() {
            return meta(get(meta, "state of mutex '" + name + "'"));
        }

        @Override
        public void unlock() {
            final long t = token;
            if (t == 0) {
                final Holder h = owner();
                throw new IllegalMonitorStateException("mutex '" + name + "' in " + space.address() + " is not held by this agent"
                        + (h == null ? " (it is free)" : " (held by " + h + ")"));
            }
            token = 0;
            holderThread = null;
            release(t);
        }

        /**
         * Deletes our queue key and records the release (and its journal record, when journaled), in one Txn that
         * applies only while we still hold it — so at most once, also across retries. The meta key is as this hold
         * wrote it: only a holder writes it.
         *
         * <p><b>Handoff.</b> When the space's watch told this holder of the contender queued next ({@link
         * EtcdMutex#successor()}) and the mutex is not journaled, the same Txn hands the mutex over: a nested Txn that,
         * if that contender's key still has the create revision seen (it did not give up, its lease did not expire)
         * and the definition is unchanged since this hold's acquisition (journaling was not switched on), writes the
         * meta key as the successor's acquisition ("its token, our token released, recovered as it was, the
         * definition's revision"); otherwise it writes our release as before, and the successor (if any) acquires by
         * itself. The successor holds the mutex at that revision — the lowest key of the queue, as ever — and learns
         * it from the meta key's watch event: one request per handoff, where it was the unlock, the waiter's read and
         * its acquisition Txn. A journaled mutex is not handed over: the release and the acquisition each write a
         * journal record, and one commit has one revision, which is one journal index — two records must not share it.
         */
        private void release(final long t) {
            final EtcdMutex inner = inner();
            final ByteSequence mine = layout.mutexKey(name, space.lease().id());
            try {
                final long[] m = held != null && held[0] == t ? held : meta();
                final ByteSequence after = text(m[0] + " " + t + " " + m[2]);
                final List<Op> ops = new ArrayList<>();
                ops.add(Op.delete(mine, DeleteOption.DEFAULT));
                final EtcdMutex.Successor next = journaled || definitionRevision == 0 ? null : inner.successor();
                if (journaled) {
                    ops.add(space.engine().recordPut(io.slate.journal.Op.UNLOCK, t, EtcdStore.keyBytes(name, space.options().maxKeyBytes()),
                            space.engine().newRequestId()));
                }
                if (next == null) {
                    ops.add(Op.put(meta, after, PutOption.DEFAULT));
                } else {
                    ops.add(Op.txn(new Cmp[] {new Cmp(next.key, Cmp.Op.EQUAL, CmpTarget.createRevision(next.createRevision)),
                                    new Cmp(definition, Cmp.Op.EQUAL, CmpTarget.modRevision(definitionRevision))},
                            new Op[] {Op.put(meta, text(next.createRevision + " " + t + " " + m[2] + " " + definitionRevision), PutOption.DEFAULT)},
                            new Op[] {Op.put(meta, after, PutOption.DEFAULT)}));
                }
                final TxnResponse r = connection.read(() -> connection.kv().txn()
                        .If(new Cmp(mine, Cmp.Op.EQUAL, CmpTarget.createRevision(t)))
                        .Then(ops.toArray(new Op[0])).commit(),
                        "unlock of mutex '" + name + "'");
                if (r.isSucceeded() && journaled) {
                    space.store().lastWrite(r.getHeader().getRevision());
                }
            } catch (EtcdFailure e) {
                throw space.failure(e);
            } finally {
                inner.released();
                local.release();
            }
        }

        @Override
        public boolean isHeldByCurrentAgent() {
            return token != 0;
        }

        @Override
        public Holder owner() {
            final GetResponse r = get(layout.mutexPrefix(name), GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.CREATE)
                    .withSortOrder(GetOption.SortOrder.ASCEND).withLimit(1).build(), "owner of mutex '" + name + "'");
            if (r.getKvs().isEmpty()) {
                return null;
            }
            return holder(r.getKvs().get(0).getLease(), 1);
        }

        /**
         * The meta key as this agent's hold wrote it (or the handoff that gave it the mutex), while it holds the mutex
         * and its lease is not known to have expired; else null. While an agent holds the mutex nobody else acquires it
         * (an acquisition needs the lowest key of the queue, and ours is) and only a holder writes the meta key, so
         * this is what a linearizable read would answer, without the read.
         */
        private long[] heldNow() {
            final long t = token;
            final long[] h = held;
            final AgentLease lease = space.lease();
            return t != 0 && h != null && h[0] == t && lease != null && !lease.expired() ? h : null;
        }

        @Override
        public long lastToken() {
            final long[] h = heldNow();
            if (h != null) {
                return h[0]; // our own acquisition is the latest while we hold the mutex
            }
            // the holder's key and the meta key in one read
            final TxnResponse t;
            try {
                t = connection.read(() -> connection.kv().txn().Then(Op.get(layout.mutexPrefix(name), GetOption.builder().isPrefix(true)
                        .withSortField(GetOption.SortTarget.CREATE).withSortOrder(GetOption.SortOrder.ASCEND).withLimit(1).build()),
                        Op.get(meta, GetOption.DEFAULT)).commit(), "owner of mutex '" + name + "'");
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            final List<KeyValue> holder = t.getGetResponses().get(0).getKvs();
            final long holding = holder.isEmpty() ? 0 : holder.get(0).getCreateRevision();
            return Math.max(holding, meta(t.getGetResponses().get(1))[0]);
        }

        @Override
        public long lastRecoveredToken() {
            final long[] h = heldNow();
            return h != null ? h[2] : meta()[2];
        }
    }

    // ---------------------------------------------------------------- semaphore

    private final class SemaphoreImpl implements Semaphore {
        private final String name;
        private final int permits;
        private final ByteSequence state;
        private final ByteSequence holders;
        private final Object lock = new Object();

        SemaphoreImpl(final String name, final int permits) {
            this.name = name;
            this.permits = permits;
            this.state = layout.syncKey(name, "state");
            this.holders = layout.syncPrefix(name, "h");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int permits() {
            return permits;
        }

        private ByteSequence mine() {
            return layout.syncKey(name, "h/" + Long.toHexString(space.lease().id()));
        }

        /** {permits held by all, permits held by this agent, revision read at}. */
        private long[] counts() {
            final GetResponse r = get(holders, GetOption.builder().isPrefix(true).build(), "holders of semaphore '" + name + "'");
            long all = 0;
            long me = 0;
            final long myLease = space.lease() == null ? -1 : space.lease().id();
            for (final KeyValue kv : r.getKvs()) {
                final long n = Long.parseLong(kv.getValue().toString(StandardCharsets.UTF_8).trim());
                all += n;
                if (kv.getLease() == myLease) {
                    me += n;
                }
            }
            return new long[] {all, me, r.getHeader().getRevision()};
        }

        @Override
        public void acquire() {
            acquire(1);
        }

        @Override
        public void acquire(final int n) {
            boolean interrupted = false;
            while (!tryAcquire(n, 1, TimeUnit.HOURS)) {
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean tryAcquire(final int n, final long timeout, final TimeUnit unit) {
            if (n < 1 || n > permits) {
                throw new IllegalArgumentException("semaphore '" + name + "' has " + permits + " permits: cannot acquire " + n);
            }
            if (timeout < 0) {
                throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
            }
            space.ensureOpen();
            final long deadline = deadline(timeout, unit);
            try (SpaceWatch.Changes changes = changes(holders, true)) {
                while (true) {
                    final long[] seenAt = new long[1];
                    final boolean got;
                    synchronized (lock) { // this agent's holder key is changed by one thread at a time
                        got = adjust(n, seenAt);
                    }
                    if (got) {
                        journal(name, io.slate.journal.Op.SEM_ACQUIRE, n);
                        return true;
                    }
                    final long left = left(deadline);
                    if (left <= 0 || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    awaitChange(changes, seenAt[0], left);
                }
            }
        }

        /**
         * Adds {@code delta} to this agent's permits (negative: releases), exactly once. Reads the holders and the state
         * key at one revision, then commits only if the state key is unchanged since: every acquisition and release
         * changes it, so no other one slipped in between (a holder whose lease expired only frees permits). False,
         * with the revision read in {@code seenAt[0]}, when too few permits are free.
         */
        private boolean adjust(final int delta, final long[] seenAt) {
            final String what = (delta > 0 ? "acquisition of " : "release of ") + Math.abs(delta) + " permit(s) of semaphore '" + name + "'";
            final long lease = leaseId(what);
            final ByteSequence mine = mine();
            final String requestId = space.engine().newRequestId();
            final ByteSequence marker = layout.syncKey(name, "r/" + requestId);
            try {
                while (true) {
                    final TxnResponse snap = connection.read(() -> connection.kv().txn().Then(Op.get(state, GetOption.DEFAULT),
                            Op.get(holders, GetOption.builder().isPrefix(true).build())).commit(), what);
                    final List<KeyValue> st = snap.getGetResponses().get(0).getKvs();
                    final long mod = st.isEmpty() ? 0 : st.get(0).getModRevision();
                    final long changes = st.isEmpty() ? 0 : Long.parseLong(st.get(0).getValue().toString(StandardCharsets.UTF_8).trim());
                    long all = 0;
                    long me = 0;
                    for (final KeyValue kv : snap.getGetResponses().get(1).getKvs()) {
                        final long k = Long.parseLong(kv.getValue().toString(StandardCharsets.UTF_8).trim());
                        all += k;
                        if (kv.getLease() == lease) {
                            me += k;
                        }
                    }
                    seenAt[0] = snap.getHeader().getRevision();
                    if (delta > 0 && permits - all < delta) {
                        return false;
                    }
                    if (delta < 0 && me < -delta) {
                        throw new IllegalMonitorStateException("semaphore '" + name + "' in " + space.address() + ": this agent holds " + me
                                + " permits, cannot release " + -delta);
                    }
                    final long to = me + delta;
                    final Cmp unchanged = mod == 0 ? new Cmp(state, Cmp.Op.EQUAL, CmpTarget.version(0))
                            : new Cmp(state, Cmp.Op.EQUAL, CmpTarget.modRevision(mod));
                    final Op holderOp = to == 0 ? Op.delete(mine, DeleteOption.DEFAULT)
                            : Op.put(mine, text(Long.toString(to)), PutOption.builder().withLeaseId(lease).build());
                    final TxnResponse t = connection.read(() -> connection.kv().txn().If(unchanged)
                            .Then(Op.put(state, text(Long.toString(changes + 1)), PutOption.DEFAULT), holderOp,
                                    Op.put(marker, ByteSequence.EMPTY, PutOption.builder().withLeaseId(lease).build()))
                            .Else(Op.get(marker, GetOption.DEFAULT)).commit(), what);
                    if (t.isSucceeded() || !t.getGetResponses().get(0).getKvs().isEmpty()) {
                        connection.kv().delete(marker, DeleteOption.DEFAULT); // not waited for: it goes with the lease anyway
                        return true;
                    }
                }
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
        }

        @Override
        public void release() {
            release(1);
        }

        @Override
        public void release(final int n) {
            if (n < 1) {
                throw new IllegalArgumentException("release of semaphore '" + name + "' needs n >= 1, got " + n);
            }
            space.ensureOpen();
            synchronized (lock) {
                adjust(-n, new long[1]);
            }
            journal(name, io.slate.journal.Op.SEM_RELEASE, n);
        }

        @Override
        public int availablePermits() {
            return (int) Math.max(0, permits - counts()[0]);
        }

        @Override
        public int heldByCurrentAgent() {
            return space.lease() == null ? 0 : (int) counts()[1];
        }

        @Override
        public List<Holder> holders() {
            final GetResponse r = get(holders, GetOption.builder().isPrefix(true).build(), "holders of semaphore '" + name + "'");
            final List<Holder> out = new ArrayList<>();
            for (final KeyValue kv : r.getKvs()) {
                out.add(holder(kv.getLease(), Integer.parseInt(kv.getValue().toString(StandardCharsets.UTF_8).trim())));
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- counter, latch, barrier

    private static final int SET = 1;
    private static final int NOT_SET = 0;
    private static final int UNSETTLED = -1;

    private final class CounterImpl implements AtomicCounter {
        private final String name;
        private final ByteSequence key;
        /** The definition's text as last seen ("counter 0 on"): a compare-and-set in one Txn compares against it. */
        private volatile String definitionText;

        CounterImpl(final String name) {
            this.name = name;
            this.key = layout.syncKey(name, "value");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long get() {
            final GetResponse r = EtcdSync.this.get(key, "counter '" + name + "'");
            return r.getKvs().isEmpty() ? 0 : Long.parseLong(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).trim());
        }

        @Override
        public long add(final long delta) {
            final Change c = change(name, key, s -> Long.toString((s == null ? 0 : Long.parseLong(s.trim())) + delta), null, "add to counter '" + name + "'",
                    io.slate.journal.Op.COUNTER_ADD, delta);
            return Long.parseLong(c.after.trim());
        }

        @Override
        public boolean compareAndSet(final long expected, final long value) {
            final String what = "compare-and-set of counter '" + name + "'";
            final String definitionNow = definitionText;
            if (definitionNow != null) {
                final int outcome = compareAndSetInOneTxn(definitionNow, expected, value, what);
                if (outcome != UNSETTLED) {
                    return outcome == SET;
                }
            }
            final Change c = change(name, key, s -> (s == null ? 0 : Long.parseLong(s.trim())) == expected ? Long.toString(value) : null, null,
                    what, io.slate.journal.Op.COUNTER_ADD, value - expected);
            return c.applied;
        }

        /**
         * The compare-and-set as one Txn, no read first: the state's text must be {@code expected}'s and the definition
         * the one last seen (so whether to journal is known: the record goes in the same Txn). Exactly once: the Txn
         * also requires its own journal record (journaled) or marker (not journaled) to be absent, and a retry of an
         * unknown outcome that finds it reports the earlier attempt's success. UNSETTLED when the answer cannot say
         * (the key is absent, its text is not the plain decimal, or the definition changed): the read-then-commit path
         * decides then.
         */
        private int compareAndSetInOneTxn(final String definitionNow, final long expected, final long value, final String what) {
            final long lease = leaseId(what);
            final boolean journaled = definitionNow.endsWith(" on");
            final String requestId = space.engine().newRequestId();
            final ByteSequence settle = journaled ? layout.journalKey(requestId) : layout.syncKey(name, "r/" + requestId);
            final ByteSequence definition = layout.syncKey(name, "");
            final ByteSequence after = text(Long.toString(value));
            final Op[] then = journaled
                    ? new Op[] {Op.put(key, after, PutOption.DEFAULT), space.engine().recordPut(io.slate.journal.Op.COUNTER_ADD, value - expected,
                            EtcdStore.keyBytes(name, space.options().maxKeyBytes()), requestId)}
                    : new Op[] {Op.put(key, after, PutOption.DEFAULT), Op.put(settle, after, PutOption.builder().withLeaseId(lease).build())};
            final TxnResponse t;
            try {
                t = connection.read(() -> connection.kv().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(text(Long.toString(expected)))),
                                new Cmp(definition, Cmp.Op.EQUAL, CmpTarget.value(text(definitionNow))),
                                new Cmp(settle, Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(then)
                        .Else(Op.get(settle, GetOption.DEFAULT), Op.get(key, GetOption.DEFAULT), Op.get(definition, GetOption.DEFAULT)).commit(), what);
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            final List<KeyValue> own = t.isSucceeded() ? List.of() : t.getGetResponses().get(0).getKvs();
            if (t.isSucceeded() || !own.isEmpty()) {
                final long at = t.isSucceeded() ? t.getHeader().getRevision() : own.get(0).getModRevision();
                if (journaled) {
                    space.store().lastWrite(at); // the record's index: this handle's readers read up to it
                } else {
                    connection.kv().delete(settle, DeleteOption.DEFAULT); // not waited for: it goes with the lease anyway
                }
                return SET;
            }
            final List<KeyValue> def = t.getGetResponses().get(2).getKvs();
            definitionText = def.isEmpty() ? null : def.get(0).getValue().toString(StandardCharsets.UTF_8);
            final List<KeyValue> state = t.getGetResponses().get(1).getKvs();
            if (state.isEmpty()) {
                return UNSETTLED;
            }
            final long now;
            try {
                now = Long.parseLong(state.get(0).getValue().toString(StandardCharsets.UTF_8).trim());
            } catch (NumberFormatException e) {
                return UNSETTLED;
            }
            // the state at the Txn's revision (a linearizable answer) holds another number: the compare-and-set fails there
            return now != expected ? NOT_SET : UNSETTLED;
        }
    }

    private final class LatchImpl implements CountDownLatch {
        private final String name;
        private final int initial;
        private final ByteSequence key;

        LatchImpl(final String name, final int initial) {
            this.name = name;
            this.initial = initial;
            this.key = layout.syncKey(name, "count");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int initialCount() {
            return initial;
        }

        private long count(final String s) {
            return s == null ? initial : Long.parseLong(s.trim());
        }

        @Override
        public void countDown() {
            final Change c = change(name, key, s -> count(s) > 0 ? Long.toString(count(s) - 1) : null, null, "count-down of latch '" + name + "'");
            if (c.applied) {
                journal(name, io.slate.journal.Op.LATCH_COUNT_DOWN, count(c.after));
            }
        }

        @Override
        public long getCount() {
            final GetResponse r = get(key, "latch '" + name + "'");
            return r.getKvs().isEmpty() ? initial : Long.parseLong(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).trim());
        }

        @Override
        public void await() {
            boolean interrupted = false;
            while (!await(1, TimeUnit.HOURS)) {
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean await(final long timeout, final TimeUnit unit) {
            final long deadline = deadline(timeout, unit);
            try (SpaceWatch.Changes changes = changes(key, false)) {
                while (true) {
                    final GetResponse r = get(key, "latch '" + name + "'");
                    final long c = r.getKvs().isEmpty() ? initial : Long.parseLong(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).trim());
                    if (c == 0) {
                        return true;
                    }
                    final long left = left(deadline);
                    if (left <= 0 || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    awaitChange(changes, r.getHeader().getRevision(), left);
                }
            }
        }
    }

    /** A barrier: the state "generation arrived", changed by compare-and-set; the last party to arrive trips it. */
    private final class BarrierImpl implements Barrier {
        private final String name;
        private final int parties;
        private final ByteSequence key;

        BarrierImpl(final String name, final int parties) {
            this.name = name;
            this.parties = parties;
            this.key = layout.syncKey(name, "state");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int parties() {
            return parties;
        }

        private long[] parse(final String s) {
            if (s == null) {
                return new long[2];
            }
            final String[] f = s.trim().split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        }

        @Override
        public int await() {
            boolean interrupted = false;
            try {
                while (true) {
                    final int r = await(1, TimeUnit.HOURS);
                    if (r >= 0) {
                        return r;
                    }
                    interrupted |= Thread.interrupted();
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public int await(final long timeout, final TimeUnit unit) {
            if (timeout <= 0) {
                throw new IllegalArgumentException("barrier '" + name + "': timeout must be > 0, got " + timeout);
            }
            final long deadline = deadline(timeout, unit);
            final Change arrived = change(name, key, s -> {
                final long[] g = parse(s);
                return g[1] + 1 >= parties ? (g[0] + 1) + " 0" : g[0] + " " + (g[1] + 1);
            }, null, "arrival at barrier '" + name + "'");
            final long[] before = parse(arrived.before);
            final int index = (int) (parties - 1 - before[1]);
            if (index == 0) {
                journal(name, io.slate.journal.Op.BARRIER_TRIP, before[0] + 1);
                return 0;
            }
            final long myGeneration = before[0];
            long revision = arrived.revision;
            try (SpaceWatch.Changes changes = changes(key, false)) {
                while (true) {
                    final GetResponse r = get(key, "barrier '" + name + "'");
                    final long[] now = parse(r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
                    if (now[0] != myGeneration) {
                        return index;
                    }
                    revision = r.getHeader().getRevision();
                    final long left = left(deadline);
                    if (left <= 0 || Thread.currentThread().isInterrupted()) {
                        final Change w = change(name, key, s -> {
                            final long[] g = parse(s);
                            return g[0] == myGeneration && g[1] > 0 ? g[0] + " " + (g[1] - 1) : null;
                        }, null, "withdrawal from barrier '" + name + "'");
                        if (parse(w.before)[0] != myGeneration) {
                            return index; // it tripped meanwhile: we passed
                        }
                        return Thread.currentThread().isInterrupted() ? INTERRUPTED : TIMED_OUT;
                    }
                    awaitChange(changes, revision, left);
                }
            }
        }

        @Override
        public long generation() {
            final GetResponse r = get(key, "barrier '" + name + "'");
            return parse(r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8))[0] & 0xFFFFFFFFL;
        }

        @Override
        public int arrived() {
            final GetResponse r = get(key, "barrier '" + name + "'");
            return (int) parse(r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8))[1];
        }
    }
}
