package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.kv.Values;
import io.slate.spi.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The space's versioned key/value map on etcd, as the SPI's {@link KeyValueStore}: every write is one
 * {@link EtcdKeyValue} commit (compare the key's version, put the key's state and its journal record in one Txn),
 * settled exactly once across a member's death. Reads are linearizable (they go through the leader's read index).
 *
 * <p>A blind {@code put} commits against the version this handle last wrote the key at (absent for a key it never
 * wrote); a wrong guess is a conflict whose answer carries the current version, and the commit is tried again on it:
 * one request when the guess holds, two when another writer came in between. {@code update} and {@code increment}
 * are read-then-compare loops. Each attempt is a new commit with a fresh request id, so a conflict costs a retry,
 * never a lost or doubled write. A compare-and-set on a version first reads (linearizably) whether that version is
 * live: a Txn compares versions but cannot look inside a value, and a version has exactly one state.
 *
 * <p>Thread-safe.
 */
final class EtcdStore implements KeyValueStore {
    private final EtcdSpace space;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final EtcdKeyValue engine;
    private final ThreadLocal<long[]> lastWrite = ThreadLocal.withInitial(() -> new long[] {-1});

    EtcdStore(final EtcdSpace space, final EtcdConnection connection, final SpaceLayout layout, final EtcdKeyValue engine) {
        this.space = space;
        this.connection = connection;
        this.layout = layout;
        this.engine = engine;
    }

    static byte[] keyBytes(final CharSequence key, final int maxKeyBytes) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        final byte[] k = key.toString().getBytes(StandardCharsets.UTF_8);
        if (k.length == 0) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (k.length > maxKeyBytes) {
            throw new IllegalArgumentException("key '" + SpaceLayout.printable(k) + "' is " + k.length + " bytes, over the space's maxKeyBytes "
                    + maxKeyBytes);
        }
        return k;
    }

    private byte[] key(final CharSequence key) {
        return keyBytes(key, space.options().maxKeyBytes());
    }

    private byte[] value(final CharSequence key, final byte[] value, final int offset, final int length) {
        if (value == null) {
            throw new IllegalArgumentException("value of key '" + key + "' must not be null");
        }
        if (length > space.options().maxValueBytes()) {
            throw new IllegalArgumentException("value of key '" + key + "' is " + length + " bytes, over the space's maxValueBytes "
                    + space.options().maxValueBytes());
        }
        return offset == 0 && length == value.length ? value.clone() : java.util.Arrays.copyOfRange(value, offset, offset + length);
    }

    /** Versions this handle's blind puts last wrote, per key: the first guess of the next put (bounded, then cleared). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> lastSeen = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int LAST_SEEN_MAX = 10_000;

    private void seen(final String key, final long version) {
        if (lastSeen.size() >= LAST_SEEN_MAX) {
            lastSeen.clear();
        }
        lastSeen.put(key, version);
    }

    void lastWrite(final long index) {
        lastWrite.get()[0] = index;
        space.wrote(index);
    }

    /** {@link #lastWrite(long)} of a commit whose first attempt was sent at {@code sentNanos} ({@link EtcdSpace#wrote(long, long)}). */
    void lastWrite(final long index, final long sentNanos) {
        lastWrite.get()[0] = index;
        space.wrote(index, sentNanos);
    }

    // ---------------------------------------------------------------- reads

    private KeyValueEngine.Entry read(final byte[] k) {
        return read(k, KeyValueEngine.Consistency.STRONG);
    }

    /**
     * A read at {@code consistency}. The read-then-commit loops read their first attempt's state serializably (any
     * member, no quorum needed): the commit compares the version, so a stale read costs a conflict and a retry, which
     * reads linearizably; and without quorum the write itself then fails with its own error, not a read's.
     */
    private KeyValueEngine.Entry read(final byte[] k, final KeyValueEngine.Consistency consistency) {
        try {
            return engine.get(k, consistency, 0);
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    private KeyValueEngine.Entry readForAttempt(final byte[] k, final int attempt) {
        return read(k, attempt == 0 ? KeyValueEngine.Consistency.EVENTUAL : KeyValueEngine.Consistency.STRONG);
    }

    private static Entry entry(final String key, final KeyValueEngine.Entry e, final boolean includeRemoved) {
        if (e.version == 0 || (e.removed && !includeRemoved)) {
            return null;
        }
        return new Entry(key, e.removed ? new byte[0] : e.value, e.version, e.writer, e.timestampNanos, e.modRevision, e.removed);
    }

    @Override
    public Entry get(final CharSequence key) {
        space.ensureOpen();
        return entry(key.toString(), read(key(key)), false);
    }

    @Override
    public long get(final CharSequence key, final EntryBuffer into) {
        final Entry e = get(key);
        if (e == null) {
            return ABSENT;
        }
        final byte[] b = into.prepare(e.value().length, e.version(), e.timestampNanos(), e.journalIndex());
        System.arraycopy(e.value(), 0, b, 0, e.value().length);
        into.removed(false);
        final StringBuilder w = into.writerBuilder();
        w.setLength(0);
        w.append(e.writer());
        return e.version();
    }

    @Override
    public long version(final CharSequence key) {
        final Entry e = get(key);
        return e == null ? ABSENT : e.version();
    }

    @Override
    public Entry getIncludingRemoved(final CharSequence key) {
        space.ensureOpen();
        return entry(key.toString(), read(key(key)), true);
    }

    @Override
    public long size() {
        space.ensureOpen();
        try {
            return connection.get(layout.kvPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                    "size of the map of space '" + layout.space() + "'").getCount();
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    @Override
    public void forEach(final Consumer<Entry> visitor) {
        scan(visitor, false);
    }

    @Override
    public void forEachIncludingRemoved(final Consumer<Entry> visitor) {
        scan(visitor, true);
    }

    /** Every entry, a page at a time, all pages read at one revision (a consistent cut of the map). */
    private void scan(final Consumer<Entry> visitor, final boolean includeRemoved) {
        space.ensureOpen();
        final ByteSequence end = ByteSequence.from((SpaceLayout.ROOT + layout.space() + "/k0").getBytes(StandardCharsets.UTF_8));
        ByteSequence from = layout.kvPrefix();
        long revision = 0;
        while (true) {
            final ByteSequence start = from;
            final long at = revision;
            final GetResponse page;
            try {
                page = connection.get(start, GetOption.builder().withRange(end).withRevision(at).withLimit(500).build(),
                        "scan of the map of space '" + layout.space() + "'");
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            revision = page.getHeader().getRevision();
            for (io.etcd.jetcd.KeyValue kv : page.getKvs()) {
                final byte[] user = layout.userKey(kv.getKey());
                final String key = new String(user, StandardCharsets.UTF_8);
                final EtcdRecord state = EtcdRecord.decode(kv.getModRevision(), "state of key '" + SpaceLayout.printable(user) + "'",
                        kv.getValue().getBytes());
                if (!state.removed() || includeRemoved) {
                    visitor.accept(new Entry(key, state.removed() ? new byte[0] : state.value, kv.getVersion(), state.agent,
                            state.timestampNanos, kv.getModRevision(), state.removed()));
                }
            }
            if (!page.isMore() || page.getKvs().isEmpty()) {
                return;
            }
            final byte[] last = page.getKvs().get(page.getKvs().size() - 1).getKey().getBytes();
            final byte[] next = java.util.Arrays.copyOf(last, last.length + 1); // the smallest key after it
            from = ByteSequence.from(next);
        }
    }

    @Override
    public long lastWriteIndex() {
        return lastWrite.get()[0];
    }

    // ---------------------------------------------------------------- writes

    /** Commits and notes the index; CONFLICT as -1. */
    private long commit(final byte[] k, final long expected, final byte[] v) {
        try {
            return settled(engine.put(k, expected, v, engine.newRequestId()));
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    /** A commit's answer: its version, the index noted; CONFLICT when it was not applied. */
    private long settled(final KeyValueEngine.Commit c) {
        if (!c.applied()) {
            return CONFLICT;
        }
        lastWrite(c.index);
        return c.version;
    }

    @Override
    public long put(final CharSequence key, final byte[] value, final int offset, final int length) {
        space.checkWritable("write key '" + key + "'");
        final byte[] k = key(key);
        final byte[] v = value(key, value, offset, length);
        final String name = key.toString();
        // the version this handle last saw the key at, else absent: a wrong guess costs a conflict, whose answer
        // carries the current version (a tombstone's too: the put follows it), and the commit is tried again on it
        final Long known = lastSeen.get(name);
        long expected = known == null ? KeyValueEngine.ABSENT : known;
        while (true) {
            final KeyValueEngine.Commit c;
            final long sent = System.nanoTime();
            try {
                c = engine.put(k, expected, v, engine.newRequestId());
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            if (c.applied()) {
                lastWrite(c.index, sent);
                seen(name, c.version);
                return c.version;
            }
            expected = c.version;
        }
    }

    @Override
    public long putIfAbsent(final CharSequence key, final byte[] value, final int offset, final int length) {
        space.checkWritable("write key '" + key + "'");
        return commit(key(key), KeyValueEngine.ABSENT, value(key, value, offset, length));
    }

    @Override
    public long compareAndSet(final CharSequence key, final long expectedVersion, final byte[] value, final int offset, final int length) {
        space.checkWritable("write key '" + key + "'");
        final byte[] k = key(key);
        final byte[] v = value(key, value, offset, length);
        if (expectedVersion == ABSENT) {
            return commit(k, KeyValueEngine.ABSENT, v);
        }
        if (expectedVersion < 0) {
            return CONFLICT;
        }
        // one Txn: it compares the version and that the state at it is live (a removed key's version is not a live
        // version to compare against)
        try {
            return settled(engine.putIfLive(k, expectedVersion, v, engine.newRequestId()));
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    @Override
    public long remove(final CharSequence key) {
        space.checkWritable("remove key '" + key + "'");
        final byte[] k = key(key);
        while (true) {
            final KeyValueEngine.Entry now = read(k);
            if (now.version == 0 || now.removed) {
                return NOT_FOUND;
            }
            final long r = removeAt(k, now.version);
            if (r != CONFLICT && r != NOT_FOUND) {
                return r;
            }
            // another writer came in between: read again (a removal by it answers NOT_FOUND there)
        }
    }

    @Override
    public long removeIfVersion(final CharSequence key, final long expectedVersion) {
        space.checkWritable("remove key '" + key + "'");
        final byte[] k = key(key);
        if (expectedVersion <= 0) { // no live key has such a version: which answer it gets depends on the state
            final KeyValueEngine.Entry now = read(k);
            return now.version == 0 || now.removed ? NOT_FOUND : CONFLICT;
        }
        return removeAt(k, expectedVersion);
    }

    /** The removal in one Txn; a conflict's answer says whether the key is gone (NOT_FOUND) or at another version (CONFLICT). */
    private long removeAt(final byte[] k, final long version) {
        final KeyValueEngine.Commit c;
        try {
            c = engine.remove(k, version, engine.newRequestId());
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        if (!c.applied()) {
            return c.version == 0 || c.removed ? NOT_FOUND : CONFLICT;
        }
        lastWrite(c.index);
        return c.version;
    }

    @Override
    public Entry update(final CharSequence key, final UnaryOperator<byte[]> fn) {
        space.checkWritable("update key '" + key + "'");
        final byte[] k = key(key);
        final String name = key.toString();
        for (int attempt = 0; ; attempt++) {
            final KeyValueEngine.Entry now = readForAttempt(k, attempt);
            final byte[] current = now.version == 0 || now.removed ? null : now.value;
            final byte[] next = fn.apply(current == null ? null : current.clone());
            if (next == null) {
                throw new IllegalArgumentException("update of key '" + name + "': the function returned null");
            }
            final byte[] v = value(key, next, 0, next.length);
            final KeyValueEngine.Commit c;
            try {
                c = engine.put(k, now.version, v, engine.newRequestId());
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            if (c.applied()) {
                lastWrite(c.index);
                // the commit's answer has all the entry holds (no read of its record)
                return new Entry(name, v, c.version, engine.agentId(), c.timestampNanos, c.index, false);
            }
        }
    }

    @Override
    public long increment(final CharSequence key, final long delta) {
        space.checkWritable("increment key '" + key + "'");
        final byte[] k = key(key);
        for (int attempt = 0; ; attempt++) {
            final KeyValueEngine.Entry now = readForAttempt(k, attempt);
            final long current;
            if (now.version == 0 || now.removed) {
                current = 0;
            } else {
                try {
                    current = Values.parseCanonicalDecimal(key, now.value, 0, now.value.length);
                } catch (IllegalArgumentException e) {
                    if (attempt == 0) {
                        continue; // the first read may be a stale member's: refuse only what a linearizable read shows
                    }
                    throw new IllegalArgumentException("key '" + key + "' holds '" + SpaceLayout.printable(now.value)
                            + "', not a decimal long: cannot increment it");
                }
            }
            final long next;
            try {
                next = Math.addExact(current, delta);
            } catch (ArithmeticException e) {
                if (attempt == 0) {
                    continue; // likewise: an overflow of a stale value is no overflow of the key's
                }
                throw e;
            }
            final byte[] v = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
            final KeyValueEngine.Commit c;
            try {
                c = engine.put(k, now.version, v, engine.newRequestId());
            } catch (EtcdFailure e) {
                throw space.failure(e);
            }
            if (c.applied()) {
                lastWrite(c.index);
                return next;
            }
        }
    }

    /** How many keys a handle follows after waiting on them ({@link Followed}); past it, the oldest is dropped. */
    static final int FOLLOWED_MAX = 64;
    /** How long a wait trusts the watch alone before it reads the key again (a watch held by a frozen member). */
    private static final long REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The keys this handle waited on lately, followed on the handle's watch, in the order they were first followed. */
    private final java.util.concurrent.ConcurrentHashMap<String, Followed> followed = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<String> followOrder = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * A key's state as this handle knows it: the newest of a linearizable read and every later watch event of the key.
     * Subscribed before its read, so no change after the read is missed while the watch runs; a reset of the watch (or a
     * delete under the key: the space was deleted) makes it stale, and the next wait reads again. Its state is as of
     * the watch's delivery: a change committed and not delivered yet is not in it (a wait then waits for its event).
     * Thread-safe: the watch's thread offers events, waiting threads read {@link #known}.
     */
    private static final class Followed implements SpaceWatch.Waiter {
        private volatile Known known;
        private volatile boolean stale;
        /** When the key was last read or its event delivered ({@link System#nanoTime()}). */
        private volatile long freshNanos = System.nanoTime();
        private SpaceWatch.Subscription subscription;

        @Override
        public void event(final io.etcd.jetcd.watch.WatchEvent e) {
            if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT) {
                offer(new Known(e.getKeyValue()));
                freshNanos = System.nanoTime();
            } else {
                stale = true; // k/ keys are only ever put: a delete is the space's removal
            }
        }

        @Override
        public void reset() {
            stale = true;
        }

        synchronized void offer(final Known k) {
            final Known now = known;
            if (now == null || k.modRevision > now.modRevision) {
                known = k;
            }
        }

        void close() {
            stale = true;
            if (subscription != null) {
                subscription.close();
            }
        }
    }

    /** A key's state: from a read ({@code read}) or from a watch event ({@code kv}). Immutable. */
    private static final class Known {
        final long version;
        final long modRevision;
        final KeyValueEngine.Entry read;
        final io.etcd.jetcd.KeyValue kv;

        Known(final KeyValueEngine.Entry read) {
            this.version = read.version;
            this.modRevision = read.modRevision;
            this.read = read;
            this.kv = null;
        }

        Known(final io.etcd.jetcd.KeyValue kv) {
            this.version = kv.getVersion();
            this.modRevision = kv.getModRevision();
            this.read = null;
            this.kv = kv;
        }

        Entry entry(final String name) {
            if (read != null) {
                return EtcdStore.entry(name, read, true);
            }
            final EtcdRecord state = EtcdRecord.decode(kv.getModRevision(), "state of key '" + name + "'", kv.getValue().getBytes());
            return new Entry(name, state.removed() ? new byte[0] : state.value, kv.getVersion(), state.agent, state.timestampNanos,
                    kv.getModRevision(), state.removed());
        }
    }

    /**
     * Starts following {@code k}: subscribes, then reads it (linearizably). Kept for the next waits when fewer than
     * {@link #FOLLOWED_MAX} keys are followed (else the oldest is dropped first); a follower another thread published
     * meanwhile wins, and this one serves only the calling wait (which closes it when done).
     */
    private Followed follow(final String name, final byte[] k) {
        final Followed f = new Followed();
        try {
            f.subscription = space.watch().subscribe(layout.kvKey(k), false, f);
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        try {
            f.offer(new Known(read(k)));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        while (followed.size() >= FOLLOWED_MAX) {
            final String oldest = followOrder.poll();
            if (oldest == null) {
                break;
            }
            final Followed gone = followed.remove(oldest);
            if (gone != null) {
                gone.close();
            }
        }
        f.freshNanos = System.nanoTime();
        if (followed.putIfAbsent(name, f) == null) {
            followOrder.add(name);
        }
        return f;
    }

    /**
     * Waits until the key has a version above {@code afterVersion}. The handle follows a key it waited on (up to {@link
     * #FOLLOWED_MAX} keys) on its one watch ({@link SpaceWatch}): the first wait on a key subscribes and reads it, and
     * later waits answer from what the watch delivered since, with no request, as long as the watch did not fail. The
     * answer is a state with a version above {@code afterVersion}, never older than the caller's: a change committed
     * before the call and not delivered yet is waited for (its event is on the way). It reads again after a second
     * without news, in case the watch sits on a frozen member.
     */
    @Override
    public Entry awaitChange(final CharSequence key, final long afterVersion, final long timeout, final TimeUnit unit)
            throws InterruptedException {
        space.ensureOpen();
        final byte[] k = key(key);
        final String name = key.toString();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        // this call's wake-up: subscribed before it looks at the follower's state, so no event after that look is
        // missed (and the follower, subscribed earlier, has taken an event before this is told of it)
        final Semaphore changed = new Semaphore(0);
        final SpaceWatch.Subscription wake;
        try {
            wake = space.watch().subscribe(layout.kvKey(k), false, new SpaceWatch.Waiter() {
                @Override
                public void event(final io.etcd.jetcd.watch.WatchEvent e) {
                    changed.release();
                }

                @Override
                public void reset() {
                    changed.release();
                }
            });
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        Followed f = null;
        try {
            while (true) {
                if (f == null || f.stale) {
                    final Followed old = f != null ? f : followed.get(name);
                    if (old != null && old.stale && followed.remove(name, old)) {
                        followOrder.remove(name);
                        old.close();
                    }
                    f = old != null && !old.stale ? old : follow(name, k);
                }
                final Known now = f.known;
                if (now != null && now.version > afterVersion) {
                    return now.entry(name);
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                final long untilRead = REREAD_NANOS - (System.nanoTime() - f.freshNanos);
                if (untilRead <= 0) {
                    // a second without news of the key: read it again, in case the watch sits on a frozen member
                    f.offer(new Known(read(k)));
                    f.freshNanos = System.nanoTime();
                    continue;
                }
                changed.tryAcquire(Math.min(left, untilRead), TimeUnit.NANOSECONDS);
            }
        } finally {
            wake.close();
            if (f != null && followed.get(name) != f) {
                f.close(); // served this call only (another's was published, or it was dropped)
            }
        }
    }

    @Override
    public void applyReplayed(final JournalRecord record) {
        space.checkWritable("replay into the space");
        final byte[] k = key(record.key());
        final Op op = record.op();
        final byte[] v = record.removed() ? new byte[0] : record.valueCopy();
        final KeyValueEngine.Commit c;
        try {
            c = engine.replay(record.removed() || op == Op.REMOVE ? Op.REMOVE : Op.PUT, k, record.version(), v,
                    record.agent().toString(), record.timestampNanos(), engine.newRequestId());
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        if (!c.applied()) {
            throw new IllegalStateException("replay of key '" + record.key() + "' version " + record.version() + " into " + space.address()
                    + ": the key is at version " + c.version + ", not " + (record.version() - 1));
        }
        lastWrite(c.index);
    }
}
