package io.slate.shm;

import io.slate.space.CorruptSpaceException;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordCursor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A raw cursor over the Chronicle Queue journal. Each record is copied once, out of the queue's mapped file, into a
 * buffer this cursor reuses (it grows only for a record larger than any before), and handed out as a
 * {@link LogRecord} over that buffer. Allocation-free in steady state.
 *
 * <p>Single-threaded: it wraps a Chronicle {@link ExcerptTailer}, which is. Positioning does not bind it to a thread
 * (the first read does), so one thread may position it for another; {@link #guardedByLock()} turns off Chronicle's
 * own thread check for a caller that guards every use by one lock.
 */
final class ShmRecordCursor implements RecordCursor {
    private final ChronicleJournal journal;
    private final ExcerptTailer tailer;
    private final LogRecord record = new LogRecord();
    private byte[] bytes = new byte[256];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private long lastIndex = -1;
    private boolean closed;

    ShmRecordCursor(final ChronicleJournal journal, final ExcerptTailer tailer) {
        this.journal = journal;
        this.tailer = tailer;
    }

    @Override
    public RecordCursor toStart() {
        tailer.toStart();
        tailer.singleThreadedCheckReset();
        return this;
    }

    @Override
    public RecordCursor toEnd() {
        tailer.toEnd();
        tailer.singleThreadedCheckReset();
        return this;
    }

    @Override
    public RecordCursor from(final long index) {
        if (!tailer.moveToIndex(index)) {
            final long first = journal.firstIndex();
            if (first < 0 || index <= first) {
                tailer.toStart();
            } else {
                tailer.toEnd();
            }
        }
        tailer.singleThreadedCheckReset();
        return this;
    }

    @Override
    public RecordCursor after(final long index) {
        if (!tailer.moveToIndex(index)) {
            final long first = journal.firstIndex();
            throw new CorruptSpaceException(journal.directory(), "cannot resume after index " + index + " (0x" + Long.toHexString(index)
                    + "): that record is not in the journal" + (first > index ? " (retention removed it; the first retained record is "
                    + first + ")" : ""));
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent() || dc.index() != index) {
                throw new CorruptSpaceException(journal.directory(), "cannot resume after index " + index + ": record not found");
            }
        }
        lastIndex = index;
        tailer.singleThreadedCheckReset();
        return this;
    }

    @Override
    public LogRecord next() {
        final String problem;
        final long index;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            index = dc.index();
            final Bytes<?> in = dc.wire().bytes();
            final long remaining = in.readRemaining();
            if (remaining > Integer.MAX_VALUE - 8) {
                throw new CorruptSpaceException(journal.directory(), "journal record at index " + index + " is " + remaining + " bytes long");
            }
            final int n = (int) remaining;
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
                buffer.wrap(bytes);
            }
            in.read(bytes, 0, n);
            problem = record.wrap(index, buffer, 0, n);
        } catch (CorruptSpaceException e) {
            throw e;
        } catch (Exception | InternalError e) {
            throw new CorruptSpaceException(journal.directory(), "cannot read the journal after index " + lastIndex + ": " + e, e);
        }
        if (problem != null) {
            throw journal.foreignRecord(index, problem); // the cursor has moved past it
        }
        lastIndex = index;
        return record;
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public RecordCursor guardedByLock() {
        tailer.singleThreadedCheckDisabled(true);
        return this;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tailer.close();
        }
    }
}
