package io.slate.spi;

import io.slate.journal.Op;

/**
 * A raw reader of a space's journal, in index order, handing out each record as a {@link LogRecord} flyweight.
 * Allocation-free in steady state.
 *
 * <p>Single-threaded: confine a cursor to one thread, or guard every use of it by one lock and say so with
 * {@link #guardedByLock()} (on the shared-memory backend it wraps a Chronicle Queue tailer, which is
 * single-threaded and checks it).
 */
public interface RecordCursor extends AutoCloseable {
    /** Positions before the first retained record. */
    RecordCursor toStart();

    /** Positions after the last record written so far. */
    RecordCursor toEnd();

    /**
     * Positions so that the next record read is the first at or after {@code index}: before the first retained
     * record when {@code index} is before it, at the end when it is beyond the last.
     */
    RecordCursor from(long index);

    /**
     * Positions right after the record at {@code index}, which must be in the journal.
     *
     * @throws io.slate.space.SpaceException naming the index when that record is not there (retired by retention,
     *                                       or never written)
     */
    RecordCursor after(long index);

    /**
     * The next record, or {@code null} when there is none yet. The flyweight is valid until the next call.
     *
     * @throws io.slate.space.CorruptSpaceException for a record that is not a Slate record, naming its index; the
     *                                              cursor has moved past it, so the next call reads on
     */
    LogRecord next();

    /** {@link #next(long)}'s mask for every operation. */
    long ALL_OPS = -1L;

    /** The bits of {@code ops} for {@link #next(long)}: bit {@code 1L << op.code()} for each. */
    static long opsMask(final Op... ops) {
        long mask = 0;
        for (Op op : ops) {
            mask |= 1L << op.code();
        }
        return mask;
    }

    /** The bits for {@link #next(long)} of every operation {@code which} accepts. */
    static long opsWhere(final java.util.function.Predicate<Op> which) {
        long mask = 0;
        for (Op op : Op.values()) {
            if (which.test(op)) {
                mask |= 1L << op.code();
            }
        }
        return mask;
    }

    /** Whether {@code ops} asks for operation code {@code code} (codes outside 0..63 always). */
    static boolean wants(final long ops, final int code) {
        return code < 0 || code > 63 || (ops & (1L << code)) != 0;
    }

    /**
     * The next record whose operation code {@code c} has bit {@code 1L << c} set in {@code ops} (codes above 63 are
     * always returned), or {@code null} when there is none yet. Records of other operations are passed over: they
     * count in {@link #lastIndex()} and {@link #records()}, and a backend that can tell a record's operation without
     * reading the rest of it (shared memory: one byte of the mapped record) does not copy or decode them. A view that
     * applies a few operations among many others (a tuple space in a busy key/value space) reads only its own.
     *
     * @throws io.slate.space.CorruptSpaceException as {@link #next()}, for a record that is not a Slate record
     */
    default LogRecord next(final long ops) {
        LogRecord r;
        while ((r = next()) != null) {
            if (wants(ops, r.opCode())) {
                return r;
            }
        }
        return null;
    }

    /** How many records this cursor has read or passed over since it was made. */
    long records();

    /**
     * Waits at most {@code maxNanos} for records to arrive for {@link #next} without reading them, then returns true; or
     * returns false at once when this backend does not wait that way, and the caller idles by its own
     * {@link io.slate.idle.IdleStrategy} between calls of {@link #next} (the shared-memory backend: a record is there
     * when its writer wrote it, so spinning on {@link #next} is the fastest wait). A backend whose records come over
     * the network (etcd: the space handle's watch) parks the caller until something arrived since the last call of
     * {@link #next} began, so that a waiting reader costs no CPU. It may return early (spuriously, or to let the caller
     * call {@link #next} again, which may have periodic work to do), never much later than {@code maxNanos}; a
     * {@code true} does not promise a record: call {@link #next} to see. Thread-safe: it may be called without the lock
     * or thread that confines the cursor, and reads nothing of the cursor's position. An interrupt ends the wait (the
     * thread's interrupt status is set again).
     */
    default boolean awaitArrival(final long maxNanos) {
        return false;
    }

    /** Index of the last record read, or -1 before the first. */
    long lastIndex();

    /** Declares that every use of this cursor is guarded by one lock (threads may change, never overlap). */
    RecordCursor guardedByLock();

    @Override
    void close();
}
