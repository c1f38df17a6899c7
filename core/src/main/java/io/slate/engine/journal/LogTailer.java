package io.slate.engine.journal;

import io.slate.idle.IdleStrategy;
import io.slate.journal.JournalRecord;
import io.slate.journal.RecordHandler;
import io.slate.journal.Tailer;
import io.slate.spi.LogRecord;
import io.slate.spi.NamedPosition;
import io.slate.spi.RecordCursor;
import io.slate.spi.RecordLog;

import java.util.concurrent.TimeUnit;

/**
 * A tailer over any backend's record log. Single-threaded: it owns a {@link RecordCursor}, which is (on the
 * shared-memory backend, a Chronicle tailer). Reading allocates nothing in steady state: records are decoded into
 * one reused {@link RecordView}. A named tailer stores the index of each record it delivers in its
 * {@link NamedPosition} before handing it out.
 */
final class LogTailer implements Tailer {
    private final LogJournal journal;
    private final RecordLog log;
    private final RecordCursor cursor;
    private final NamedPosition position;
    private final IdleStrategy idle;
    private final RecordView view = new RecordView();
    private long lastIndex = -1;
    /** The value last stored in the named position (what a compare-and-set expects). */
    private long stored;
    private boolean closed;

    LogTailer(final LogJournal journal, final RecordLog log, final NamedPosition position, final IdleStrategy idle) {
        this.journal = journal;
        this.log = log;
        this.cursor = log.cursor();
        this.position = position;
        this.idle = idle;
        this.stored = position == null ? 0 : position.get();
    }

    LogTailer start() {
        cursor.toStart();
        return this;
    }

    LogTailer end() {
        cursor.toEnd();
        return this;
    }

    LogTailer from(final long index) {
        cursor.from(index);
        return this;
    }

    /** Positions after the record at {@code index}, which must exist. */
    LogTailer resumeAfter(final long index) {
        cursor.after(index);
        lastIndex = index;
        return this;
    }

    /**
     * Reads the next record into the view; returns false when there is none. A record that is not ours throws a
     * {@link io.slate.space.CorruptSpaceException} naming its index, and the tailer has moved past it.
     */
    private boolean readNext() {
        final LogRecord r = cursor.next();
        if (r == null) {
            return false;
        }
        final String problem = view.read(r);
        if (problem != null) {
            throw log.foreignRecord(r.index(), problem);
        }
        if (position != null) {
            // a compare-and-set, so that a position retention marked lost is never overwritten (and nothing after
            // the gap is delivered)
            if (!position.advance(stored, r.index())) {
                throw LogJournal.lost(position, lastIndex >= 0 ? lastIndex : stored, log);
            }
            stored = r.index();
        }
        lastIndex = r.index();
        return true;
    }

    @Override
    public boolean poll(final RecordHandler handler) {
        if (!readNext()) {
            return false;
        }
        handler.onRecord(view);
        return true;
    }

    @Override
    public JournalRecord next(final long timeout, final TimeUnit unit) {
        if (readNext()) {
            return view;
        }
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        idle.reset();
        while (true) {
            if (readNext()) {
                return view;
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            // a backend that can wait for records to arrive (etcd: its watch) parks here; the others spin or idle
            if (!cursor.awaitArrival(left)) {
                idle.idle();
            } else if (Thread.currentThread().isInterrupted()) {
                return null; // an interrupt ends the wait (the status stays set)
            }
        }
    }

    /** {@link RecordCursor#awaitArrival} of this tailer's cursor. */
    boolean awaitArrival(final long maxNanos) {
        return cursor.awaitArrival(maxNanos);
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public String name() {
        return position == null ? null : position.name();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        journal.closed(this);
        cursor.close();
    }
}
