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
import io.etcd.jetcd.watch.WatchEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fenced mutex on etcd, the recipe of etcd's own {@code clientv3/concurrency.Mutex}: each contender puts
 * {@code m/<name>/<lease>} attached to its agent's lease (if not there yet); contenders queue by the keys' create
 * revisions; the lowest holds the mutex; each waiter waits until the key just before its own is deleted (told by the
 * space handle's one watch of the queue's prefix, so a wait opens no watch of its own) — by an unlock, or by etcd when
 * that holder's lease expired. The fencing token is the holder's create revision: unique and strictly increasing from
 * one holder to the next, so a resource that remembers the highest token it saw refuses a holder that lost the mutex
 * without knowing.
 *
 * <p><b>Handoff.</b> With a meta key (the sync layer's {@code y/<name>/meta}, written only by holders), the previous
 * holder may record the acquisition for its successor in its own unlock Txn ({@link EtcdSync}): a holder follows the
 * queue through the space's watch from before its own key was created to its unlock ({@link #successor()}: the first
 * key after its own), and its unlock Txn, guarded by the successor's key
 * still having the create revision it saw, writes the meta key with the successor's token. The successor learns it
 * from the watch (the meta key's event names its token) and holds the mutex without a request of its own ({@link
 * #handedMeta()}). A waiter that gives up leaves the queue in one Txn that either deletes its key or, when the meta key
 * already names its token, finds the mutex handed to it and keeps it: a handed mutex is never left with a waiter that
 * stopped waiting.
 *
 * <p>Thread safety: one thread uses an instance (one lock/unlock at a time); instances are per agent and name.
 */
final class EtcdMutex {
    /** The first key after the holder's in the queue, as the holder's watch saw it. */
    static final class Successor {
        final ByteSequence key;
        final long createRevision;

        Successor(final ByteSequence key, final long createRevision) {
            this.key = key;
            this.createRevision = createRevision;
        }
    }

    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final String name;
    private final AgentLease lease;
    private final ByteSequence prefix;
    private final ByteSequence myKey;
    private final SpaceWatch watch;
    /** The meta key a holder hands the mutex on with (null: no handoff, a waiter acquires by itself). */
    private final ByteSequence meta;
    private long token;
    private List<GetResponse> also = List.of();
    private String handed;
    /** The queue as the watch delivers it, from the lock's start to the unlock. */
    private Queue queue;

    EtcdMutex(final EtcdConnection connection, final SpaceLayout layout, final String name, final AgentLease lease, final SpaceWatch watch) {
        this(connection, layout, name, lease, watch, null);
    }

    EtcdMutex(final EtcdConnection connection, final SpaceLayout layout, final String name, final AgentLease lease, final SpaceWatch watch,
              final ByteSequence meta) {
        this.connection = connection;
        this.watch = watch;
        this.layout = layout;
        this.name = name;
        this.lease = lease;
        this.prefix = layout.mutexPrefix(name);
        this.myKey = layout.mutexKey(name, lease.id());
        this.meta = meta;
    }

    /**
     * Waits up to {@code timeoutMillis} for the mutex; returns the fencing token. On timeout the place in the queue
     * is given up and {@link EtcdFailure.Kind#TIMED_OUT} thrown (unless the mutex was handed to this agent before it
     * left the queue: then it is held and its token returned); when the agent's lease expired meanwhile, {@link
     * EtcdFailure.Kind#LEASE_EXPIRED}. {@code alsoRead} are keys read in the same linearizable Txn that finds the
     * mutex held by this agent, at the moment of acquisition ({@link #alsoRead()}): the caller's own state of the
     * mutex, without a request of its own. When the previous holder handed the mutex over ({@link #handedMeta()} not
     * null), nothing was read: the meta key's text is what the handoff wrote.
     *
     * <p>A mutex nobody else holds or waits for costs one request: the Txn that queues this agent's key also reads the
     * queue's two newest keys and the caller's keys. Waiting costs no request: the waiter is told by the space handle's
     * one watch ({@link SpaceWatch}) when a key before its own goes, and then reads the queue again (also at least
     * every second) — or, when the holder handed the mutex over, holds it with no request at all.
     */
    long lock(final long timeoutMillis, final ByteSequence... alsoRead) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        final String what = "lock of mutex '" + name + "' in space '" + layout.space() + "'";
        handed = null;
        also = List.of();
        closeQueue();
        final Queue q = new Queue();
        boolean held = false;
        try {
            // idempotent: the put happens only if our key is absent, otherwise we read it back. The put's Txn also
            // reads the two newest keys of the queue (ours is the newest: created by this Txn) and the caller's keys:
            // alone in the queue, the mutex is ours at once, one request; else the other key is the one to wait for
            final Op[] then = new Op[2 + alsoRead.length];
            then[0] = Op.put(myKey, ByteSequence.EMPTY, PutOption.builder().withLeaseId(lease.id()).build());
            then[1] = Op.get(prefix, GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.CREATE)
                    .withSortOrder(GetOption.SortOrder.DESCEND).withLimit(2).build());
            for (int i = 0; i < alsoRead.length; i++) {
                then[2 + i] = Op.get(alsoRead[i], GetOption.DEFAULT);
            }
            final TxnResponse t = connection.read(() -> connection.kv().txn()
                    .If(new Cmp(myKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(then)
                    .Else(Op.get(myKey, GetOption.DEFAULT)).commit(), what);
            final long myRevision = t.isSucceeded() ? t.getHeader().getRevision()
                    : t.getGetResponses().get(0).getKvs().get(0).getCreateRevision();
            // the queue is known from the watch only when it was followed from before our key was created (and no
            // reset of the watch came since: Queue.reset clears it for good)
            if (!t.isSucceeded()) {
                q.complete = false;
            }
            q.mine = myRevision;
            if (t.isSucceeded()) {
                final List<GetResponse> gets = t.getGetResponses();
                final List<KeyValue> newest = gets.get(0).getKvs();
                if (newest.size() == 1 && newest.get(0).getCreateRevision() == myRevision && newest.get(0).getKey().equals(myKey)) {
                    also = new ArrayList<>(gets.subList(1, gets.size()));
                    return acquired(q, myRevision);
                }
            }
            long seenAt = t.getHeader().getRevision();
            boolean wait = t.isSucceeded(); // a key queued before this call: read first
            while (true) {
                // wait for a key before ours to go (or the mutex to be handed to us), at most a second
                if (wait && awaitTurn(q, seenAt, deadline, what)) {
                    return acquired(q, myRevision);
                }
                wait = true;
                // one read: the newest contender queued before us, our own key (it may have gone with our lease
                // while we waited), the meta key (the holder may have handed the mutex to us) and the caller's keys
                final int extra = meta == null ? 0 : 1;
                final Op[] reads = new Op[2 + extra + alsoRead.length];
                reads[0] = Op.get(prefix, GetOption.builder().isPrefix(true)
                        .withMaxCreateRevision(myRevision - 1).withSortField(GetOption.SortTarget.CREATE)
                        .withSortOrder(GetOption.SortOrder.DESCEND).withLimit(1).build());
                reads[1] = Op.get(myKey, GetOption.DEFAULT);
                if (meta != null) {
                    reads[2] = Op.get(meta, GetOption.DEFAULT);
                }
                for (int i = 0; i < alsoRead.length; i++) {
                    reads[2 + extra + i] = Op.get(alsoRead[i], GetOption.DEFAULT);
                }
                final TxnResponse r = connection.read(() -> connection.kv().txn().Then(reads).commit(), what);
                final List<GetResponse> gets = r.getGetResponses();
                final List<KeyValue> mine = gets.get(1).getKvs();
                if (mine.isEmpty() || mine.get(0).getCreateRevision() != myRevision) {
                    throw new EtcdFailure(EtcdFailure.Kind.LEASE_EXPIRED, what + ": the agent's lease "
                            + Long.toHexString(lease.id()) + " expired while it waited", true);
                }
                if (gets.get(0).getKvs().isEmpty()) {
                    if (meta != null) {
                        final List<KeyValue> m = gets.get(2).getKvs();
                        final String text = m.isEmpty() ? null : m.get(0).getValue().toString(StandardCharsets.UTF_8);
                        if (namesToken(text, myRevision)) {
                            handed = text; // the previous holder recorded our acquisition in its unlock
                            return acquired(q, myRevision);
                        }
                    }
                    also = new ArrayList<>(gets.subList(2 + extra, gets.size()));
                    return acquired(q, myRevision);
                }
                seenAt = r.getHeader().getRevision();
            }
        } catch (EtcdFailure e) {
            if (e.kind() != EtcdFailure.Kind.LEASE_EXPIRED && q.mine != 0) {
                final long kept = giveUp(q.mine, what);
                if (kept != 0) {
                    return acquired(q, kept);
                }
            }
            throw e;
        } finally {
            if (queue != q) {
                q.close();
            }
        }
    }

    private long acquired(final Queue q, final long myRevision) {
        token = myRevision;
        queue = q;
        return myRevision;
    }

    /** Whether the meta key's text names {@code token} as the last acquisition's ("token released recovered ..."). */
    private static boolean namesToken(final String metaText, final long token) {
        return metaText != null && metaText.startsWith(token + " ");
    }

    /**
     * Waits until the watch tells of a key of the queue deleted after {@code seenAt} (false: read the queue again), of
     * the meta key naming our token (true: the previous holder handed the mutex over; {@link #handed} is set), of a
     * reset of the watch, or a second passed (false). Throws on the deadline.
     */
    private boolean awaitTurn(final Queue q, final long seenAt, final long deadline, final String what) {
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut(what);
        }
        try {
            // read again at least every second in case the watch stream sits on a frozen member
            final String text = q.await(seenAt, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            if (text != null) {
                handed = text;
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdFailure(EtcdFailure.Kind.TIMED_OUT, what + ": interrupted", true, e);
        }
        if (deadline - System.nanoTime() <= 0) {
            throw timedOut(what);
        }
        return false;
    }

    /** What the last {@link #lock} read of its {@code alsoRead} keys when it acquired the mutex, in their order. */
    List<GetResponse> alsoRead() {
        return also;
    }

    /**
     * The meta key's text as the previous holder wrote it when it handed the mutex to this agent in its unlock (the
     * acquisition is recorded), or null when the last {@link #lock} acquired it by itself.
     */
    String handedMeta() {
        return handed;
    }

    /**
     * The first contender queued after this holder, as the space's watch told of it, or null when there is none or
     * it is not known (the watch was reset since the lock began, or the lock reused a key queued before it). The watch may lag: a contender it has not delivered yet is not
     * named, and one it names may have gone since; the handoff's guard on the key's create revision covers that.
     */
    Successor successor() {
        final Queue q = queue;
        return q == null || meta == null ? null : q.successor();
    }

    private EtcdFailure timedOut(final String what) {
        return new EtcdFailure(EtcdFailure.Kind.TIMED_OUT, what + ": not acquired in time", true);
    }

    /**
     * Leaves the queue: one Txn that deletes our key, unless the meta key already names our token — then the holder
     * before us handed the mutex to us, and we keep it (returns the token; 0 when we left the queue).
     */
    private long giveUp(final long myRevision, final String what) {
        try {
            if (meta == null) {
                connection.read(() -> connection.kv().delete(myKey, DeleteOption.DEFAULT), "leave queue of mutex '" + name + "'");
                return 0;
            }
            // the meta key's text starts with "<token> " exactly when it sorts from "<token> " (excluded: no text is
            // that short) to "<token>!" (excluded): a longer number has a digit where these have ' ' or '!'
            final TxnResponse t = connection.read(() -> connection.kv().txn()
                    .If(new Cmp(meta, Cmp.Op.GREATER, CmpTarget.value(ascii(myRevision + " "))),
                            new Cmp(meta, Cmp.Op.LESS, CmpTarget.value(ascii(myRevision + "!"))),
                            new Cmp(myKey, Cmp.Op.EQUAL, CmpTarget.createRevision(myRevision)))
                    .Then(Op.get(meta, GetOption.DEFAULT))
                    .Else(Op.delete(myKey, DeleteOption.DEFAULT)).commit(), "leave queue of mutex '" + name + "'");
            if (t.isSucceeded()) {
                handed = t.getGetResponses().get(0).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
                return myRevision;
            }
        } catch (EtcdFailure ignored) {
            // the key goes with the lease anyway; a later lock of this agent finds it and goes on from it
        }
        return 0;
    }

    private static ByteSequence ascii(final String s) {
        return ByteSequence.from(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The fencing token of the current hold (0 before the first lock). */
    long token() {
        return token;
    }

    /**
     * The condition "this agent still holds the mutex with its token", to put into a Txn that must only apply while
     * it does (what a fenced write checks).
     */
    Cmp held() {
        return new Cmp(myKey, Cmp.Op.EQUAL, CmpTarget.createRevision(token));
    }

    /** Releases the mutex (deletes our queue key; idempotent). */
    void unlock() {
        try {
            connection.read(() -> connection.kv().delete(myKey, DeleteOption.DEFAULT), "unlock of mutex '" + name + "'");
        } finally {
            released();
        }
    }

    /** The hold ended (the caller deleted our key in a Txn of its own): stop following the queue. */
    void released() {
        token = 0;
        closeQueue();
    }

    private void closeQueue() {
        final Queue q = queue;
        queue = null;
        if (q != null) {
            q.close();
        }
    }

    /**
     * The queue and the meta key as the space's watch delivers them, from before this agent's key was created: the
     * keys and create revisions of the contenders, the last delete of a key before ours, the meta
     * key's last text. Told on jetcd's thread; read by the lock's or unlock's thread.
     */
    private final class Queue implements SpaceWatch.Waiter, AutoCloseable {
        private final java.util.concurrent.Semaphore signal = new java.util.concurrent.Semaphore(0);
        private final SpaceWatch.Subscription queueSubscription;
        private final SpaceWatch.Subscription metaSubscription;
        /** Contender keys the watch told of (created after the watch started), with create revision and value. */
        private final Map<ByteSequence, KeyValue> keys = new HashMap<>();
        /** Whether every key created after ours was told of: true from a lock that created our key, until a reset. */
        volatile boolean complete = true;
        /** Our key's create revision (0 until the queue Txn answered). */
        volatile long mine;
        private long lastDelete;
        private String metaText;
        private boolean reset;

        Queue() {
            // the meta key first: a handoff's response is told to this subscription before the queue's, so the waiter
            // woken by it sees the meta key name its token before it sees the holder's key gone
            metaSubscription = meta == null ? null : watch.subscribe(meta, false, this);
            try {
                queueSubscription = watch.subscribe(prefix, true, this);
            } catch (RuntimeException e) {
                if (metaSubscription != null) {
                    metaSubscription.close();
                }
                throw e;
            }
        }

        @Override
        public void event(final WatchEvent event) {
            final KeyValue kv = event.getKeyValue();
            synchronized (this) {
                if (meta != null && kv.getKey().equals(meta)) {
                    metaText = event.getEventType() == WatchEvent.EventType.PUT ? kv.getValue().toString(StandardCharsets.UTF_8) : null;
                } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                    final KeyValue gone = keys.remove(kv.getKey());
                    if (gone == null || mine == 0 || gone.getCreateRevision() < mine) { // a key after ours changes nothing for us
                        lastDelete = Math.max(lastDelete, kv.getModRevision());
                    }
                } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                    keys.put(kv.getKey(), kv);
                }
            }
        }

        @Override
        public void endOfResponse() {
            signal.release(); // the events of one revision come in one response: the waiter sees a handoff whole
        }

        @Override
        public void reset() {
            synchronized (this) {
                reset = true;
                complete = false; // creations may have been missed
            }
            signal.release();
        }

        /**
         * Waits at most {@code maxNanos} for a delete of a queue key after {@code revision} or a reset (returns null),
         * or for the meta key naming our token (returns its text).
         */
        String await(final long revision, final long maxNanos) throws InterruptedException {
            final long deadline = System.nanoTime() + maxNanos;
            while (true) {
                synchronized (this) {
                    if (namesToken(metaText, mine)) {
                        return metaText;
                    }
                    if (lastDelete > revision || reset) {
                        reset = false;
                        return null;
                    }
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !signal.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    return null;
                }
            }
        }

        synchronized Successor successor() {
            if (!complete) {
                return null;
            }
            KeyValue first = null;
            for (final KeyValue kv : keys.values()) {
                if (kv.getCreateRevision() > mine && !kv.getKey().equals(myKey)
                        && (first == null || kv.getCreateRevision() < first.getCreateRevision())) {
                    first = kv;
                }
            }
            return first == null ? null : new Successor(first.getKey(), first.getCreateRevision());
        }

        @Override
        public void close() {
            queueSubscription.close();
            if (metaSubscription != null) {
                metaSubscription.close();
            }
        }
    }
}
