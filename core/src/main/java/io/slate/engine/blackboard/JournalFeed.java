package io.slate.engine.blackboard;

import io.slate.internal.Utf8;
import io.slate.journal.JournalRecord;
import io.slate.journal.RecordHandler;
import io.slate.journal.Tailer;
import io.slate.space.CorruptSpaceException;
import io.slate.space.Space;

/**
 * Feeds one blackboard's journal records to its {@link BoardState}: a tailer from the start of the journal that skips
 * every other record. Single-threaded (it owns the tailer, which is created on the first read, on the reading thread).
 */
final class JournalFeed implements AutoCloseable {
    /** A reader waits at most this long for a record it knows exists (only a writer that died mid-append can stall it). */
    static final long CATCH_UP_TIMEOUT_NANOS = 10_000_000_000L;

    private final Space space;
    private final String name;
    private final BoardState state;
    private final long toIndex;
    private final RecordHandler handler = this::onRecord;
    private Tailer tailer;
    private boolean passedEnd;

    /** @param toIndex apply records up to this index only ({@code Long.MAX_VALUE}: all) */
    JournalFeed(final Space space, final String name, final BoardState state, final long toIndex) {
        this.space = space;
        this.name = name;
        this.state = state;
        this.toIndex = toIndex;
    }

    private void onRecord(final JournalRecord r) {
        if (r.index() > toIndex) {
            passedEnd = true;
            return;
        }
        if (!BlackboardRecords.isBlackboardOp(r.op()) || !Utf8.contentEquals(r.key(), name)) {
            return;
        }
        try {
            state.apply(r.index(), r.op(), r.agent(), r.timestampNanos(), r.valueBuffer(), r.valueLength());
        } catch (BlackboardRecords.MalformedException e) {
            throw new CorruptSpaceException(space.directory().resolve("journal"), "blackboard '" + name + "': " + r.op().label()
                    + " record at index " + r.index() + " (0x" + Long.toHexString(r.index()) + ") is malformed: " + e.getMessage(), e);
        }
    }

    private Tailer tailer() {
        if (tailer == null) {
            tailer = space.journal().tailerFromStart();
        }
        return tailer;
    }

    /** The index of the last journal record read (of any key), or -1. */
    long position() {
        return tailer == null ? -1 : tailer.lastIndex();
    }

    /**
     * Applies up to {@code limit} records that are already in the journal, without waiting.
     *
     * @return how many records were read (of any key); fewer than {@code limit} means the journal's end was reached
     */
    int drain(final int limit) {
        final Tailer t = tailer();
        int n = 0;
        while (n < limit && !passedEnd && t.poll(handler)) {
            n++;
        }
        return n;
    }

    /** Applies records until the one at {@code index} (which exists: this process appended it) has been read. */
    void catchUpTo(final long index) {
        final Tailer t = tailer();
        if (t.lastIndex() >= index) {
            return;
        }
        final long deadline = System.nanoTime() + CATCH_UP_TIMEOUT_NANOS;
        while (t.lastIndex() < index && !passedEnd) {
            if (!t.poll(handler)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("blackboard '" + name + "': the journal of " + space.directory() + " did not deliver index "
                            + index + " within 10 s (read up to " + t.lastIndex() + ")");
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Applies everything up to the journal's end (or {@code toIndex}). */
    void drainAll() {
        while (drain(4096) == 4096) {
            // more may be there
        }
    }

    @Override
    public void close() {
        if (tailer != null) {
            tailer.close();
            tailer = null;
        }
    }
}
