package io.slate.shm;

import io.slate.space.CorruptSpaceException;
import io.slate.space.SpaceFullException;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Positions of named tailers, {@code tailers.slate}.
 *
 * <pre>
 *  header (64 bytes): magic "SLATETLR" (8) | slot count (4) | reserved
 *  slot (128 bytes each, from offset 64):
 *   0: last delivered journal index (8 bytes; 0 = nothing delivered yet), stored with release semantics
 *   8: name length (4; 0 = free slot)
 *  12: name, UTF-8 (up to 116 bytes)
 * </pre>
 * Slots are claimed under the space's lock file (rare); positions are updated with an ordered store (a few
 * nanoseconds) each time the tailer delivers a record, before the record is handed out.
 */
public final class TailerPositions implements AutoCloseable {
    public static final long MAGIC = 0x524C_5445_5441_4C53L; // "SLATETLR"
    public static final int SLOTS = 256;
    public static final int HEADER_LENGTH = 64;
    public static final int SLOT_LENGTH = 128;
    public static final int MAX_NAME_BYTES = 116;
    static final int POSITION_OFFSET = 0;
    static final int NAME_LENGTH_OFFSET = 8;
    static final int NAME_OFFSET = 12;
    public static final int LENGTH = HEADER_LENGTH + SLOTS * SLOT_LENGTH;

    private final MappedFile file;
    private final UnsafeBuffer buffer;

    private TailerPositions(final MappedFile file) {
        this.file = file;
        this.buffer = file.buffer();
    }

    public static TailerPositions create(final Path path) {
        final MappedFile f = MappedFile.create(path, LENGTH);
        f.buffer().putInt(8, SLOTS);
        f.buffer().putLongOrdered(0, MAGIC);
        return new TailerPositions(f);
    }

    public static TailerPositions open(final Path path) {
        final MappedFile f = MappedFile.open(path, LENGTH);
        if (f.buffer().getLongVolatile(0) != MAGIC) {
            f.close();
            throw new CorruptSpaceException(path, "not a Slate tailer file (bad magic)");
        }
        return new TailerPositions(f);
    }

    private static int offset(final int slot) {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }

    public static byte[] checkName(final String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tailer name must not be empty");
        }
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tailer name '" + name + "' is " + bytes.length + " UTF-8 bytes, at most " + MAX_NAME_BYTES);
        }
        return bytes;
    }

    /** The slot holding {@code name}, or -1. */
    public int find(final byte[] name) {
        final byte[] tmp = new byte[MAX_NAME_BYTES];
        for (int s = 0; s < SLOTS; s++) {
            final int o = offset(s);
            final int len = buffer.getIntVolatile(o + NAME_LENGTH_OFFSET);
            if (len == name.length) {
                buffer.getBytes(o + NAME_OFFSET, tmp, 0, len);
                if (Arrays.equals(tmp, 0, len, name, 0, len)) {
                    return s;
                }
            }
        }
        return -1;
    }

    /** The slot for {@code name}, claiming a free one if needed. Call under the space's lock file. */
    public int findOrClaim(final byte[] name) {
        final int found = find(name);
        if (found >= 0) {
            return found;
        }
        for (int s = 0; s < SLOTS; s++) {
            final int o = offset(s);
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) == 0) {
                buffer.putLong(o + POSITION_OFFSET, 0);
                buffer.putBytes(o + NAME_OFFSET, name);
                buffer.putIntOrdered(o + NAME_LENGTH_OFFSET, name.length);
                return s;
            }
        }
        throw new SpaceFullException(file.path(), "all " + SLOTS + " named tailer slots are in use");
    }

    /** Frees a slot. Call under the space's lock file. */
    public void free(final int slot) {
        buffer.putIntOrdered(offset(slot) + NAME_LENGTH_OFFSET, 0);
        buffer.putLongOrdered(offset(slot) + POSITION_OFFSET, 0);
    }

    public long position(final int slot) {
        return buffer.getLongVolatile(offset(slot) + POSITION_OFFSET);
    }

    /** Stores the last delivered index with release semantics. */
    public void position(final int slot, final long index) {
        buffer.putLongOrdered(offset(slot) + POSITION_OFFSET, index);
    }

    /** Stores {@code index} if the position is still {@code expected} (a compare-and-set). */
    public boolean advance(final int slot, final long expected, final long index) {
        return buffer.compareAndSetLong(offset(slot) + POSITION_OFFSET, expected, index);
    }

    /** The value a lost position holds: negative, so that no tailer's compare-and-set from a real index succeeds. */
    public static final long LOST = -1;

    /**
     * Marks lost every position that has not delivered the records before {@code keepFromCycle} (which retention is
     * about to retire): one that delivered nothing yet, or whose last delivered record is in an earlier cycle.
     * Returns how many were marked.
     */
    public int markLostBefore(final int keepFromCycle, final java.util.function.LongToIntFunction cycleOf) {
        int n = 0;
        for (int s = 0; s < SLOTS; s++) {
            final int o = offset(s);
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) == 0) {
                continue;
            }
            while (true) {
                final long p = buffer.getLongVolatile(o + POSITION_OFFSET);
                if (p < 0 || (p != 0 && cycleOf.applyAsInt(p) >= keepFromCycle)) {
                    break;
                }
                if (buffer.compareAndSetLong(o + POSITION_OFFSET, p, LOST)) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** The positions of every named tailer that has delivered something. Allocates. */
    public long[] positions() {
        final long[] found = new long[SLOTS];
        int n = 0;
        for (int s = 0; s < SLOTS; s++) {
            final int o = offset(s);
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) != 0) {
                final long p = buffer.getLongVolatile(o + POSITION_OFFSET);
                if (p > 0) {
                    found[n++] = p;
                }
            }
        }
        return Arrays.copyOf(found, n);
    }

    /**
     * The smallest position of any named tailer that has delivered something ({@code Long.MIN_VALUE} when one has
     * delivered nothing yet), or {@code Long.MAX_VALUE}. Lost positions hold nothing back.
     */
    public long minPosition() {
        long min = Long.MAX_VALUE;
        for (int s = 0; s < SLOTS; s++) {
            final int o = offset(s);
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) != 0) {
                final long p = buffer.getLongVolatile(o + POSITION_OFFSET);
                if (p >= 0) {
                    min = Math.min(min, p == 0 ? Long.MIN_VALUE : p);
                }
            }
        }
        return min;
    }

    @Override
    public void close() {
        file.close();
    }
}
