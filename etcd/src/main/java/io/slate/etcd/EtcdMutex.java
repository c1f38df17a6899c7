package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A fenced mutex on etcd, the recipe of etcd's own {@code clientv3/concurrency.Mutex}: each contender puts
 * {@code m/<name>/<lease>} attached to its agent's lease (if not there yet); contenders queue by the keys' create
 * revisions; the lowest holds the mutex; each waiter watches only the key just before its own (no herd) until it is
 * deleted — by an unlock, or by etcd when that holder's lease expired. The fencing token is the holder's create
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
    private long token;

    EtcdMutex(final EtcdConnection connection, final SpaceLayout layout, final String name, final AgentLease lease) {
        this.connection = connection;
        this.layout = layout;
        this.name = name;
        this.lease = lease;
        this.prefix = layout.mutexPrefix(name);
        this.myKey = layout.mutexKey(name, lease.id());
    }

    /**
     * Waits up to {@code timeoutMillis} for the mutex; returns the fencing token. On timeout the place in the queue
     * is given up and {@link EtcdFailure.Kind#TIMED_OUT} thrown; when the agent's lease expired meanwhile, {@link
     * EtcdFailure.Kind#LEASE_EXPIRED}.
     */
    long lock(final long timeoutMillis) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        final String what = "lock of mutex '" + name + "' in space '" + layout.space() + "'";
        // idempotent: the put happens only if our key is absent, otherwise we read it back
        final TxnResponse t = connection.read(() -> connection.kv().txn()
                .If(new Cmp(myKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(myKey, ByteSequence.EMPTY, PutOption.builder().withLeaseId(lease.id()).build()))
                .Else(Op.get(myKey, GetOption.DEFAULT)).commit(), what);
        final long myRevision = t.isSucceeded() ? t.getHeader().getRevision()
                : t.getGetResponses().get(0).getKvs().get(0).getCreateRevision();
        try {
            while (true) {
                // the newest contender queued before us
                final GetResponse before = connection.get(prefix, GetOption.builder().isPrefix(true)
                        .withMaxCreateRevision(myRevision - 1).withSortField(GetOption.SortTarget.CREATE)
                        .withSortOrder(GetOption.SortOrder.DESCEND).withLimit(1).build(), what);
                if (before.getKvs().isEmpty()) {
                    break;
                }
                awaitDelete(before.getKvs().get(0), before.getHeader().getRevision(), deadline, what);
            }
            // our key may have gone with our lease while we waited
            final GetResponse mine = connection.get(myKey, GetOption.DEFAULT, what);
            if (mine.getKvs().isEmpty() || mine.getKvs().get(0).getCreateRevision() != myRevision) {
                throw new EtcdFailure(EtcdFailure.Kind.LEASE_EXPIRED, what + ": the agent's lease "
                        + Long.toHexString(lease.id()) + " expired while it waited", true);
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

    private void awaitDelete(final KeyValue other, final long seenAt, final long deadline, final String what) {
        final CompletableFuture<Void> deleted = new CompletableFuture<>();
        final Watch.Watcher w = connection.client().getWatchClient().watch(other.getKey(),
                WatchOption.builder().withRevision(seenAt + 1).build(), new Watch.Listener() {
                    @Override
                    public void onNext(final io.etcd.jetcd.watch.WatchResponse r) {
                        for (final WatchEvent e : r.getEvents()) {
                            if (e.getEventType() == WatchEvent.EventType.DELETE) {
                                deleted.complete(null);
                            }
                        }
                    }

                    @Override
                    public void onError(final Throwable t) {
                        deleted.complete(null); // look again
                    }

                    @Override
                    public void onCompleted() {
                        deleted.complete(null);
                    }
                });
        try {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(what);
            }
            // re-check at least every second in case the watch stream sits on a frozen member
            deleted.get(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (deadline - System.nanoTime() <= 0) {
                throw timedOut(what);
            }
        } catch (ExecutionException e) {
            throw connection.translate(e.getCause(), what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdFailure(EtcdFailure.Kind.TIMED_OUT, what + ": interrupted", true, e);
        } finally {
            w.close();
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
