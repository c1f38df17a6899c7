package io.slate.engine;

import io.slate.spi.LogRecord;
import io.slate.spi.RecordCursor;
import io.slate.spi.RecordLog;

/**
 * A view kept by applying the journal: a raw cursor from the start, an applier that takes the records it cares about
 * (a tuple space's, a blackboard's, the key/value records), and the three ways a view is brought up to date —
 * {@link #readOne() one record}, {@link #drain(int) what is there now}, and {@link #catchUpTo(long) up to a record
 * known to exist} (one this process appended), with a deadline so that a journal that never delivers it is an error,
 * not a hang. The tuple spaces, blackboards and consistency views are each one of these.
 *
 * <p>Single-threaded, like the cursor it owns: confine it to one thread or guard it by one lock (then open it with
 * {@code guardedByLock}). Allocation-free in steady state.
 */
public final class Projection implements AutoCloseable {
    /** How long {@link #catchUpTo} waits for a record it knows exists (only a writer that died mid-append can stall it). */
    public static final long CATCH_UP_TIMEOUT_NANOS = 10_000_000_000L;

    /** Applies one raw record to a view. The record is valid only during the call. */
    @FunctionalInterface
    public interface Applier {
        void apply(LogRecord record);
    }

    private final RecordLog log;
    private final String what;
    private final Applier applier;
    private final long toIndex;
    private final long catchUpTimeoutNanos;
    private final boolean guardedByLock;
    /** Made on the first read, on the reading thread (a Chronicle tailer belongs to the thread that first uses it). */
    private RecordCursor cursor;
    /** The cursor once made, for {@link #awaitArrival} from a thread that does not hold the lock. */
    private volatile RecordCursor waitable;
    private boolean passedEnd;

    /**
     * @param what    names the view in errors, e.g. "tuple space 'jobs'"
     * @param toIndex apply records up to this index only ({@code Long.MAX_VALUE}: all)
     */
    public Projection(final RecordLog log, final String what, final Applier applier, final long toIndex, final boolean guardedByLock,
                      final long catchUpTimeoutNanos) {
        this.log = log;
        this.what = what;
        this.applier = applier;
        this.toIndex = toIndex;
        this.catchUpTimeoutNanos = catchUpTimeoutNanos;
        this.guardedByLock = guardedByLock;
    }

    /** Where the first read starts: after this index (a snapshot's), or -1 for the first retained record. */
    private long startAfter = -1;
    /** The operations this view applies ({@link RecordCursor#next(long)}); the cursor passes over the others. */
    private long ops = RecordCursor.ALL_OPS;

    /**
     * Applies only records of these operations ({@link RecordCursor#opsMask}); the others are passed over unread (they
     * still move {@link #position()}). Call before the first read.
     */
    public Projection readingOnly(final long ops) {
        if (cursor != null) {
            throw new IllegalStateException(what + ": the projection has started reading");
        }
        this.ops = ops;
        return this;
    }

    /** How many records this view has read or passed over. */
    public long records() {
        return cursor == null ? 0 : cursor.records();
    }

    private RecordCursor cursor() {
        RecordCursor c = cursor;
        if (c == null) {
            c = log.cursor();
            if (startAfter >= 0) {
                c.from(startAfter + 1);
            }
            cursor = guardedByLock ? c.guardedByLock() : c;
            waitable = cursor;
        }
        return cursor;
    }

    /**
     * Starts the view after {@code index} instead of at the first retained record: the view was restored from a
     * snapshot that reflects every record up to it. Call before the first read.
     */
    public Projection startAfter(final long index) {
        if (cursor != null) {
            throw new IllegalStateException(what + ": the projection has started reading");
        }
        startAfter = index;
        return this;
    }

    public Projection(final RecordLog log, final String what, final Applier applier) {
        this(log, what, applier, Long.MAX_VALUE, false, CATCH_UP_TIMEOUT_NANOS);
    }

    /** Index of the last record read (of any key), or -1. */
    public long position() {
        if (cursor == null || cursor.lastIndex() < 0) {
            return startAfter >= 0 ? startAfter : -1;
        }
        return cursor.lastIndex();
    }

    /** True once a record beyond {@code toIndex} was seen: the view is complete. */
    public boolean passedEnd() {
        return passedEnd;
    }

    /** Reads and applies the next record if there is one (and it is not beyond {@code toIndex}); returns whether one was read. */
    public boolean readOne() {
        if (passedEnd) {
            return false;
        }
        final RecordCursor c = cursor();
        final LogRecord r = c.next(ops);
        if (r == null) {
            if (c.lastIndex() > toIndex) {
                passedEnd = true; // passed over records beyond the end
            }
            return false;
        }
        if (r.index() > toIndex) {
            passedEnd = true;
            return false;
        }
        applier.apply(r);
        return true;
    }

    /**
     * Applies up to {@code limit} records already in the journal, without waiting.
     *
     * @return how many were read; fewer than {@code limit} means the end was reached
     */
    public int drain(final int limit) {
        int n = 0;
        while (n < limit && readOne()) {
            n++;
        }
        return n;
    }

    /** Applies everything up to the journal's end (or {@code toIndex}). */
    public void drainAll() {
        while (drain(4096) == 4096) {
            // more may be there
        }
    }

    /**
     * Applies records until the one at {@code index}, which exists (this process appended it), has been read.
     *
     * @throws IllegalStateException when the journal does not deliver it within the catch-up timeout
     */
    public void catchUpTo(final long index) {
        final RecordCursor c = cursor();
        if (position() >= index) {
            return;
        }
        long deadline = 0;
        while (position() < index && !passedEnd) {
            if (!readOne()) {
                if (passedEnd) {
                    return;
                }
                if (deadline == 0) {
                    deadline = System.nanoTime() + catchUpTimeoutNanos;
                } else if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(what + ": the journal of " + log.location() + " did not deliver index " + index + " within "
                            + catchUpTimeoutNanos / 1_000_000_000L + " s (read up to " + c.lastIndex() + ")");
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * {@link RecordCursor#awaitArrival} of this view's cursor: waits at most {@code maxNanos} for records to arrive,
     * true when the backend waits that way, false at once when it does not (or before the first read). Unlike every
     * other method, callable without the lock that guards the view: a thread waits here between two reads, outside it.
     */
    public boolean awaitArrival(final long maxNanos) {
        final RecordCursor c = waitable;
        return c != null && c.awaitArrival(maxNanos);
    }

    @Override
    public void close() {
        if (cursor != null) {
            waitable = null;
            cursor.close();
            cursor = null;
        }
    }
}
