package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import java.nio.charset.StandardCharsets;

/**
 * An agent's identity and liveness on etcd: a lease kept alive by the agent's client (jetcd sends a keep-alive
 * every third of the TTL). The agent is alive while its lease is; when its process dies, stops or loses the
 * cluster for longer than the TTL, the lease expires, etcd deletes every key attached to it (its {@code a/} entry,
 * its mutex queue keys) and everyone sees it dead. The lease id is the opaque agent reference.
 *
 * <p>TTL trade-off: a short TTL frees a dead agent's locks sooner; a long one survives longer pauses (GC, a
 * partition, a leader election — etcd extends every lease by its TTL when a new leader takes over) without
 * declaring a live agent dead. etcd's minimum is 1.5 × its election timeout (1.5 s with the defaults).
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class AgentLease implements AutoCloseable {
    /** Re-subscribes keep-alives after a stream error (a member died, no leader): daemon, shared by every lease. */
    private static final java.util.concurrent.ScheduledExecutorService RETRY = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            io.slate.internal.ServiceThreads.factory("slate-etcd-keepalive-retry"));
    private static final long RETRY_MILLIS = 250;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final long id;
    private final long ttlSeconds;
    private volatile CloseableClient keepAlive;
    private volatile boolean expired;
    private volatile boolean closed;

    private AgentLease(final EtcdConnection connection, final SpaceLayout layout, final long id, final long ttlSeconds) {
        this.connection = connection;
        this.layout = layout;
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        subscribe();
    }

    /**
     * Keeps the lease alive through jetcd, which sends a keep-alive every third of the TTL on one stream and, when the
     * stream fails (a member died, no leader), tells its observers ({@code onError}) and opens it again by itself: an
     * error is not an expiry (etcd cannot expire a lease without quorum, and a new leader extends every lease by its
     * TTL). When no answer came for a whole TTL, jetcd stops keeping the lease alive and says {@code onCompleted}:
     * then the keep-alive is subscribed again, so that a lease that is still granted stays alive once the cluster
     * answers. Only etcd answering that the lease is gone (no time left, or not found) marks it expired.
     */
    private void subscribe() {
        if (closed || expired) {
            return;
        }
        keepAlive = connection.client().getLeaseClient().keepAlive(id, new StreamObserver<LeaseKeepAliveResponse>() {
            @Override
            public void onNext(final LeaseKeepAliveResponse r) {
                if (r.getTTL() <= 0) {
                    expired = true;
                }
            }

            @Override
            public void onError(final Throwable t) {
                final String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (m.contains("lease not found")) {
                    expired = true;
                }
                // else: jetcd opens the stream again by itself and keeps this lease's keep-alive
            }

            @Override
            public void onCompleted() {
                if (!closed) { // jetcd gave up on this lease after a TTL without answers: ask again
                    RETRY.schedule(AgentLease.this::resubscribe, RETRY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    /** Subscribes again (jetcd dropped the previous subscription itself: closing it could drop the new one). */
    private void resubscribe() {
        try {
            subscribe();
        } catch (RuntimeException e) {
            if (!closed) {
                RETRY.schedule(this::resubscribe, RETRY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Grants a lease of {@code ttlSeconds}, keeps it alive and registers the agent under {@code a/<lease>}. */
    static AgentLease grant(final EtcdConnection connection, final SpaceLayout layout, final long ttlSeconds,
                            final String description) {
        final LeaseGrantResponse g = connection.read(() -> connection.client().getLeaseClient().grant(ttlSeconds),
                "lease for an agent of space '" + layout.space() + "'");
        final AgentLease lease = new AgentLease(connection, layout, g.getID(), ttlSeconds);
        final ByteSequence info = ByteSequence.from(description.getBytes(StandardCharsets.UTF_8));
        connection.read(() -> connection.kv().put(layout.agentKey(g.getID()), info,
                PutOption.builder().withLeaseId(g.getID()).build()), "registration of agent " + Long.toHexString(g.getID()));
        return lease;
    }

    /** The lease id: the agent's reference. */
    long id() {
        return id;
    }

    long ttlSeconds() {
        return ttlSeconds;
    }

    /** True once etcd answered that the lease is gone: this agent is dead to the others and must rejoin. */
    boolean expired() {
        return expired;
    }

    /** Whether the agent with lease {@code leaseId} is alive (its lease has time left), asked of the cluster. */
    static boolean isAlive(final EtcdConnection connection, final long leaseId) {
        final LeaseTimeToLiveResponse r = connection.read(() -> connection.client().getLeaseClient()
                .timeToLive(leaseId, LeaseOption.DEFAULT), "liveness of agent " + Long.toHexString(leaseId));
        return r.getTTL() > 0;
    }

    /** Stops the keep-alive and revokes the lease: the agent's keys go at once, as they would on expiry. */
    @Override
    public void close() {
        closed = true;
        keepAlive.close();
        try {
            connection.read(() -> connection.client().getLeaseClient().revoke(id), "revoke of agent " + Long.toHexString(id));
        } catch (EtcdFailure e) {
            if (!e.getMessage().contains("requested lease not found")) {
                throw e;
            }
        }
    }

    /** Stops the keep-alive without revoking: the lease expires after its TTL, as if the process had died. */
    void abandon() {
        closed = true;
        keepAlive.close();
    }
}
