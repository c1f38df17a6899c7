package io.slate.shm;

import io.slate.kv.EntryBuffer;
import io.slate.spi.RecordDescriptor;
import net.openhft.chronicle.queue.ExcerptAppender;

/**
 * Per-thread state of the write path: this thread's journal appender (Chronicle appenders are single-threaded),
 * reusable buffers for the key's UTF-8 and the map value being composed, and where the entries of keys it wrote
 * are in the map ({@link RememberedEntries}). Confined to its thread.
 */
public final class WriterContext implements AutoCloseable {
    final ExcerptAppender appender;
    /** The thread this context belongs to (the one that made it). */
    final Thread thread = Thread.currentThread();
    final byte[] keyBytes;
    /**
     * The {@code String} whose UTF-8 {@link #keyBytes} holds ({@link #encodedNameLength} bytes), or null: a journal
     * record named like this thread's last one is not encoded again. Whoever writes {@link #keyBytes} clears it first.
     */
    CharSequence encodedName;
    int encodedNameLength;
    /** {@link #keyBytes} as a key for Chronicle Map, with its hash known (keys without surrogates). */
    final PrehashedKey mapKey;
    final EntryBuffer scratch = new EntryBuffer(64);
    /** The entry being written, handed to Chronicle Map, which writes it through {@link EntryMarshaller}. */
    final EntryBuffer pending = new EntryBuffer(256);
    final byte[] digits = new byte[20];
    /** How many of {@link #digits} the last increment's new value takes. */
    int incrementLength;
    /** Where the entries of keys this thread wrote are in the map, while nobody else has changed their segments. */
    final RememberedEntries remembered;
    /** How many writes found their entry remembered (for tests; written by the context's thread only). */
    long rememberedWrites;
    int lastCycle = Integer.MIN_VALUE;
    /** The result of this thread's last successful increment. */
    long lastIncrement;
    /** Timestamp of this thread's last journal record (the one its last append wrote). */
    long stamp;
    /** The wall clock as Chronicle read it for this thread's append under way ({@link JournalClock}), or none. */
    long clockReading = JournalClock.NONE;
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
        this.remembered = new RememberedEntries(keyBytes);
    }

    @Override
    public void close() {
        remembered.table.close();
        appender.close();
    }

    /**
     * Where the entries of keys its thread rewrote in place are in the map ({@link EntryTable}), while that stays true.
     * While a segment's writes count is where this thread's last write in it left it, nobody else has changed the
     * segment since, so the entries this thread remembers there are where and as its writes left them, provided its own
     * writes there since kept every entry in place. A write that did not (an insertion, an entry moved to fit a new
     * size) or a count found moved forgets the segment's entries at once: the segment's next epoch starts, and the
     * table's slots are stamped with the epoch they were filled in. Confined to the context's thread.
     */
    static final class RememberedEntries {
        final EntryTable table;
        /** Per segment: its writes count once this thread's last write in it released the guard, or -1. */
        private long[] segmentWrites = new long[0];
        /** Per segment: the current epoch; a slot stamped with an older one is forgotten. */
        private long[] segmentEpoch = new long[0];

        RememberedEntries(final byte[] keyBytes) {
            table = new EntryTable(keyBytes);
        }

        /**
         * Called holding {@code seg}'s guard, its writes count being {@code writes}: whether the entry of the key
         * ({@code [0, n)} of the context's key bytes, hashing to {@code hash}) is remembered and still true; then the
         * table's {@link EntryTable#entry} and {@link EntryTable#size} are its value.
         */
        boolean find(final int seg, final long writes, final long hash, final int n, final int segments) {
            if (segmentWrites.length != segments) {
                segmentWrites = new long[segments];
                segmentEpoch = new long[segments];
                java.util.Arrays.fill(segmentWrites, -1);
            }
            if (segmentWrites[seg] != writes) {
                forget(seg); // changed by someone else since this thread's last write in it
                return false;
            }
            return table.find(seg, segmentEpoch[seg], hash, n);
        }

        /** Remembers an entry of {@code seg}, rewritten in place by this thread holding the guard. */
        void remember(final int seg, final long hash, final int n, final long keyAt, final long valueAt, final long valueBytes) {
            table.remember(seg, segmentEpoch[seg], hash, n, keyAt, valueAt, valueBytes);
        }

        /**
         * After this thread's write in {@code seg} (holding its guard, the count at {@code writes}): the count its
         * release leaves; and, unless the write kept every entry of the segment in place, the segment's entries forgotten.
         */
        void wrote(final int seg, final long writes, final boolean inPlace) {
            if (!inPlace) {
                segmentEpoch[seg]++;
            }
            segmentWrites[seg] = writes + 1;
        }

        /** Forgets the segment's entries (its count moved, or a write failed part way). */
        void forget(final int seg) {
            segmentEpoch[seg]++;
            segmentWrites[seg] = -1;
        }
    }
}
