package io.slate.shm;

import io.slate.space.CorruptSpaceException;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordDescriptor;
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
    private long records;
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
        return next(ALL_OPS);
    }

    /**
     * Passes over a record of another operation than {@code ops} after reading its first three bytes in the mapped
     * file (magic, format, operation); anything else is read in full, so a record that is not ours is reported as by
     * {@link #next()}.
     */
    @Override
    public LogRecord next(final long ops) {
        while (true) {
            final String problem;
            final long index;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                index = dc.index();
                records++;
                final Bytes<?> in = dc.wire().bytes();
                if (ops != ALL_OPS && passesOver(in, ops)) {
                    lastIndex = index;
                    continue;
                }
                problem = read(in, index);
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
    }

    /** Whether the record at {@code in}'s read position is a Slate record of an operation outside {@code ops}. */
    private static boolean passesOver(final Bytes<?> in, final long ops) {
        if (in.readRemaining() < RecordDescriptor.COMPACT_MIN_LENGTH) {
            return false;
        }
        final long at = in.readPosition();
        final int format = in.readUnsignedByte(at + RecordDescriptor.FORMAT_OFFSET);
        final int code = in.readUnsignedByte(at + RecordDescriptor.OP_OFFSET);
        return in.readByte(at + RecordDescriptor.MAGIC_OFFSET) == RecordDescriptor.MAGIC && (format == RecordDescriptor.FORMAT || format == RecordDescriptor.FORMAT_COMPACT)
                && !RecordCursor.wants(ops, code);
    }

    /** Copies the record at {@code in}'s read position into this cursor's buffer and wraps it; returns what is wrong with it, or null. */
    private String read(final Bytes<?> in, final long index) {
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
        return record.wrap(index, buffer, 0, n);
    }

    @Override
    public long records() {
        return records;
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
