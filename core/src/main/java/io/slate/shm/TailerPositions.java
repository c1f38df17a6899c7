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
 *   8: name length (4; 0 = free slot, &gt; 0 named, negative while being claimed)
 *  12: name, UTF-8 (up to 116 bytes)
 * </pre>
 * Slots are claimed and freed without a lock by {@link NameClaims}: the 8 bytes at 8 (the name length and the first
 * four name bytes) are its claim word, the position its owner word, which holds the claimer's marker (a negative
 * value below -1) until the claim is published. A published slot reads exactly as one claimed by older builds under
 * the space's lock file, so files from before are read unchanged. Only slots whose name length is positive are
 * named tailers; retention counts a marker position as "nothing delivered". Positions are updated with an ordered
 * store (a few nanoseconds) each time the tailer delivers a record, before the record is handed out.
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
    private final Layout layout = new Layout();
    private final NameClaims claims;

    private TailerPositions(final MappedFile file) {
        this.file = file;
        this.buffer = file.buffer();
        this.claims = new NameClaims(buffer, layout, file.path(), "named tailer");
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

    /** The published slot holding {@code name}, or -1. Takes no lock. */
    public int find(final byte[] name) {
        return claims.find(name);
    }

    /**
     * The slot for {@code name}, claiming a free one if needed: lock-free, exactly one slot per name however many
     * processes claim it at once (see {@link NameClaims}). A new slot starts at position 0 (nothing delivered).
     */
    public int findOrClaim(final byte[] name) {
        return claims.findOrClaim(name, new NameClaims.Claim() {
            @Override
            public void prepare(final int slot) {
                if (name.length > 4) {
                    buffer.putBytes(offset(slot) + NAME_OFFSET + 4, name, 4, name.length - 4);
                }
            }

            @Override
            public long publishedWord() {
                return claimWord(name);
            }

            @Override
            public long publishedOwner() {
                return 0; // the position of a tailer that delivered nothing yet
            }
        });
    }

    /** The claim word of a published slot named {@code name}: its length, and its first four bytes above. */
    static long claimWord(final byte[] name) {
        long first = 0;
        for (int i = 0; i < Math.min(4, name.length); i++) {
            first |= (name[i] & 0xFFL) << (8 * i);
        }
        return first << 32 | name.length;
    }

    /**
     * Deletes the named tailer {@code name} if it exists: its slot is freed by one compare-and-set of its claim word,
     * no lock. True if this call freed it.
     */
    public boolean delete(final byte[] name) {
        while (true) {
            final int slot = find(name);
            if (slot < 0) {
                return false;
            }
            final long word = buffer.getLongVolatile(offset(slot) + NAME_LENGTH_OFFSET);
            if (NameClaims.isPublished(word) && layout.nameIs(slot, word, name) && claims.free(slot, word)) {
                return true;
            }
        }
    }

    /** How many published slots hold {@code name} (at most one, by construction). For checks and tests. */
    public int count(final byte[] name) {
        int n = 0;
        for (int s = 0; s < SLOTS; s++) {
            final long w = buffer.getLongVolatile(offset(s) + NAME_LENGTH_OFFSET);
            if (NameClaims.isPublished(w) && layout.nameIs(s, w, name)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Completes or undoes every claim whose claimer is dead, then counts the slots still between free and published
     * (claims of live processes under way). For checks and tests.
     */
    public int claimsInProgress() {
        int n = 0;
        for (int s = 0; s < SLOTS; s++) {
            claims.recover(s);
            final long w = buffer.getLongVolatile(offset(s) + NAME_LENGTH_OFFSET);
            if ((int) w != 0 && (!NameClaims.isPublished(w) || NameClaims.isMarker(buffer.getLongVolatile(offset(s) + POSITION_OFFSET)))) {
                n++;
            }
        }
        return n;
    }

    /** The claim and owner words of every slot not free, for diagnostics. */
    public String dump() {
        final StringBuilder b = new StringBuilder();
        for (int s = 0; s < SLOTS; s++) {
            final long w = buffer.getLongVolatile(offset(s) + NAME_LENGTH_OFFSET);
            if ((int) w != 0) {
                b.append(s).append(": W=").append(Long.toHexString(w)).append(" P=").append(Long.toHexString(buffer.getLongVolatile(offset(s))))
                        .append(' ');
            }
        }
        return b.toString();
    }

    /** How many slots are published. */
    public int used() {
        int n = 0;
        for (int s = 0; s < SLOTS; s++) {
            if (NameClaims.isPublished(buffer.getLongVolatile(offset(s) + NAME_LENGTH_OFFSET))) {
                n++;
            }
        }
        return n;
    }

    private final class Layout implements NameClaims.Layout {
        @Override
        public int slots() {
            return SLOTS;
        }

        @Override
        public int claimOffset(final int slot) {
            return offset(slot) + NAME_LENGTH_OFFSET; // the length and the first four name bytes: 8-byte aligned
        }

        @Override
        public int ownerOffset(final int slot) {
            return offset(slot) + POSITION_OFFSET;
        }

        @Override
        public boolean nameIs(final int slot, final long word, final byte[] name) {
            final int len = (int) word & 0x7FFF_FFFF;
            if (len != name.length) {
                return false;
            }
            final long first = word >>> 32;
            for (int i = 0; i < Math.min(4, len); i++) {
                if ((byte) (first >>> (8 * i)) != name[i]) {
                    return false;
                }
            }
            final int o = offset(slot) + NAME_OFFSET;
            for (int i = 4; i < len; i++) {
                if (buffer.getByte(o + i) != name[i]) {
                    return false;
                }
            }
            return true;
        }
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
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) <= 0) {
                continue; // free, or being claimed
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
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) > 0) {
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
            if (buffer.getIntVolatile(o + NAME_LENGTH_OFFSET) > 0) {
                final long p = buffer.getLongVolatile(o + POSITION_OFFSET);
                if (p >= 0 || NameClaims.isMarker(p)) { // a marker: just claimed, nothing delivered yet
                    min = Math.min(min, p <= 0 ? Long.MIN_VALUE : p);
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
