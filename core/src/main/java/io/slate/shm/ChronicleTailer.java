package io.slate.shm;

import io.slate.idle.IdleStrategy;
import io.slate.journal.JournalRecord;
import io.slate.journal.RecordHandler;
import io.slate.journal.Tailer;
import io.slate.space.CorruptSpaceException;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.concurrent.TimeUnit;

/**
 * A tailer over the journal. Single-threaded: it wraps a Chronicle {@link ExcerptTailer}, which is. Reading
 * allocates nothing in steady state: records are decoded into one reused {@link RecordView}.
 *
 * <p>A named tailer stores the index of each record in its slot of {@code tailers.slate} (an ordered store) before
 * handing the record out, so a restarted tailer resumes right after the last record delivered: no gap, no duplicate.
 */
final class ChronicleTailer implements Tailer {
    private final ChronicleJournal journal;
    private final ExcerptTailer tailer;
    private final String name;
    private final int slot;
    private final IdleStrategy idle;
    private final RecordView view;
    private long lastIndex = -1;
    private boolean closed;

    ChronicleTailer(final ChronicleJournal journal, final ExcerptTailer tailer, final String name, final int slot, final IdleStrategy idle) {
        this.journal = journal;
        this.tailer = tailer;
        this.name = name;
        this.slot = slot;
        this.idle = idle;
        this.view = new RecordView(journal.directory());
    }

    ChronicleTailer start() {
        tailer.toStart();
        return this;
    }

    ChronicleTailer end() {
        tailer.toEnd();
        return this;
    }

    ChronicleTailer from(final long index) {
        if (!tailer.moveToIndex(index)) {
            final long first = journal.firstIndex();
            if (first < 0 || index <= first) {
                tailer.toStart();
            } else {
                tailer.toEnd();
            }
        }
        return this;
    }

    /** Positions after the record at {@code index}, which must exist. */
    ChronicleTailer resumeAfter(final long index) {
        if (!tailer.moveToIndex(index)) {
            throw new CorruptSpaceException(journal.directory(), "cannot resume " + (name == null ? "tailer" : "named tailer '" + name + "'")
                    + " after index " + index + " (0x" + Long.toHexString(index) + "): that record is not in the journal");
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent() || dc.index() != index) {
                throw new CorruptSpaceException(journal.directory(), "cannot resume after index " + index + ": record not found");
            }
        }
        lastIndex = index;
        return this;
    }

    /**
     * Reads the next record into the view; returns false when there is none. A record that is not ours throws a
     * {@link CorruptSpaceException} naming its index, and the tailer has moved past it: the next read continues with
     * the record after it. A failure of Chronicle itself (a journal file damaged under us) is a
     * {@link CorruptSpaceException} naming the journal.
     */
    private boolean readNext() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            final long index = dc.index();
            view.read(dc.wire().bytes(), index);
            lastIndex = index;
        } catch (CorruptSpaceException e) {
            throw e;
        } catch (Exception | InternalError e) {
            throw new CorruptSpaceException(journal.directory(), "cannot read the journal after index " + lastIndex + ": " + e, e);
        }
        if (slot >= 0) {
            journal.positions().position(slot, lastIndex);
        }
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
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            idle.idle();
        }
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        journal.closed(this);
        tailer.close();
    }
}
