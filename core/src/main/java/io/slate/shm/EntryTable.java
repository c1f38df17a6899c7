package io.slate.shm;

import net.openhft.chronicle.bytes.PointerBytesStore;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * One thread's table of where map entries are in this process's mapping of the map file: for a key, the address of
 * its entry's key and value and the value's size, each stamped by its owner with what makes it still true (see
 * {@link WriterContext.RememberedEntries} for writers, the segment's writes count for readers). What makes any of it
 * true is the segment guards' count: every change of a segment, by any thread of any process, is counted under its
 * guard before the guard is released, and Chronicle Map moves an entry only in a change of its segment and keeps its
 * mapping until the map is closed.
 *
 * <p>Direct-mapped by the key's hash; a slot is found only for its stamp and segment, and the key is compared byte for
 * byte with the key stored in the map entry before its value is touched. The table starts at {@value #FIRST_SLOTS}
 * slots and grows (slots × 4, up to {@value #MAX_SLOTS}, 48 bytes a slot) when it is filled more than twice its slots
 * over: a thread that touches few keys, or few times (a short-lived or virtual thread), keeps a small one. Read and
 * written only holding the key's segment guard. Confined to its thread.
 */
final class EntryTable {
    /** Slots of a new table; a power of two. */
    static final int FIRST_SLOTS = 16;
    /** Slots of a table grown in full; a power of two. */
    static final int MAX_SLOTS = 2048;

    private int mask;
    /** How many entries were put in the table since it last grew. */
    private int fills;
    private long[] keyHash;
    private int[] keyLength;
    private long[] keyAddress;
    private long[] valueAddress;
    private long[] valueSize;
    /** The segment of the slot's entry; -1: empty. */
    private int[] segment;
    private long[] stamp;
    private final UnsafeBuffer stored = new UnsafeBuffer(0, 0);
    /** The key asked about: the owner's key buffer. */
    private final UnsafeBuffer given;
    /** The value of the entry {@link #find} found: {@link EntryDescriptor} layout, {@link #size} bytes. */
    final PointerBytesStore entry = new PointerBytesStore();
    /** The size of the value {@link #find} found. */
    long size;

    /** A table for keys encoded into {@code keyBytes}, the owner's buffer. */
    EntryTable(final byte[] keyBytes) {
        given = new UnsafeBuffer(keyBytes);
        allocate(FIRST_SLOTS);
    }

    /** Empty slots, {@code slots} of them. */
    private void allocate(final int slots) {
        mask = slots - 1;
        fills = 0;
        keyHash = new long[slots];
        keyLength = new int[slots];
        keyAddress = new long[slots];
        valueAddress = new long[slots];
        valueSize = new long[slots];
        segment = new int[slots];
        stamp = new long[slots];
        Arrays.fill(segment, -1);
    }

    /** How many slots the table has now (for tests). */
    int slots() {
        return mask + 1;
    }

    /** The key's slot: the hash's bits mixed, as Chronicle Map picks segments by some of them. */
    private int slotOf(final long hash) {
        return (int) (hash ^ (hash >>> 23) ^ (hash >>> 47)) & mask;
    }

    /**
     * Whether the entry of the key ({@code [0, n)} of the owner's key buffer, hashing to {@code hash}) in segment
     * {@code seg} is in the table with stamp {@code stamp}; then {@link #entry} and {@link #size} are its value.
     */
    boolean find(final int seg, final long stamp, final long hash, final int n) {
        final int slot = slotOf(hash);
        if (segment[slot] != seg || this.stamp[slot] != stamp || keyHash[slot] != hash || keyLength[slot] != n) {
            return false;
        }
        stored.wrap(keyAddress[slot], n);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if (stored.getLong(i) != given.getLong(i)) {
                return false;
            }
        }
        if (i < n && n >= 8) {
            // the tail as the key's last 8 bytes, over some compared already: no byte loop
            if (stored.getLong(n - 8) != given.getLong(n - 8)) {
                return false;
            }
            i = n;
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

    /** Puts an entry of segment {@code seg} in the table, stamped {@code stamp}: its key at {@code keyAt}, its value at {@code valueAt}. */
    void remember(final int seg, final long stamp, final long hash, final int n, final long keyAt, final long valueAt, final long valueBytes) {
        if (++fills > 2 * (mask + 1) && mask + 1 < MAX_SLOTS) {
            allocate(Math.min((mask + 1) * 4, MAX_SLOTS)); // what it held is found again and put back by the lookups that miss now
        }
        final int slot = slotOf(hash);
        keyHash[slot] = hash;
        keyLength[slot] = n;
        keyAddress[slot] = keyAt;
        valueAddress[slot] = valueAt;
        valueSize[slot] = valueBytes;
        segment[slot] = seg;
        this.stamp[slot] = stamp;
    }

    /** Empties the table and lets go of its pointer (the space is closing). */
    void close() {
        Arrays.fill(segment, -1);
        entry.releaseLast();
    }
}
