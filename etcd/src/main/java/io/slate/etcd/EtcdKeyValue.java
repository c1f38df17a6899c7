package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.slate.spi.RecordDescriptor;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The key/value commit on etcd: one Txn is the commit point.
 *
 * <pre>
 *   If   version(k/key) == v  AND  version(j/requestId) == 0
 *   Then put k/key = record ; put j/requestId = record        -> index = the Txn's revision, new version v + 1
 *   Else get j/requestId ; get k/key                          -> record found: applied earlier (settled)
 *                                                                absent: a version conflict
 * </pre>
 *
 * Both puts store the same {@link EtcdRecord} bytes. k/ keys are never deleted in etcd (a removal stores a tombstone
 * record), so etcd's version of k/key is the key's Slate version and only grows.
 *
 * <p>Exactly once: a request whose member died (or that timed out) has an unknown outcome, so it is sent again with
 * the same request id. If the first attempt was applied, its record exists and the retry lands in Else, finds it and
 * reports that commit's index; if it was not, the retry applies it. A late first attempt can never apply after the
 * retry, because the record's absence is part of its own condition. So a commit is applied at most once and, once
 * this method returns, exactly once. The only way to apply it twice would be to retry it with a new request id
 * after an unknown outcome, which this class never does. (A conflict is a definite answer: the version moved on,
 * so no earlier attempt of the same request can apply later either — versions never go back.)
 *
 * <p>Thread safety: safe for concurrent use; request ids are unique per instance (a random 64-bit writer id and a
 * sequence).
 */
final class EtcdKeyValue implements KeyValueEngine {
    /** Told of every attempt after it was sent: instrumentation, and the hook fault tests kill a member from. */
    interface AttemptObserver {
        void sent(String requestId, int attempt);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TXN_OVERHEAD = 256;
    private static final int MAX_AGENT = RecordDescriptor.MAX_AGENT_BYTES;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final byte[] agent;
    private final long writerId = RANDOM.nextLong();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder unknownOutcomes = new LongAdder();
    private final LongAdder settledByRecord = new LongAdder();
    private volatile AttemptObserver observer;

    /** {@code agent}: the writer's id as records carry it (its lease in hex for an agent; at most 255 UTF-8 bytes). */
    EtcdKeyValue(final EtcdConnection connection, final SpaceLayout layout, final String agent) {
        this.connection = connection;
        this.layout = layout;
        this.agent = agent.getBytes(StandardCharsets.UTF_8);
        if (this.agent.length > RecordDescriptor.MAX_AGENT_BYTES) {
            throw new IllegalArgumentException("agent id '" + agent + "' is over " + RecordDescriptor.MAX_AGENT_BYTES + " bytes");
        }
    }

    /** The writer's id as this engine's records carry it. */
    String agentId() {
        return new String(agent, StandardCharsets.UTF_8);
    }

    void observer(final AttemptObserver o) {
        observer = o;
    }

    /** Attempts whose outcome was unknown (and were retried with the same request id). */
    long unknownOutcomes() {
        return unknownOutcomes.sum();
    }

    /** Commits found already applied by an earlier attempt of theirs. */
    long settledByRecord() {
        return settledByRecord.sum();
    }

    @Override
    public String newRequestId() {
        return hex16(writerId) + hex16(sequence.incrementAndGet());
    }

    private static String hex16(final long v) {
        final String h = Long.toHexString(v);
        return "0000000000000000".substring(h.length()) + h;
    }

    @Override
    public Commit put(final byte[] key, final long expectedVersion, final byte[] value, final String requestId) {
        return commit(io.slate.journal.Op.PUT, key, expectedVersion, value, requestId);
    }

    @Override
    public Commit remove(final byte[] key, final long expectedVersion, final String requestId) {
        if (expectedVersion <= 0) {
            throw new IllegalArgumentException("remove of key '" + SpaceLayout.printable(key) + "' expects version "
                    + expectedVersion + "; a live key's version is at least 1");
        }
        // one Txn: it compares the version and, on the state's leading bytes, that this version is live (see LIVE_FROM)
        return commit(io.slate.journal.Op.REMOVE, key, expectedVersion, new byte[0], agent, 0, requestId, true);
    }

    @Override
    public Commit putIfLive(final byte[] key, final long expectedVersion, final byte[] value, final String requestId) {
        if (expectedVersion <= 0) {
            throw new IllegalArgumentException("compare-and-set of key '" + SpaceLayout.printable(key) + "' expects version "
                    + expectedVersion + "; a live key's version is at least 1");
        }
        return commit(io.slate.journal.Op.PUT, key, expectedVersion, value, agent, 0, requestId, true);
    }

    private Commit commit(final io.slate.journal.Op op, final byte[] key, final long expectedVersion, final byte[] value,
                          final String requestId) {
        return commit(op, key, expectedVersion, value, agent, 0, requestId, false);
    }

    /**
     * Commits exactly the state a replayed record carries: its op (a put or a removal), its version (the key must be at
     * the version before it), its writer and its time.
     */
    Commit replay(final io.slate.journal.Op op, final byte[] key, final long version, final byte[] value, final String writer,
                  final long timestampNanos, final String requestId) {
        return commit(op, key, version - 1, value, writer.getBytes(StandardCharsets.UTF_8), timestampNanos, requestId, false);
    }

    /**
     * Appends one record that changes no key (a tuple, a sync event, a blackboard post) and returns its index: a Txn
     * of one put of {@code j/requestId} if that record does not exist yet, else a read of it. Retried with the same
     * request id after an unknown outcome, so it is appended exactly once.
     */
    long append(final io.slate.journal.Op op, final int flags, final long version, final byte[] key, final byte[] value,
                final int offset, final int length, final String requestId) {
        final byte[] v = offset == 0 && length == value.length ? value : java.util.Arrays.copyOfRange(value, offset, offset + length);
        checkSize(key, v, 1);
        final ByteSequence r = layout.journalKey(requestId);
        final ByteSequence record = ByteSequence.from(EtcdRecord.encode(op, flags, version, epochNanos(), key, agent, v));
        final String what = "append of " + op.label() + " record about '" + SpaceLayout.printable(key) + "'";
        final EtcdConnection.Options o = connection.options();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.operationTimeoutMillis);
        EtcdFailure last = null;
        for (int attempt = 1; ; attempt++) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left < 20 && attempt > 1) {
                break;
            }
            if (last != null) {
                EtcdConnection.backoff(attempt, deadline);
            }
            final TxnResponse t;
            try {
                final CompletableFuture<TxnResponse> f = connection.kv().txn()
                        .If(new Cmp(r, Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(Op.put(r, record, PutOption.DEFAULT))
                        .Else(Op.get(r, GetOption.DEFAULT)).commit();
                final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                t = connection.await(f, Math.max(1, Math.min(o.requestTimeoutMillis, remaining)), what);
            } catch (EtcdFailure e) {
                if (e.definite()) {
                    throw e;
                }
                unknownOutcomes.increment();
                last = e;
                continue;
            }
            if (t.isSucceeded()) {
                return t.getHeader().getRevision();
            }
            settledByRecord.increment();
            return t.getGetResponses().get(0).getKvs().get(0).getModRevision();
        }
        throw new EtcdFailure(last != null ? last.kind() : EtcdFailure.Kind.NOT_CONFIRMED, what + " (request " + requestId
                + ") not confirmed within " + o.operationTimeoutMillis + " ms by etcd at " + connection.address().endpointList()
                + " (no quorum or no leader?); nothing was acknowledged, its outcome is unknown"
                + (last != null ? "; last error: " + last.reason() : ""), false, last);
    }

    /**
     * The put of the journal record {@code j/requestId} (a record that changes no key), for a Txn of the caller's that
     * commits it together with the change it records; its index is that Txn's revision. The caller's Txn must apply
     * at most once across retries (its own condition sees to that).
     */
    Op recordPut(final io.slate.journal.Op op, final long version, final byte[] key, final String requestId) {
        checkSize(key, new byte[0], 1);
        return Op.put(layout.journalKey(requestId), ByteSequence.from(EtcdRecord.encode(op, 0, version, epochNanos(), key, agent,
                new byte[0])), PutOption.DEFAULT);
    }

    /**
     * A live key's state starts with these bytes (magic, format, op PUT, no flags), a tombstone's with op REMOVE and
     * {@link RecordDescriptor#FLAG_REMOVED}: etcd compares values as bytes, so {@code LIVE_FROM < value < LIVE_UNTIL}
     * in a Txn's condition says "this state is live" without reading it first.
     */
    private static final ByteSequence LIVE_FROM = ByteSequence.from(new byte[] {RecordDescriptor.MAGIC, RecordDescriptor.FORMAT,
            (byte) io.slate.journal.Op.PUT.code(), 0});
    private static final ByteSequence LIVE_UNTIL = ByteSequence.from(new byte[] {RecordDescriptor.MAGIC, RecordDescriptor.FORMAT,
            (byte) io.slate.journal.Op.PUT.code(), 1});

    /**
     * The commit. {@code requireLive}: the key must also be live at {@code expectedVersion} (not a tombstone), checked
     * by the Txn itself on the state's leading bytes; a state those bytes do not recognise (another record format) is
     * read back by the Else branch, and when it is live at that version the commit is sent again on the version alone
     * (a version has exactly one state, so what was read stays true).
     */
    private Commit commit(final io.slate.journal.Op op, final byte[] key, final long expectedVersion, final byte[] value,
                          final byte[] writer, final long fixedTimestampNanos, final String requestId, final boolean requireLive) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version " + expectedVersion + " of key '"
                    + SpaceLayout.printable(key) + "' is negative (0 = must not exist or be removed)");
        }
        checkSize(key, value, 2);
        final boolean removal = op == io.slate.journal.Op.REMOVE;
        final ByteSequence k = layout.kvKey(key);
        final ByteSequence r = layout.journalKey(requestId);
        final String what = (removal ? "remove" : "commit") + " of key '" + SpaceLayout.printable(key) + "'";
        final Op[] otherwise = {Op.get(r, GetOption.DEFAULT), Op.get(k, GetOption.DEFAULT)};
        final EtcdConnection.Options o = connection.options();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.operationTimeoutMillis);
        long compareVersion = expectedVersion;
        boolean compareLive = requireLive;
        EtcdFailure last = null;
        for (int attempt = 1; ; attempt++) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left < 20 && attempt > 1) { // no time left for a real attempt
                break;
            }
            if (last != null) { // the previous attempt failed
                EtcdConnection.backoff(attempt, deadline);
            }
            final long newVersion = compareVersion + 1;
            final long timestampNanos = fixedTimestampNanos != 0 ? fixedTimestampNanos : epochNanos();
            final ByteSequence record = ByteSequence.from(EtcdRecord.encode(op, removal ? RecordDescriptor.FLAG_REMOVED : 0,
                    newVersion, timestampNanos, key, writer, value));
            final Cmp[] conditions = compareLive
                    ? new Cmp[] {new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(compareVersion)), new Cmp(r, Cmp.Op.EQUAL, CmpTarget.version(0)),
                            new Cmp(k, Cmp.Op.GREATER, CmpTarget.value(LIVE_FROM)), new Cmp(k, Cmp.Op.LESS, CmpTarget.value(LIVE_UNTIL))}
                    : new Cmp[] {new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(compareVersion)), new Cmp(r, Cmp.Op.EQUAL, CmpTarget.version(0))};
            final TxnResponse t;
            try {
                final CompletableFuture<TxnResponse> f = connection.kv().txn()
                        .If(conditions)
                        .Then(Op.put(k, record, PutOption.DEFAULT), Op.put(r, record, PutOption.DEFAULT))
                        .Else(otherwise).commit();
                final AttemptObserver obs = observer;
                if (obs != null) {
                    obs.sent(requestId, attempt);
                }
                final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                t = connection.await(f, Math.max(1, Math.min(o.requestTimeoutMillis, remaining)), what);
            } catch (EtcdFailure e) {
                if (e.definite()) {
                    throw e;
                }
                unknownOutcomes.increment();
                last = e;
                continue;
            }
            last = null;
            if (t.isSucceeded()) {
                return new Commit(Commit.Status.COMMITTED, t.getHeader().getRevision(), newVersion, false, timestampNanos);
            }
            final List<GetResponse> gets = t.getGetResponses();
            final List<KeyValue> own = gets.get(0).getKvs();
            if (!own.isEmpty()) {
                settledByRecord.increment();
                final EtcdRecord rec = EtcdRecord.decode(own.get(0).getModRevision(), requestId, own.get(0).getValue().getBytes());
                return new Commit(Commit.Status.ALREADY_COMMITTED, own.get(0).getModRevision(), rec.version, rec.removed(),
                        rec.timestampNanos);
            }
            final List<KeyValue> cur = gets.get(1).getKvs();
            final long curVersion = cur.isEmpty() ? 0 : cur.get(0).getVersion();
            final boolean curRemoved = !cur.isEmpty() && EtcdRecord.decode(cur.get(0).getModRevision(), "state of key '"
                    + SpaceLayout.printable(key) + "'", cur.get(0).getValue().getBytes()).removed();
            if (expectedVersion == ABSENT && curRemoved && compareVersion != curVersion) {
                compareVersion = curVersion; // "absent" over a tombstone: the same request again, on the tombstone's version
                continue;
            }
            if (compareLive && curVersion == compareVersion && !curRemoved) {
                compareLive = false; // live at that version in a format the byte range does not know: on the version alone
                continue;
            }
            return new Commit(Commit.Status.CONFLICT, t.getHeader().getRevision(), curVersion, curRemoved, 0);
        }
        throw new EtcdFailure(last != null ? last.kind() : EtcdFailure.Kind.NOT_CONFIRMED, what + " (request " + requestId
                + ") not confirmed within " + o.operationTimeoutMillis + " ms by etcd at " + connection.address().endpointList()
                + " (no quorum or no leader?); nothing was acknowledged, its outcome is unknown: retry with the same"
                + " request id to settle it" + (last != null ? "; last error: " + last.reason() : ""), false, last);
    }

    static long epochNanos() {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Refuses, before sending, a commit that etcd would refuse: one Txn carries the record twice (the key's state and
     * the journal record), and etcd refuses requests over --max-request-bytes.
     */
    private void checkSize(final byte[] key, final byte[] value, final int copies) {
        final int max = connection.options().maxRequestBytes;
        final long fixed = TXN_OVERHEAD + copies * (layout.kvKey(key).size() + layout.journalKey(newRequestId()).size()
                + (long) EtcdRecord.encodedLength(key.length, MAX_AGENT, 0));
        if (fixed + (long) copies * value.length > max) {
            throw new EtcdFailure(EtcdFailure.Kind.TOO_LARGE, "value for key '" + SpaceLayout.printable(key) + "' is "
                    + value.length + " bytes: " + (copies == 2 ? "a commit carries it twice (key and journal record)"
                    : "a journal record carries it") + " and etcd at "
                    + connection.address().endpointList() + " takes requests up to " + max
                    + " bytes (--max-request-bytes), so a value can be at most " + Math.max(0, (max - fixed) / copies) + " bytes", true);
        }
    }

    @Override
    public Entry get(final byte[] key, final Consistency consistency, final long causalRevision) {
        final ByteSequence k = layout.kvKey(key);
        final String what = consistency + " read of key '" + SpaceLayout.printable(key) + "'";
        final GetOption opt = GetOption.builder().withSerializable(consistency != Consistency.STRONG).build();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connection.options().operationTimeoutMillis);
        for (int attempt = 0; ; attempt++) {
            // a serializable read is hedged across members: a paused or starved member does not hold it up
            final GetResponse r = consistency == Consistency.STRONG
                    ? connection.get(k, opt, what)
                    : connection.readAnyMember(() -> connection.kv().get(k, opt), what, consistency == Consistency.EVENTUAL
                            ? connection.options().requestTimeoutMillis : connection.options().operationTimeoutMillis);
            final long at = r.getHeader().getRevision();
            if (consistency != Consistency.CAUSAL || at >= causalRevision) {
                if (r.getKvs().isEmpty()) {
                    return new Entry(null, 0, false, 0, "", 0, at);
                }
                final KeyValue kv = r.getKvs().get(0);
                final EtcdRecord state = EtcdRecord.decode(kv.getModRevision(), "state of key '" + SpaceLayout.printable(key) + "'",
                        kv.getValue().getBytes());
                return new Entry(state.removed() ? null : state.value, kv.getVersion(), state.removed(), kv.getModRevision(),
                        state.agent, state.timestampNanos, at);
            }
            if (deadline - System.nanoTime() <= 0) { // the members that answered have not applied the token's revision
                throw new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, what + ": no member of etcd at "
                        + connection.address().endpointList() + " reached revision " + causalRevision + " within "
                        + connection.options().operationTimeoutMillis + " ms (last answer at " + at + ")", true);
            }
            EtcdConnection.backoff(attempt);
        }
    }
}
