package io.slate.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.slate.agent.AgentInfo;
import io.slate.engine.journal.LogJournal;
import io.slate.journal.Journal;
import io.slate.space.NotASpaceException;
import io.slate.space.ReadOnlySpaceException;
import io.slate.space.SpaceException;
import io.slate.space.SpaceFullException;
import io.slate.space.SpaceOptions;
import io.slate.space.SpaceStats;
import io.slate.spi.AgentRef;
import io.slate.spi.BackendSpace;
import io.slate.sync.Sync;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A space on an etcd cluster, as the SPI's {@link BackendSpace}: the engine pieces of this module under the
 * backend-neutral feature engines of core (journal tailers, replay and verify, tuple spaces, blackboards, consistency
 * views), exactly as the shared-memory backend wires its own. See {@code docs/multi-host.md}.
 *
 * <p>Opening grants this agent a lease (TTL {@code slate.etcd.leaseTtlSeconds}, default
 * {@value #DEFAULT_LEASE_TTL_SECONDS} s), kept alive by jetcd and registered under {@code a/}; the lease id is the
 * agent's {@link AgentRef} ({@code slot 0, id = lease, incarnation 0}). When the process dies the lease expires and
 * its mutexes, permits and unacknowledged takes go back. An observer takes no lease and writes nothing.
 *
 * <p>Thread-safe.
 */
public final class EtcdSpace implements BackendSpace {
    static final long DEFAULT_LEASE_TTL_SECONDS = 5;
    /** How long a "live" answer about another agent is trusted; a "dead" one is final (leases never come back). */
    private static final long LIVE_ANSWER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final SpaceOptions options;
    private final EtcdAddress address;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final AgentLease lease;
    private final AgentRef self;
    private final EtcdKeyValue engine;
    private final EtcdStore store;
    private final EtcdLog log;
    private final LogJournal journal;
    private final EtcdSnapshots snapshots;
    private final SpaceWatch watch;
    private final ConcurrentHashMap<Long, Long> liveUntil = new ConcurrentHashMap<>();
    private final java.util.Set<Long> dead = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    private final EtcdRetention retention;
    private volatile EtcdSync sync;
    /** The highest journal index any write of this handle committed at: its cursors read at least that far. */
    private final java.util.concurrent.atomic.AtomicLong highestWrite = new java.util.concurrent.atomic.AtomicLong(-1);
    private final java.util.concurrent.atomic.AtomicReference<long[]> ownCheck = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closed;

    private EtcdSpace(final SpaceOptions options, final EtcdAddress address, final EtcdConnection connection, final AgentLease lease) {
        this.options = options;
        this.address = address;
        this.connection = connection;
        this.layout = new SpaceLayout(address.spaceName());
        this.lease = lease;
        this.self = new AgentRef(0, lease == null ? 0 : lease.id(), 0);
        this.engine = new EtcdKeyValue(connection, layout, options.agentId());
        this.watch = new SpaceWatch(connection, layout);
        this.store = new EtcdStore(this, connection, layout, engine);
        this.log = new EtcdLog(this, connection, layout, engine);
        this.journal = new LogJournal(this);
        this.snapshots = new EtcdSnapshots(this, connection, layout);
        // an observer changes nothing, and an agent that opted out of housekeeping leaves it to others
        this.retention = lease == null || !options.housekeeping() ? null : new EtcdRetention(this, connection, layout);
        if (retention != null) {
            retention.start();
        }
    }

    /** Connection options: the environment's credentials, timeouts from system properties when set. */
    static EtcdConnection.Options connectionOptions() {
        final EtcdConnection.Options o = EtcdConnection.Options.fromEnvironment();
        o.requestTimeoutMillis(Long.getLong("slate.etcd.requestTimeoutMillis", o.requestTimeoutMillis));
        o.connectTimeoutMillis(Long.getLong("slate.etcd.connectTimeoutMillis", o.connectTimeoutMillis));
        o.operationTimeoutMillis(Long.getLong("slate.etcd.operationTimeoutMillis", o.operationTimeoutMillis));
        o.maxRequestBytes(Integer.getInteger("slate.etcd.maxRequestBytes", o.maxRequestBytes));
        return o;
    }

    static long leaseTtlSeconds() {
        final long ttl = Long.getLong("slate.etcd.leaseTtlSeconds", DEFAULT_LEASE_TTL_SECONDS);
        if (ttl < 1) {
            throw new IllegalArgumentException("slate.etcd.leaseTtlSeconds must be at least 1, got " + ttl);
        }
        return ttl;
    }

    /** Opens the space at {@code options.address()}: connects, and (as an agent) takes a lease and registers. */
    static EtcdSpace open(final SpaceOptions options) {
        final EtcdAddress address = EtcdBackend.address(options);
        final EtcdConnection connection = EtcdBackend.connect(address);
        try {
            final SpaceLayout layout = new SpaceLayout(address.spaceName());
            final long pid = ProcessHandle.current().pid();
            if (options.observer()) {
                if (!EtcdBackend.exists(connection, layout)) {
                    throw new NotASpaceException(Path.of(address.toString()), "no Slate space at this address (no key under "
                            + SpaceLayout.ROOT + address.spaceName() + "/); an observer creates nothing");
                }
                return new EtcdSpace(options.copy().agentId("observer-" + pid), address, connection, null);
            }
            final String id = options.agentId() != null ? options.agentId()
                    : "agent-" + pid + "-" + Long.toHexString(new java.security.SecureRandom().nextInt() & 0xFFFFFFFFL);
            final int idBytes = id.getBytes(StandardCharsets.UTF_8).length;
            if (idBytes < 1 || idBytes > SpaceOptions.MAX_AGENT_ID_BYTES) {
                throw new IllegalArgumentException("agent id '" + id + "' is " + idBytes + " UTF-8 bytes; 1 to " + SpaceOptions.MAX_AGENT_ID_BYTES
                        + " allowed");
            }
            markCreated(connection, layout);
            final String description = id + "\n" + pid + "\n" + host() + "\n" + System.currentTimeMillis();
            final AgentLease lease = AgentLease.grant(connection, layout, leaseTtlSeconds(), description);
            try {
                claimId(connection, layout, id, lease.id(), address);
            } catch (RuntimeException e) {
                lease.close();
                throw e;
            }
            return new EtcdSpace(options.copy().agentId(id), address, connection, lease);
        } catch (EtcdFailure e) {
            connection.close();
            throw new SpaceException(address.toString(), e.getMessage(), e);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Writes the space's marker {@code /slate/S/space} once (so an empty space exists) and its retention budget
     * {@code r/budget} ({@code slate.etcd.retainRecords} of the agent that creates it); idempotent.
     */
    private static void markCreated(final EtcdConnection connection, final SpaceLayout layout) {
        final io.etcd.jetcd.ByteSequence marker = layout.markerKey();
        final io.etcd.jetcd.ByteSequence info = io.etcd.jetcd.ByteSequence.from(("slate space, format 1, created "
                + java.time.Instant.now()).getBytes(StandardCharsets.UTF_8));
        connection.read(() -> connection.kv().txn().If(new Cmp(marker, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(marker, info, PutOption.DEFAULT)).commit(), "creation of space '" + layout.space() + "'");
        final io.etcd.jetcd.ByteSequence budget = layout.budgetKey();
        final io.etcd.jetcd.ByteSequence records = EtcdRetention.digits(EtcdRetention.configuredBudget());
        connection.read(() -> connection.kv().txn().If(new Cmp(budget, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(budget, records, PutOption.DEFAULT)).commit(), "retention budget of space '" + layout.space() + "'");
    }

    /** Claims {@code id} for the agent with this lease; refuses one a live agent has (it goes with that agent's lease). */
    private static void claimId(final EtcdConnection connection, final SpaceLayout layout, final String id, final long lease,
                                final EtcdAddress address) {
        final io.etcd.jetcd.ByteSequence key = layout.agentNameKey(id);
        final io.etcd.jetcd.ByteSequence mine = io.etcd.jetcd.ByteSequence.from(Long.toHexString(lease).getBytes(StandardCharsets.UTF_8));
        final io.etcd.jetcd.kv.TxnResponse t = connection.read(() -> connection.kv().txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, mine, PutOption.builder().withLeaseId(lease).build())).Else(Op.get(key, GetOption.DEFAULT)).commit(),
                "claim of agent id '" + id + "'");
        if (!t.isSucceeded() && !t.getGetResponses().get(0).getKvs().get(0).getValue().equals(mine)) {
            throw new IllegalStateException(address + ": agent id '" + id + "' is in use by a live agent (lease "
                    + t.getGetResponses().get(0).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8) + "); choose another id, or wait"
                    + " until that agent closes or its lease expires");
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- for the pieces of this backend

    EtcdConnection connection() {
        return connection;
    }

    SpaceLayout layout() {
        return layout;
    }

    AgentLease lease() {
        return lease;
    }

    EtcdKeyValue engine() {
        return engine;
    }

    /** The handle's one watch on its key/value and sync keys, which every waiter of this handle shares. */
    SpaceWatch watch() {
        return watch;
    }

    /** This handle's retention duty (null for an observer). */
    EtcdRetention retention() {
        return retention;
    }

    /** The journal's budget in records as the space was created with it (0: every record is kept). */
    public long retainRecords() {
        ensureOpen();
        try {
            return EtcdRetention.budget(connection, layout);
        } catch (EtcdFailure e) {
            throw failure(e);
        }
    }

    /** The index through which retention removed the journal's records (0: it never removed one). */
    public long trimmedThrough() {
        ensureOpen();
        try {
            return EtcdRetention.trimmedThrough(connection, layout);
        } catch (EtcdFailure e) {
            throw failure(e);
        }
    }

    /** Whether this handle holds the space's snapshot and retention duty now. */
    public boolean holdsRetentionDuty() {
        return retention != null && retention.held();
    }

    /** Journal records this handle's retention duty deleted so far. */
    public long recordsTrimmed() {
        return retention == null ? 0 : retention.recordsTrimmed();
    }

    /** Why this handle's last retention pass could not finish, or null. */
    public String retentionProblem() {
        return retention == null ? null : retention.problem();
    }

    /** Notes a commit of this handle (any thread) at {@code index}. */
    void wrote(final long index) {
        highestWrite.accumulateAndGet(index, Math::max);
    }

    /**
     * Notes a commit of this handle at {@code index} whose first attempt was sent at {@code sentNanos} ({@link
     * System#nanoTime()}): every commit of anyone that was answered before then has a lower index. So a journal
     * reader of this handle that has read up to {@code index} has read everything committed before {@code sentNanos},
     * as if it had made a linearizable check then ({@link #ownCheck}).
     */
    void wrote(final long index, final long sentNanos) {
        wrote(index);
        while (true) {
            final long[] now = ownCheck.get();
            if (now != null && sentNanos - now[1] <= 0) {
                return;
            }
            if (ownCheck.compareAndSet(now, new long[] {index, sentNanos})) {
                return;
            }
        }
    }

    /** The latest commit of this handle noted with its send time: {index, sentNanos}; null before the first. */
    long[] ownCheck() {
        return ownCheck.get();
    }

    /** The highest index this handle committed at, or -1. */
    long highestWrite() {
        return highestWrite.get();
    }

    /** An engine failure as the API's exception: one line naming the address and the problem. */
    RuntimeException failure(final EtcdFailure e) {
        switch (e.kind()) {
            case TOO_LARGE:
                return new IllegalArgumentException(e.getMessage(), e);
            case QUOTA:
                return new SpaceFullException(address.toString(), e.getMessage(), e);
            default:
                return new SpaceException(address.toString(), e.getMessage(), e);
        }
    }

    /** Refuses a write through an observer. */
    void checkWritable(final String what) {
        ensureOpen();
        if (lease == null) {
            throw new ReadOnlySpaceException(address.toString(), "opened as an observer, which changes nothing: cannot " + what
                    + " (open the space as an agent to write)");
        }
    }

    // ---------------------------------------------------------------- BackendSpace

    @Override
    public EtcdLog log() {
        return log;
    }

    @Override
    public EtcdStore store() {
        return store;
    }

    @Override
    public EtcdSnapshots snapshots() {
        return snapshots;
    }

    @Override
    public AgentRef self() {
        return self;
    }

    /**
     * Whether the agent with lease {@code id} is alive: its lease has time left. A dead answer is final; a live
     * answer is trusted for 200 ms, so a reader waiting on a taken tuple asks the cluster a
     * few times a second, not on every poll. The slot and incarnation are 0 on this backend.
     */
    @Override
    public boolean isLive(final int slot, final long id, final long incarnation) {
        if (lease != null && id == lease.id()) {
            return !lease.expired() && !closed;
        }
        if (dead.contains(id)) {
            return false;
        }
        final long now = System.nanoTime();
        final Long until = liveUntil.get(id);
        if (until != null && until - now > 0) {
            return true;
        }
        final boolean alive;
        try {
            alive = AgentLease.isAlive(connection, id);
        } catch (EtcdFailure e) {
            if (e.getMessage().contains("lease not found")) {
                dead.add(id);
                liveUntil.remove(id);
                return false;
            }
            return true; // cannot tell now (no quorum): a live agent is never declared dead on a guess
        }
        if (alive) {
            liveUntil.put(id, now + LIVE_ANSWER_NANOS);
        } else {
            dead.add(id);
            liveUntil.remove(id);
        }
        return alive;
    }

    @Override
    public Sync sync() {
        ensureOpen();
        EtcdSync s = sync;
        if (s == null) {
            synchronized (this) {
                s = sync;
                if (s == null) {
                    s = new EtcdSync(this);
                    sync = s;
                }
            }
        }
        return s;
    }

    @Override
    public boolean syncExists() {
        ensureOpen();
        return EtcdSync.exists(this);
    }

    @Override
    public void register(final AutoCloseable resource) {
        closeables.add(resource);
    }

    @Override
    public void unregister(final AutoCloseable resource) {
        closeables.remove(resource);
    }

    @Override
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("space " + address + " is closed");
        }
    }

    // ---------------------------------------------------------------- Space

    @Override
    public Path directory() {
        return null;
    }

    @Override
    public String address() {
        return options.address();
    }

    @Override
    public SpaceOptions options() {
        return options;
    }

    @Override
    public String agentId() {
        return options.agentId();
    }

    @Override
    public io.slate.kv.KeyValue kv() {
        return store;
    }

    @Override
    public Journal journal() {
        return journal;
    }

    /** The agents whose leases are alive (etcd forgets an agent when its lease ends: closed and dead agents are not listed). */
    @Override
    public List<AgentInfo> agents() {
        ensureOpen();
        final GetResponse r;
        try {
            r = connection.get(layout.agentPrefix(), GetOption.builder().isPrefix(true).build(), "agents of space '" + layout.space() + "'");
        } catch (EtcdFailure e) {
            throw failure(e);
        }
        final List<AgentInfo> agents = new ArrayList<>();
        for (final KeyValue kv : r.getKvs()) {
            final String[] f = kv.getValue().toString(StandardCharsets.UTF_8).split("\n", -1);
            final long pid = f.length > 1 ? parseLong(f[1]) : 0;
            final long millis = f.length > 3 ? parseLong(f[3]) : 0;
            agents.add(new AgentInfo(0, f[0], pid, kv.getLease(), millis, AgentInfo.State.ALIVE));
        }
        return agents;
    }

    private static long parseLong(final String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Entries, journal records and indices, live agents, snapshots. Byte sizes are not measured on etcd (0). */
    @Override
    public SpaceStats stats() {
        ensureOpen();
        final int alive = agents().size();
        return new SpaceStats(store.size(), options.maxEntries(), log.count(), log.firstIndex(), log.lastIndex(), 0, 0, alive, alive,
                1, 0, log.complete(), snapshots.bytes(), snapshots.views().size());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (retention != null) {
            retention.close(); // before the resources its duty reads through
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing: the first error is the one reported
            }
        }
        closeables.clear();
        closed = true;
        watch.close();
        try {
            if (lease != null) {
                lease.close();
            }
        } catch (RuntimeException ignored) {
            // the lease expires by itself after its TTL
        } finally {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "Space{" + address + ", agent=" + options.agentId() + '}';
    }
}
