package io.slate.shm;

import io.slate.kv.EntryBuffer;
import io.slate.spi.RecordDescriptor;
import net.openhft.chronicle.queue.ExcerptAppender;

/**
 * Per-thread state of the write path: this thread's journal appender (Chronicle appenders are single-threaded),
 * and reusable buffers for the key's UTF-8 and the map value being composed. Confined to its thread.
 */
public final class WriterContext implements AutoCloseable {
    final ExcerptAppender appender;
    /** The thread this context belongs to (the one that made it). */
    final Thread thread = Thread.currentThread();
    final byte[] keyBytes;
    /** {@link #keyBytes} as a key for Chronicle Map, with its hash known (keys without surrogates). */
    final PrehashedKey mapKey;
    final EntryBuffer scratch = new EntryBuffer(64);
    /** The entry being written, handed to Chronicle Map, which writes it through {@link EntryMarshaller}. */
    final EntryBuffer pending = new EntryBuffer(256);
    final byte[] digits = new byte[20];
    int lastCycle = Integer.MIN_VALUE;
    /** The result of this thread's last successful increment. */
    long lastIncrement;
    /** Journal index of this thread's last successful write (-1 before the first). */
    long lastWriteIndex = -1;
    int appendsSinceSpaceCheck = Integer.MAX_VALUE;
    /** Where in the journal's file this thread last told the pretoucher it writes (Long.MIN_VALUE / 2: not yet). */
    long publishedAt = Long.MIN_VALUE / 2;
    /**
     * Where the next append publishes its journal index before committing (a segment guard's pending word, see
     * {@link SegmentGuards}), or -1: nowhere.
     */
    int pendingOffset = -1;
    org.agrona.concurrent.UnsafeBuffer pendingBuffer;

    /**
     * The record being appended, composed here before the journal's write lock is taken and then written to the
     * journal in one copy ({@link ChronicleJournal}): the header, key and agent id, and the value when it is at most
     * {@link #INLINE_VALUE_BYTES}.
     */
    final byte[] recordBytes;
    final org.agrona.concurrent.UnsafeBuffer record;
    static final int INLINE_VALUE_BYTES = 1024;

    WriterContext(final ExcerptAppender appender, final int maxKeyBytes) {
        this.appender = appender;
        // 3 bytes per char is the UTF-8 worst case for a char; keys are checked against maxKeyBytes after encoding
        this.keyBytes = new byte[Math.max(maxKeyBytes, 16) * 3 + 4];
        this.mapKey = new PrehashedKey(keyBytes);
        this.recordBytes = new byte[RecordDescriptor.HEADER_LENGTH + 2 + keyBytes.length + 1 + 255 + 4 + INLINE_VALUE_BYTES];
        this.record = new org.agrona.concurrent.UnsafeBuffer(recordBytes);
    }

    @Override
    public void close() {
        appender.close();
    }
}
