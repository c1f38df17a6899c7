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

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The key/value commit on etcd: one Txn is the commit point.
 *
 * <pre>
 *   If   version(k/key) == expected  AND  version(j/requestId) == 0
 *   Then put k/key = value ; put j/requestId = record            -> index = the Txn's revision
 *   Else get j/requestId ; get k/key (keys only)                 -> found: applied earlier (settled)
 *                                                                   absent: a version conflict
 * </pre>
 *
 * Exactly once: a request whose member died (or that timed out) has an unknown outcome, so it is sent again with the
 * same request id. If the first attempt was applied, its record exists and the retry lands in Else, finds it and
 * reports that commit's index; if it was not, the retry applies it. A late first attempt can never apply after the
 * retry, because the record's absence is part of its own condition. So a commit is applied at most once and, once
 * this method returns, exactly once. The only way to apply it twice would be to retry it with a new request id
 * after an unknown outcome, which this class never does.
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
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final long agent;
    private final long writerId = RANDOM.nextLong();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder unknownOutcomes = new LongAdder();
    private final LongAdder settledByRecord = new LongAdder();
    private volatile AttemptObserver observer;

    EtcdKeyValue(final EtcdConnection connection, final SpaceLayout layout, final long agent) {
        this.connection = connection;
        this.layout = layout;
        this.agent = agent;
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
        return commit(JournalRecord.PUT, key, expectedVersion, value, requestId);
    }

    @Override
    public Commit delete(final byte[] key, final long expectedVersion, final String requestId) {
        return commit(JournalRecord.DELETE, key, expectedVersion, new byte[0], requestId);
    }

    private Commit commit(final byte op, final byte[] key, final long expectedVersion, final byte[] value,
                          final String requestId) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version " + expectedVersion + " of key '"
                    + SpaceLayout.printable(key) + "' is negative (0 = must not exist)");
        }
        checkSize(key, value);
        final ByteSequence k = layout.kvKey(key);
        final ByteSequence r = layout.journalKey(requestId);
        final long newVersion = op == JournalRecord.PUT ? expectedVersion + 1 : 0;
        final ByteSequence record = ByteSequence.from(JournalRecord.encode(op, 0, newVersion, agent, key, value));
        final Cmp[] when = {new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(expectedVersion)),
                new Cmp(r, Cmp.Op.EQUAL, CmpTarget.version(0))};
        final Op[] then = {op == JournalRecord.PUT ? Op.put(k, ByteSequence.from(value), PutOption.DEFAULT)
                : Op.delete(k, DeleteOption.DEFAULT), Op.put(r, record, PutOption.DEFAULT)};
        final Op[] otherwise = {Op.get(r, GetOption.DEFAULT), Op.get(k, GetOption.builder().withKeysOnly(true).build())};

        final EtcdConnection.Options o = connection.options();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.operationTimeoutMillis);
        EtcdFailure last = null;
        for (int attempt = 1; ; attempt++) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left < 20 && attempt > 1) { // no time left for a real attempt
                break;
            }
            final TxnResponse t;
            try {
                final java.util.concurrent.CompletableFuture<TxnResponse> f =
                        connection.kv().txn().If(when).Then(then).Else(otherwise).commit();
                final AttemptObserver obs = observer;
                if (obs != null) {
                    obs.sent(requestId, attempt);
                }
                t = connection.await(f, Math.min(o.requestTimeoutMillis, left), "commit of key '" + SpaceLayout.printable(key) + "'");
            } catch (EtcdFailure e) {
                if (e.definite()) {
                    throw e;
                }
                unknownOutcomes.increment();
                last = e;
                EtcdConnection.backoff(attempt);
                continue;
            }
            if (t.isSucceeded()) {
                return new Commit(Commit.Status.COMMITTED, t.getHeader().getRevision(), newVersion);
            }
            final List<GetResponse> gets = t.getGetResponses();
            final List<KeyValue> own = gets.get(0).getKvs();
            if (!own.isEmpty()) {
                settledByRecord.increment();
                final JournalRecord rec = JournalRecord.decode(own.get(0).getModRevision(), requestId, own.get(0).getValue().getBytes());
                return new Commit(Commit.Status.ALREADY_COMMITTED, own.get(0).getModRevision(), rec.version);
            }
            final List<KeyValue> cur = gets.get(1).getKvs();
            return new Commit(Commit.Status.CONFLICT, t.getHeader().getRevision(), cur.isEmpty() ? 0 : cur.get(0).getVersion());
        }
        throw new EtcdFailure(last != null ? last.kind() : EtcdFailure.Kind.NOT_CONFIRMED, "commit of key '"
                + SpaceLayout.printable(key) + "' (request " + requestId + ") not confirmed within "
                + o.operationTimeoutMillis + " ms by etcd at " + connection.address().endpointList()
                + " (no quorum or no leader?); nothing was acknowledged, its outcome is unknown: retry with the same"
                + " request id to settle it" + (last != null ? "; last error: " + last.getMessage() : ""), false, last);
    }

    /**
     * Refuses, before sending, a commit that etcd would refuse: one Txn carries the value twice (the key and its
     * journal record), and etcd refuses requests over --max-request-bytes.
     */
    private void checkSize(final byte[] key, final byte[] value) {
        final int max = connection.options().maxRequestBytes;
        final long request = 2L * (layout.kvKey(key).size() + value.length) + JournalRecord.encodedLength(key.length, 0)
                + 2L * layout.journalKey(newRequestIdShape()).size() + 256;
        if (request > max) {
            final long maxValue = (max - 256 - JournalRecord.encodedLength(key.length, 0)
                    - 2L * (layout.kvKey(key).size() + layout.journalKey(newRequestIdShape()).size())) / 2;
            throw new EtcdFailure(EtcdFailure.Kind.TOO_LARGE, "value for key '" + SpaceLayout.printable(key) + "' is "
                    + value.length + " bytes: a commit carries it twice (key and journal record) and etcd at "
                    + connection.address().endpointList() + " takes requests up to " + max
                    + " bytes (--max-request-bytes), so a value can be at most " + Math.max(0, maxValue) + " bytes", true);
        }
    }

    private static String newRequestIdShape() {
        return "00000000000000000000000000000000";
    }

    @Override
    public Entry get(final byte[] key, final Consistency consistency, final long causalRevision) {
        final ByteSequence k = layout.kvKey(key);
        final String what = consistency + " read of key '" + SpaceLayout.printable(key) + "'";
        final GetOption opt = GetOption.builder().withSerializable(consistency != Consistency.STRONG).build();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connection.options().operationTimeoutMillis);
        for (int attempt = 0; ; attempt++) {
            final GetResponse r = consistency == Consistency.EVENTUAL
                    ? connection.read(() -> connection.kv().get(k, opt), what, connection.options().requestTimeoutMillis)
                    : connection.get(k, opt, what);
            final long at = r.getHeader().getRevision();
            if (consistency != Consistency.CAUSAL || at >= causalRevision) {
                if (r.getKvs().isEmpty()) {
                    return new Entry(null, 0, 0, at);
                }
                final KeyValue kv = r.getKvs().get(0);
                return new Entry(kv.getValue().getBytes(), kv.getVersion(), kv.getModRevision(), at);
            }
            if (deadline - System.nanoTime() <= 0) { // the member that answered has not applied the token's revision
                throw new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, what + ": no member of etcd at "
                        + connection.address().endpointList() + " reached revision " + causalRevision + " within "
                        + connection.options().operationTimeoutMillis + " ms (last answer at " + at + ")", true);
            }
            EtcdConnection.backoff(attempt);
        }
    }
}
