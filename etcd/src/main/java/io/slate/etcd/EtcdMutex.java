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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fenced mutex on etcd, the recipe of etcd's own {@code clientv3/concurrency.Mutex}: each contender puts
 * {@code m/<name>/<lease>} attached to its agent's lease (if not there yet); contenders queue by the keys' create
 * revisions; the lowest holds the mutex; each waiter waits until the key just before its own is deleted (told by the
 * space handle's one watch of the queue's prefix, so a wait opens no watch of its own) — by an unlock, or by etcd when that holder's lease expired. The fencing token is the holder's create
 * revision: unique and strictly increasing from one holder to the next, so a resource that remembers the highest
 * token it saw refuses a holder that lost the mutex without knowing.
 *
 * <p>Thread safety: one thread uses an instance (one lock/unlock at a time); instances are per agent and name.
 */
final class EtcdMutex {
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final String name;
    private final AgentLease lease;
    private final ByteSequence prefix;
    private final ByteSequence myKey;
    private final SpaceWatch watch;
    private long token;
    private List<GetResponse> also = List.of();

    EtcdMutex(final EtcdConnection connection, final SpaceLayout layout, final String name, final AgentLease lease, final SpaceWatch watch) {
        this.connection = connection;
        this.watch = watch;
        this.layout = layout;
        this.name = name;
        this.lease = lease;
        this.prefix = layout.mutexPrefix(name);
        this.myKey = layout.mutexKey(name, lease.id());
    }

    /**
     * Waits up to {@code timeoutMillis} for the mutex; returns the fencing token. On timeout the place in the queue
     * is given up and {@link EtcdFailure.Kind#TIMED_OUT} thrown; when the agent's lease expired meanwhile, {@link
     * EtcdFailure.Kind#LEASE_EXPIRED}. {@code alsoRead} are keys read in the same linearizable Txn that finds the
     * mutex held by this agent, at the moment of acquisition ({@link #alsoRead()}): the caller's own state of the
     * mutex, without a request of its own.
     *
     * <p>A mutex nobody else holds or waits for costs one request: the Txn that queues this agent's key also reads the
     * queue's two newest keys and the caller's keys. Waiting costs no request: the waiter is told by the space handle's
     * one watch ({@link SpaceWatch}) when a key of the mutex's queue changes, and then reads the queue again (also at
     * least every second).
     */
    long lock(final long timeoutMillis, final ByteSequence... alsoRead) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        final String what = "lock of mutex '" + name + "' in space '" + layout.space() + "'";
        try (SpaceWatch.Changes changes = watch.changes(prefix, true)) {
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
            if (t.isSucceeded()) {
                final List<GetResponse> gets = t.getGetResponses();
                final List<KeyValue> newest = gets.get(0).getKvs();
                if (newest.size() == 1 && newest.get(0).getCreateRevision() == myRevision && newest.get(0).getKey().equals(myKey)) {
                    also = new ArrayList<>(gets.subList(1, gets.size()));
                    token = myRevision;
                    return myRevision;
                }
                try {
                    awaitChange(changes, t.getHeader().getRevision(), deadline, what); // another contender is before us
                } catch (EtcdFailure e) {
                    giveUp();
                    throw e;
                }
            }
            try {
                while (true) {
                    // one read: the newest contender queued before us, our own key (it may have gone with our lease
                    // while we waited) and the caller's keys
                    final Op[] reads = new Op[2 + alsoRead.length];
                    reads[0] = Op.get(prefix, GetOption.builder().isPrefix(true)
                            .withMaxCreateRevision(myRevision - 1).withSortField(GetOption.SortTarget.CREATE)
                            .withSortOrder(GetOption.SortOrder.DESCEND).withLimit(1).build());
                    reads[1] = Op.get(myKey, GetOption.DEFAULT);
                    for (int i = 0; i < alsoRead.length; i++) {
                        reads[2 + i] = Op.get(alsoRead[i], GetOption.DEFAULT);
                    }
                    final TxnResponse r = connection.read(() -> connection.kv().txn().Then(reads).commit(), what);
                    final List<GetResponse> gets = r.getGetResponses();
                    final List<KeyValue> mine = gets.get(1).getKvs();
                    if (mine.isEmpty() || mine.get(0).getCreateRevision() != myRevision) {
                        throw new EtcdFailure(EtcdFailure.Kind.LEASE_EXPIRED, what + ": the agent's lease "
                                + Long.toHexString(lease.id()) + " expired while it waited", true);
                    }
                    if (gets.get(0).getKvs().isEmpty()) {
                        also = new ArrayList<>(gets.subList(2, gets.size()));
                        break;
                    }
                    awaitChange(changes, r.getHeader().getRevision(), deadline, what);
                }
            } catch (EtcdFailure e) {
                if (e.kind() != EtcdFailure.Kind.LEASE_EXPIRED) {
                    giveUp();
                }
                throw e;
            }
            token = myRevision;
            return myRevision;
        }
    }

    /** What the last {@link #lock} read of its {@code alsoRead} keys when it acquired the mutex, in their order. */
    List<GetResponse> alsoRead() {
        return also;
    }

    private void awaitChange(final SpaceWatch.Changes changes, final long seenAt, final long deadline, final String what) {
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut(what);
        }
        try {
            // read again at least every second in case the watch stream sits on a frozen member
            changes.await(seenAt, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdFailure(EtcdFailure.Kind.TIMED_OUT, what + ": interrupted", true, e);
        }
        if (deadline - System.nanoTime() <= 0) {
            throw timedOut(what);
        }
    }

    private EtcdFailure timedOut(final String what) {
        return new EtcdFailure(EtcdFailure.Kind.TIMED_OUT, what + ": not acquired in time", true);
    }

    private void giveUp() {
        try {
            connection.read(() -> connection.kv().delete(myKey, DeleteOption.DEFAULT), "leave queue of mutex '" + name + "'");
        } catch (EtcdFailure ignored) {
            // the key goes with the lease anyway
        }
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
        connection.read(() -> connection.kv().delete(myKey, DeleteOption.DEFAULT), "unlock of mutex '" + name + "'");
        token = 0;
    }
}
