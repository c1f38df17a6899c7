package io.slate.engine.blackboard;

import io.slate.engine.Projection;
import io.slate.internal.Utf8;
import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import io.slate.spi.BackendSpace;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordLog;

import java.nio.charset.StandardCharsets;

/**
 * Feeds one blackboard's journal records to its {@link BoardState}: a {@link Projection} from the start of the
 * journal (or from the blackboard's snapshot) that skips every other record without decoding it. Single-threaded (its cursor is made on the first read,
 * on the reading thread).
 */
final class JournalFeed implements AutoCloseable {
    private final RecordLog log;
    private final String name;
    private final byte[] nameUtf8;
    private final BoardState state;
    private final Projection projection;
    private final StringBuilder agent = new StringBuilder(32);
    private byte[] scratch = new byte[64];
    private byte[] value = new byte[256];

    /** @param toIndex apply records up to this index only ({@code Long.MAX_VALUE}: all) */
    JournalFeed(final BackendSpace space, final String name, final BoardState state, final long toIndex) {
        this.log = space.log();
        this.name = name;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
        this.state = state;
        this.projection = new Projection(log, "blackboard '" + name + "'", this::onRecord, toIndex, false, Projection.CATCH_UP_TIMEOUT_NANOS)
                .readingOnly(BlackboardRecords.OPS);
    }

    private void onRecord(final LogRecord r) {
        final Op op = r.op();
        if (op == null || !BlackboardRecords.isBlackboardOp(op) || !r.keyEquals(nameUtf8)) {
            return;
        }
        final int agentLength = r.agentLength();
        if (scratch.length < agentLength) {
            scratch = new byte[Math.max(agentLength, scratch.length * 2)];
        }
        r.buffer().getBytes(r.agentOffset(), scratch, 0, agentLength);
        agent.setLength(0);
        Utf8.decode(scratch, 0, agentLength, agent);
        final int n = r.valueLength();
        if (value.length < n) {
            value = new byte[Math.max(n, value.length * 2)];
        }
        r.buffer().getBytes(r.valueOffset(), value, 0, n);
        try {
            state.apply(r.index(), op, agent, r.timestampNanos(), value, n);
        } catch (BlackboardRecords.MalformedException e) {
            throw new CorruptSpaceException(log.location(), "blackboard '" + name + "': " + op.label() + " record at index " + r.index()
                    + " (0x" + Long.toHexString(r.index()) + ") is malformed: " + e.getMessage());
        }
    }

    /** Starts after {@code index}: the state was restored from a snapshot reflecting the journal up to it. */
    void startAfter(final long index) {
        projection.startAfter(index);
    }

    /** The index of the last journal record read (of any key), or -1. */
    long position() {
        return projection.position();
    }

    /**
     * Applies up to {@code limit} records that are already in the journal, without waiting.
     *
     * @return how many records were read (of any key); fewer than {@code limit} means the journal's end was reached
     */
    int drain(final int limit) {
        return projection.drain(limit);
    }

    /** Applies records until the one at {@code index} (which exists: this process appended it) has been read. */
    void catchUpTo(final long index) {
        projection.catchUpTo(index);
    }

    /** Applies everything up to the journal's end (or {@code toIndex}). */
    void drainAll() {
        projection.drainAll();
    }

    @Override
    public void close() {
        projection.close();
    }
}
