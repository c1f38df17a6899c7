package io.slate.shm;

import io.slate.kv.EntryBuffer;
import io.slate.spi.RecordDescriptor;
import net.openhft.chronicle.bytes.PointerBytesStore;
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
        remembered.clear();
        remembered.entry.releaseLast();
        appender.close();
    }

    /**
     * Where the entries of keys its thread wrote are in the map, as long as that stays true: for each, the address of
     * the entry's key and value in this process's mapping of the map file and the value's size. What makes them true:
     * every change of a segment, a write or a repair by any thread of any process, is counted under the segment's guard
     * before the guard is released ({@link SegmentGuards}), and Chronicle Map moves an entry only in a change of its
     * segment (it keeps its mapping until the map is closed). So while a segment's count is where this thread's last
     * write in it left it, nobody else has changed the segment since, and the entries this thread remembers there are
     * where and as its writes left them, provided its own writes there since kept every entry in place. A write that did
     * not (an insertion, an entry moved to fit a new size) or a count found moved forgets the segment's entries at
     * once, by starting the segment's next epoch.
     *
     * <p>Remembered entries sit in a direct-mapped table by the key's hash; the key is compared, byte for byte, with
     * the key stored in the map entry. Confined to the context's thread.
     */
    static final class RememberedEntries {
        /** Table slots: a power of two. */
        static final int SLOTS = 2048;
        private static final int MASK = SLOTS - 1;

        private final long[] keyHash = new long[SLOTS];
        private final int[] keyLength = new int[SLOTS];
        private final long[] keyAddress = new long[SLOTS];
        private final long[] valueAddress = new long[SLOTS];
        private final long[] valueSize = new long[SLOTS];
        private final int[] segment = new int[SLOTS];
        /** The epoch of its segment a slot was filled in (0: never filled; epochs start at 1). */
        private final long[] epoch = new long[SLOTS];
        /** Per segment: its writes count once this thread's last write in it released the guard, or -1. */
        private long[] segmentWrites = new long[0];
        /** Per segment: the current epoch; a slot of an older epoch is forgotten. */
        private long[] segmentEpoch = new long[0];
        private final org.agrona.concurrent.UnsafeBuffer stored = new org.agrona.concurrent.UnsafeBuffer(0, 0);
        private final org.agrona.concurrent.UnsafeBuffer given;
        /** The value of the entry {@link #find} found: {@link EntryDescriptor} layout, {@link #size} bytes. */
        final PointerBytesStore entry = new PointerBytesStore();
        /** The size of the value {@link #find} found. */
        long size;

        RememberedEntries(final byte[] keyBytes) {
            given = new org.agrona.concurrent.UnsafeBuffer(keyBytes);
        }

        /**
         * Called holding {@code seg}'s guard, its writes count being {@code writes}: whether the entry of the key
         * ({@code [0, n)} of the context's key bytes, hashing to {@code hash}) is remembered and still true; then
         * {@link #entry} and {@link #size} are its value.
         */
        boolean find(final int seg, final long writes, final long hash, final int n, final int segments) {
            if (segmentWrites.length != segments) {
                segmentWrites = new long[segments];
                segmentEpoch = new long[segments];
                java.util.Arrays.fill(segmentWrites, -1);
                java.util.Arrays.fill(segmentEpoch, 1);
            }
            if (segmentWrites[seg] != writes) {
                segmentEpoch[seg]++; // changed by someone else since this thread's last write in it
                segmentWrites[seg] = -1;
                return false;
            }
            final int slot = slotOf(hash);
            if (epoch[slot] != segmentEpoch[seg] || segment[slot] != seg || keyHash[slot] != hash || keyLength[slot] != n) {
                return false;
            }
            stored.wrap(keyAddress[slot], n);
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                if (stored.getLong(i) != given.getLong(i)) {
                    return false;
                }
            }
            for (; i < n; i++) {
                if (stored.getByte(i) != given.getByte(i)) {
                    return false;
                }
            }
            size = valueSize[slot];
            entry.set(valueAddress[slot], size);
            return true;
        }

        /** The key's slot: the hash's bits mixed, as Chronicle Map picks segments by some of them. */
        private static int slotOf(final long hash) {
            return (int) (hash ^ (hash >>> 23) ^ (hash >>> 47)) & MASK;
        }

        /** Remembers an entry of {@code seg}, rewritten in place by this thread holding the guard. */
        void remember(final int seg, final long hash, final int n, final long keyAt, final long valueAt, final long valueBytes) {
            final int slot = slotOf(hash);
            keyHash[slot] = hash;
            keyLength[slot] = n;
            keyAddress[slot] = keyAt;
            valueAddress[slot] = valueAt;
            valueSize[slot] = valueBytes;
            segment[slot] = seg;
            epoch[slot] = segmentEpoch[seg];
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

        /** Forgets the segment's entries (after a write that failed part way). */
        void forget(final int seg) {
            segmentEpoch[seg]++;
            segmentWrites[seg] = -1;
        }

        /** Forgets everything. */
        void clear() {
            for (int s = 0; s < segmentEpoch.length; s++) {
                forget(s);
            }
        }
    }
}
