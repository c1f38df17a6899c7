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
import io.slate.engine.SnapshotDuty;
import io.slate.engine.ViewSnapshots;
import io.slate.space.SpaceException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Journal retention on etcd: the space keeps at most its budget of journal records ({@code r/budget}, set when the
 * space is created from {@code slate.etcd.retainRecords}, default {@value #DEFAULT_RETAIN_RECORDS}; 0 keeps every
 * record). One agent at a time holds the space's duty: the key {@code r/duty}, put if absent and attached to that
 * agent's lease, so etcd hands it to the next agent that asks once the holder's lease expired. Once a period the
 * holder runs a {@link SnapshotDuty} pass and then a trimming pass:
 *
 * <ol>
 *   <li>counts the records; with more than the budget, lists the oldest (by mod revision = index) beyond it;</li>
 *   <li>named positions hold back the records after them while the journal stays within twice the budget; a position
 *       further behind is marked lost ({@code -1}, by compare-and-set on its value) before anything is deleted;</li>
 *   <li>brings every tuple space and blackboard to a snapshot reflecting at least the last record to go
 *       ({@link ViewSnapshots#beforeRetire}); when one cannot be written, nothing is deleted;</li>
 *   <li>deletes the records oldest first, {@value #BATCH} per Txn, and in the same Txn raises {@code r/trimmed} to the
 *       index of the last record the Txn deleted. The Txn applies only while {@code r/duty} still names this agent and
 *       {@code r/trimmed} is what this pass last saw, so a holder that lost the duty (paused past its lease) deletes
 *       nothing.</li>
 * </ol>
 *
 * Each Txn is atomic and deletes oldest first, so whatever point a holder dies at: every record at or before the
 * trimmed-through index is gone and every record after it is there. A reader that needs a record at or before it
 * knows that it lost records ({@link JournalTailer.Trimmed}); none can skip one silently.
 *
 * <p>Thread safety: one thread (the duty thread of its space handle) runs it; {@link #close} from any thread.
 */
final class EtcdRetention implements AutoCloseable {
    /** A new space's budget when {@code slate.etcd.retainRecords} is not set: records, not bytes (see docs/multi-host.md). */
    static final long DEFAULT_RETAIN_RECORDS = 100_000;
    /** Deletes per Txn (etcd's default {@code --max-txn-ops} is 128; one more op raises the trimmed-through index). */
    static final int BATCH = 100;
    private static final int LIST_PAGE = 1000;
    /** Whether fault points are on ({@code -Dslate.faultPoints=true}, test children only). */
    static final boolean FAULTS = Boolean.getBoolean("slate.faultPoints");
    /** The handler of fault points (tests), or null. */
    static volatile java.util.function.Consumer<String> faultHandler;
    /** Fault point: a trimming pass is about to count the journal. */
    static final String FAULT_PASS = "etcd.trimming.pass";
    /** Fault point: a trimming pass committed a batch and is about to delete the next one. */
    static final String FAULT_BATCH = "etcd.trimming.batch";

    private final EtcdSpace space;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final long periodMillis;
    private final ByteSequence mine;
    private volatile boolean stop;
    private volatile Thread thread;
    private volatile boolean held;
    private volatile String problem;
    private volatile long passes;
    private volatile long recordsTrimmed;
    private long budget = -1;

    EtcdRetention(final EtcdSpace space, final EtcdConnection connection, final SpaceLayout layout) {
        this.space = space;
        this.connection = connection;
        this.layout = layout;
        this.periodMillis = Long.getLong("slate.etcd.dutyPeriodMillis", 1000);
        this.mine = SpaceLayout.utf8(Long.toHexString(space.lease().id()));
    }

    /** The budget a new space gets: {@code slate.etcd.retainRecords}, else the default. */
    static long configuredBudget() {
        final long b = Long.getLong("slate.etcd.retainRecords", DEFAULT_RETAIN_RECORDS);
        if (b < 0) {
            throw new IllegalArgumentException("slate.etcd.retainRecords must be >= 0 (0 keeps every record), got " + b);
        }
        return b;
    }

    static ByteSequence digits(final long index) {
        return ByteSequence.from(String.format("%020d", index).getBytes(StandardCharsets.US_ASCII));
    }

    /** The index a get of {@code r/trimmed} (or {@code r/budget}) holds, 0 when absent. */
    static long parseIndex(final GetResponse r, final SpaceLayout layout) {
        if (r.getKvs().isEmpty()) {
            return 0;
        }
        final String s = r.getKvs().get(0).getValue().toString(StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new EtcdFailure(EtcdFailure.Kind.FAILED, "key " + r.getKvs().get(0).getKey().toString(StandardCharsets.UTF_8)
                    + " of space '" + layout.space() + "' holds '" + s + "', not a number", true);
        }
    }

    /** The space's budget in records (0: unbounded), as stored at creation. */
    static long budget(final EtcdConnection connection, final SpaceLayout layout) {
        return parseIndex(connection.get(layout.budgetKey(), GetOption.DEFAULT, "retention budget of space '" + layout.space() + "'"), layout);
    }

    /** The trimmed-through index: every record at or before it was removed by retention (0: none ever was). */
    static long trimmedThrough(final EtcdConnection connection, final SpaceLayout layout) {
        return parseIndex(connection.get(layout.trimmedKey(), GetOption.DEFAULT, "trimmed-through index of space '" + layout.space() + "'"), layout);
    }

    /** Starts the duty thread (an agent's handle on a space with a budget). */
    void start() {
        thread = io.slate.internal.ServiceThreads.start("slate-etcd-duty " + layout.space(), this::run);
    }

    boolean held() {
        return held;
    }

    /** The last reason a pass could not finish, or null. */
    String problem() {
        return problem;
    }

    long passes() {
        return passes;
    }

    long recordsTrimmed() {
        return recordsTrimmed;
    }

    private void run() {
        SnapshotDuty duty = null;
        try {
            while (!stop) {
                LockSupport.parkNanos(periodMillis * 1_000_000L);
                if (stop) {
                    return;
                }
                try {
                    if (budget < 0) {
                        budget = budget(connection, layout);
                    }
                    if (budget == 0) {
                        return; // a space that keeps every record has no duty
                    }
                    if (!takeDuty()) {
                        held = false;
                        if (duty != null) {
                            duty.close();
                            duty = null;
                        }
                        continue;
                    }
                    held = true;
                    if (duty == null) {
                        duty = new SnapshotDuty(space);
                    }
                    duty.runOnce();
                    recordsTrimmed += trimOnce();
                    passes++;
                    problem = null;
                } catch (RuntimeException e) {
                    if (stop) {
                        return;
                    }
                    problem = "retention duty: " + e.getMessage();
                }
            }
        } finally {
            held = false;
            if (duty != null) {
                duty.close();
            }
        }
    }

    /** Holds the duty: puts {@code r/duty} attached to our lease if absent; true when it names us. */
    private boolean takeDuty() {
        final ByteSequence key = layout.dutyKey();
        final TxnResponse t = connection.read(() -> connection.kv().txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, mine, PutOption.builder().withLeaseId(space.lease().id()).build()))
                .Else(Op.get(key, GetOption.DEFAULT)).commit(), "retention duty of space '" + layout.space() + "'");
        if (t.isSucceeded()) {
            return true;
        }
        final List<KeyValue> kvs = t.getGetResponses().get(0).getKvs();
        return !kvs.isEmpty() && kvs.get(0).getValue().equals(mine);
    }

    /**
     * One trimming pass (the duty holder only; see the class comment).
     *
     * @return the number of records deleted
     */
    long trimOnce() {
        final String s = "space '" + layout.space() + "'";
        if (FAULTS) {
            reach(FAULT_PASS);
        }
        final long count = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                "journal size of " + s).getCount();
        if (budget <= 0 || count <= budget) {
            return 0;
        }
        final List<ByteSequence> keys = new ArrayList<>();
        final List<Long> indices = new ArrayList<>();
        final long excess = count - budget;
        long from = 0;
        while (keys.size() < excess) {
            final GetResponse page = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true)
                    .withMinModRevision(from).withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.ASCEND)
                    .withLimit(Math.min(LIST_PAGE, excess - keys.size())).build(), "oldest journal records of " + s);
            if (page.getKvs().isEmpty()) {
                break;
            }
            for (final KeyValue kv : page.getKvs()) {
                keys.add(kv.getKey());
                indices.add(kv.getModRevision());
                from = kv.getModRevision() + 1;
            }
        }
        if (keys.isEmpty()) {
            return 0;
        }
        int n = keys.size();
        // named positions hold back the records after them, within twice the budget
        final List<KeyValue> positions = connection.get(layout.tailerPrefix(), GetOption.builder().isPrefix(true).build(),
                "named positions of " + s).getKvs();
        long min = Long.MAX_VALUE;
        for (final KeyValue kv : positions) {
            final long p = position(kv);
            if (p >= 0) {
                min = Math.min(min, p);
            }
        }
        if (min != Long.MAX_VALUE && min < indices.get(n - 1)) {
            final long held = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true)
                    .withMinModRevision(min + 1).build(), "journal after named position of " + s).getCount();
            if (held <= 2 * budget) {
                // keep every record from the slowest position's own one (it resumes after that record)
                while (n > 0 && indices.get(n - 1) >= min) {
                    n--;
                }
                if (n == 0) {
                    return 0;
                }
            }
        }
        final long last = indices.get(n - 1);
        // indices have gaps: the views' snapshots are stamped just before the first record kept, so that a handle
        // opening from one finds no index between its snapshot and the first retained record
        final List<KeyValue> kept = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true)
                .withMinModRevision(last + 1).withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.ASCEND)
                .withLimit(1).build(), "first kept journal record of " + s).getKvs();
        final long keepFrom = kept.isEmpty() ? last + 1 : kept.get(0).getModRevision();
        if (!ViewSnapshots.beforeRetire(space, keepFrom)) {
            throw new SpaceException(space.address(), "cannot trim the journal through index " + last
                    + ": a tuple space or blackboard could not be snapshotted at or after it; nothing was deleted", null);
        }
        // positions that fell too far behind lose these records: marked before any record goes
        for (final KeyValue kv : positions) {
            final long p = position(kv);
            if (p >= 0 && p < last) {
                connection.read(() -> connection.kv().txn().If(new Cmp(kv.getKey(), Cmp.Op.EQUAL, CmpTarget.value(kv.getValue())))
                        .Then(Op.put(kv.getKey(), lostMark(), PutOption.DEFAULT)).commit(), "mark of a named position lost in " + s);
                // a position that moved on meanwhile is checked again by the next pass; a reader that needs a
                // deleted record finds the trimmed-through index past its position either way
            }
        }
        final GetResponse now = connection.get(layout.trimmedKey(), GetOption.DEFAULT, "trimmed-through index of " + s);
        long seenModRevision = now.getKvs().isEmpty() ? 0 : now.getKvs().get(0).getModRevision();
        long deleted = 0;
        for (int i = 0; i < n; i += BATCH) {
            if (stop) {
                break;
            }
            if (FAULTS && i > 0) {
                reach(FAULT_BATCH);
            }
            final int end = Math.min(n, i + BATCH);
            final List<Op> ops = new ArrayList<>(end - i + 1);
            for (int j = i; j < end; j++) {
                ops.add(Op.delete(keys.get(j), DeleteOption.DEFAULT));
            }
            final long through = indices.get(end - 1);
            ops.add(Op.put(layout.trimmedKey(), digits(through), PutOption.DEFAULT));
            final long expected = seenModRevision;
            final TxnResponse t = connection.read(() -> connection.kv().txn()
                    .If(new Cmp(layout.dutyKey(), Cmp.Op.EQUAL, CmpTarget.value(mine)),
                            new Cmp(layout.trimmedKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(expected)))
                    .Then(ops.toArray(new Op[0])).commit(), "trim of the journal of " + s + " through index " + through);
            if (!t.isSucceeded()) {
                // another holder trimmed meanwhile, or we lost the duty: the next pass starts over from what is there
                // (an attempt of ours whose answer was lost and then retried lands here too, having applied once)
                break;
            }
            seenModRevision = t.getHeader().getRevision();
            deleted += end - i;
        }
        return deleted;
    }

    private static void reach(final String point) {
        final java.util.function.Consumer<String> h = faultHandler;
        if (h != null) {
            h.accept(point);
        }
    }

    private static ByteSequence lostMark() {
        return ByteSequence.from("-1".getBytes(StandardCharsets.US_ASCII));
    }

    /** A named position's index (negative: marked lost); unreadable ones count as lost. */
    private static long position(final KeyValue kv) {
        try {
            return Long.parseLong(kv.getValue().toString(StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        stop = true;
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
