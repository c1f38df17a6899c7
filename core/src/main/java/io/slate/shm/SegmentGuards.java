package io.slate.shm;

import io.slate.shm.sync.ShmSync;
import io.slate.shm.sync.OwnerLock;
import io.slate.space.CorruptSpaceException;
import io.slate.space.IncompatibleFormatException;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.hash.impl.BigSegmentHeader;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.MapSegmentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One guard word per Chronicle Map segment, in {@code guards.slate}: every access to a segment of the key/value map
 * (read, write, iteration) happens while holding that segment's guard, so that a process killed with SIGKILL inside
 * Chronicle Map can be repaired exactly (see {@code docs/recovery.md}).
 *
 * <p>Chronicle Map's own segment lock records no owner: a process that dies holding it (or a read share of it) leaves
 * it held, and the others fail with an {@code InterProcessDeadLockException} after a minute. The guard is an owner
 * word of ours ({@link OwnerLock}: the agent's incarnation and slot, exact liveness through the agent table and
 * /proc). Because no process touches a segment without its guard, whoever holds the guard is the only process that
 * can hold the segment's Chronicle Map lock. So the survivor that takes a guard over from a dead owner (one
 * compare-and-set from the dead owner's exact word: of several survivors exactly one wins) knows nobody is inside the
 * segment, and repairs it: it resets the segment's Chronicle Map lock word, then finishes the dead writer's write from
 * the journal ({@link Repairer}).
 *
 * <pre>
 *  header (64 bytes)
 *   0 magic "SLATEGRD" (8) | 8 format major (4) | 12 format minor (4) | 16 segments (4) | 20 slot length (4)
 *  24 created, epoch millis (8) | 32 keys ever inserted, approximate (8) | 40 repairs done (8) | 48 reserved
 *  slot i (64 bytes, one cache line), at 64 + 64 * i:
 *   0 owner word (8): 0 free, else the holder's owner word (CAS)
 *   8 pending journal index (8): 0 none; else the index of a key/value record appended under this guard that may
 *     not be in the map yet. Written inside the journal write, before the record is committed, and cleared after the
 *     map holds it. (A journal index is never 0: its cycle counts from the epoch.)
 *  16 waiting writer (8): 0, or the owner word of a writer waiting for this guard; readers let it go first
 *  24 writes (8), format 2: how many times the segment was changed under this guard (a write, or a repair), bumped
 *     before the guard is released. A reader that finds the guard free and this count where it was when it last
 *     read a key of the segment under the guard knows the key's entry is as it read it then ({@link #writesIfFree}).
 *  32 reserved
 * </pre>
 * Format 1 files (made by builds before the writes count) are read and written as before; their readers take the
 * guard on every read, because a writer of such a build does not count its writes. Builds that read format 1 only
 * refuse a format 2 file with a clear error rather than write without counting.
 * Thread-safe: the guard is a mutex between all threads of all processes; it is not reentrant.
 */
public final class SegmentGuards {
    public static final String FILE_NAME = "guards.slate";
    static final long MAGIC = 0x4452_4745_5441_4C53L; // "SLATEGRD"
    static final int FORMAT_MAJOR = 2;
    static final int FORMAT_MINOR = 0;
    /** The oldest format this build opens: format 1 has no writes count (its readers always take the guard). */
    static final int OLDEST_FORMAT_MAJOR = 1;
    static final int HEADER_LENGTH = 64;
    static final int SLOT_LENGTH = 64;
    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_MAJOR_OFFSET = 8;
    static final int FORMAT_MINOR_OFFSET = 12;
    static final int SEGMENTS_OFFSET = 16;
    static final int SLOT_LENGTH_OFFSET = 20;
    static final int CREATED_OFFSET = 24;
    static final int KEYS_OFFSET = 32;
    static final int REPAIRS_OFFSET = 40;
    static final int OWNER_OFFSET = 0;
    static final int PENDING_OFFSET = 8;
    static final int WAITING_WRITER_OFFSET = 16;
    static final int WRITES_OFFSET = 24;
    /** How long a reader gives way to a waiting writer (re-reads of the word) before it checks the writer is alive. */
    static final int READER_DEFER_SPINS = 20_000;

    /** Finishes a dead writer's write: called with the segment's guard held and its Chronicle Map lock reset. */
    @FunctionalInterface
    interface Repairer {
        void repair(int segment, long pendingIndex);
    }

    private static final LongHashFunction KEY_HASH = LongHashFunction.xx_r39();

    /** Keys re-encoded Chronicle's way (only for keys with surrogates); 3 bytes per char at most. */
    private final ThreadLocal<byte[]> chronicleKeyBytes;

    private final MappedFile file;
    private final UnsafeBuffer buffer;
    private final VanillaChronicleHash<?, ?, ?, ?> map;
    private final ChronicleMap<?, ?> chronicleMap;
    private final OwnerLock[] locks;
    private final int segments;
    private final Repairer repairer;
    /** Whether the file counts writes (format 2): readers may then skip the guard for an unchanged segment. */
    private final boolean countsWrites;
    /** Written only by a thread holding a guard it repairs; read by tests. */
    private volatile long structureRepairs;

    private SegmentGuards(final MappedFile file, final ChronicleMap<?, ?> chronicleMap, final VanillaChronicleHash<?, ?, ?, ?> map,
                          final ShmSync sync, final Repairer repairer, final int maxKeyBytes) {
        this.file = file;
        this.buffer = file.buffer();
        this.map = map;
        this.chronicleMap = chronicleMap;
        this.segments = map.segments();
        this.repairer = repairer;
        this.countsWrites = buffer.getInt(FORMAT_MAJOR_OFFSET) >= 2;
        final int maxKeyChars = Math.max(64, 2 * maxKeyBytes);
        this.chronicleKeyBytes = ThreadLocal.withInitial(() -> new byte[3 * maxKeyChars]);
        this.locks = new OwnerLock[segments];
        for (int i = 0; i < segments; i++) {
            locks[i] = new OwnerLock(sync, buffer, slotOffset(i) + OWNER_OFFSET, true); // held for one map operation
        }
    }

    static int fileLength(final int segments) {
        return HEADER_LENGTH + segments * SLOT_LENGTH;
    }

    private static int slotOffset(final int segment) {
        return HEADER_LENGTH + segment * SLOT_LENGTH;
    }

    /**
     * Opens the guards of {@code space}'s map, creating the file complete when it is missing. Takes no lock: the file
     * is made under a temporary name and linked into place ({@link MappedFile#createAtomically}).
     */
    static SegmentGuards open(final ChronicleSpace space, final ChronicleMap<?, ?> map, final Repairer repairer) {
        final ShmSync sync = ShmSync.of(space);
        final VanillaChronicleHash<?, ?, ?, ?> vmap = (VanillaChronicleHash<?, ?, ?, ?>) map;
        final int segments = vmap.segments();
        final Path path = space.directory().resolve(FILE_NAME);
        if (!Files.exists(path)) {
            create(path, segments, map.longSize());
        }
        final MappedFile f = MappedFile.open(path, fileLength(segments)); // size checked before mapping
        try {
            check(f.buffer(), path, segments);
            return new SegmentGuards(f, map, vmap, sync, repairer, space.options().maxKeyBytes());
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** Creates the file complete, unless another process did first. */
    private static void create(final Path path, final int segments, final long keys) {
        MappedFile.createAtomically(path, fileLength(segments), b -> {
            b.putInt(FORMAT_MAJOR_OFFSET, FORMAT_MAJOR);
            b.putInt(FORMAT_MINOR_OFFSET, FORMAT_MINOR);
            b.putInt(SEGMENTS_OFFSET, segments);
            b.putInt(SLOT_LENGTH_OFFSET, SLOT_LENGTH);
            b.putLong(CREATED_OFFSET, System.currentTimeMillis());
            b.putLong(KEYS_OFFSET, keys);
            b.putLongOrdered(MAGIC_OFFSET, MAGIC); // release: magic last
        });
    }

    private static void check(final UnsafeBuffer b, final Path path, final int segments) {
        if (b.getLongVolatile(MAGIC_OFFSET) != MAGIC) {
            throw new CorruptSpaceException(path, "not a Slate segment guards file (bad magic)");
        }
        final int major = b.getInt(FORMAT_MAJOR_OFFSET);
        if (major < OLDEST_FORMAT_MAJOR || major > FORMAT_MAJOR) {
            throw new IncompatibleFormatException(path, "segment guards format " + major + "." + b.getInt(FORMAT_MINOR_OFFSET)
                    + " cannot be read by this build, which reads formats " + OLDEST_FORMAT_MAJOR + ".x to " + FORMAT_MAJOR + ".x");
        }
        if (b.getInt(SEGMENTS_OFFSET) != segments || b.getInt(SLOT_LENGTH_OFFSET) != SLOT_LENGTH) {
            throw new CorruptSpaceException(path, "segment guards file has " + b.getInt(SEGMENTS_OFFSET) + " segments of "
                    + b.getInt(SLOT_LENGTH_OFFSET) + " bytes; the key/value map has " + segments + " segments");
        }
    }

    /** The number of segments. */
    int segments() {
        return segments;
    }

    /**
     * The segment Chronicle Map keeps a key in: Chronicle Map's own key hash (xxHash r39) of the key as its
     * CharSequence marshaller writes it, split by the map's {@code hashSplitting}. That marshaller writes UTF-8 char by
     * char, so a character outside the Basic Multilingual Plane becomes its two surrogates, 3 bytes each, where UTF-8
     * proper (our journal's) uses 4. {@code utf8} holds the key's UTF-8 ({@code length} bytes): when the key has no
     * surrogates the two are the same bytes; else the key is encoded again, Chronicle's way, into a per-thread
     * buffer. The write path checks the answer against Chronicle Map's on every write.
     */
    int segmentOf(final CharSequence key, final byte[] utf8, final int length) {
        if (length != key.length()) { // not all ASCII: a surrogate makes the encodings differ
            for (int i = 0; i < key.length(); i++) {
                if (Character.isSurrogate(key.charAt(i))) {
                    final byte[] b = chronicleKeyBytes.get();
                    return split(b, chronicleUtf8(key, b));
                }
            }
        }
        return split(utf8, length);
    }

    private int split(final byte[] bytes, final int length) {
        return map.hashSplitting.segmentIndex(KEY_HASH.hashBytes(bytes, 0, length));
    }

    /**
     * True when the key's UTF-8 ({@code utf8Length} bytes) is exactly what Chronicle Map's CharSequence marshaller
     * writes for it: the key has no surrogates (an ASCII key, the common case, is seen from its length alone).
     */
    static boolean encodedAlike(final CharSequence key, final int utf8Length) {
        if (utf8Length != key.length()) {
            for (int i = 0; i < key.length(); i++) {
                if (Character.isSurrogate(key.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Chronicle Map's hash of a key whose bytes it would write as {@code bytes} ({@link #encodedAlike}). */
    static long keyHash(final byte[] bytes, final int length) {
        return KEY_HASH.hashBytes(bytes, 0, length);
    }

    /** The segment of a key with that hash ({@link #keyHash}). */
    int segmentOfHash(final long hash) {
        return map.hashSplitting.segmentIndex(hash);
    }

    /** UTF-8 char by char (surrogates encoded one by one, 3 bytes each), as Chronicle writes a CharSequence. */
    static int chronicleUtf8(final CharSequence key, final byte[] out) {
        int n = 0;
        for (int i = 0; i < key.length(); i++) {
            final char c = key.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | c >> 6);
                out[n++] = (byte) (0x80 | c & 0x3F);
            } else {
                out[n++] = (byte) (0xE0 | c >> 12);
                out[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return n;
    }

    /**
     * Takes the segment's guard to write, waiting as long as it takes; when it was taken over from a dead owner,
     * repairs the segment before returning. A writer that has to wait says so in the slot's waiting-writer word, and
     * readers let it go first ({@link #lockToRead}): without that, an agent spinning on {@code get} of a key would
     * win the guard back within nanoseconds of each release and starve the writer it is waiting for.
     */
    void lockToWrite(final int segment) {
        final OwnerLock l = locks[segment];
        if (l.tryFast()) {
            return;
        }
        final int waiting = slotOffset(segment) + WAITING_WRITER_OFFSET;
        final long me = l.ownerWord();
        buffer.putLongVolatile(waiting, me);
        try {
            lock(segment, l);
        } finally {
            buffer.compareAndSetLong(waiting, me, 0); // unless a later writer has put its own word there
        }
    }

    /**
     * Takes the segment's guard to read: as {@link #lockToWrite} (the guard is a mutex), but first gives way, for a
     * bounded time, to a writer waiting for it. A waiting-writer word left by a writer that died is cleared by the
     * first reader that finds it still there after {@link #READER_DEFER_SPINS} spins.
     */
    void lockToRead(final int segment) {
        final OwnerLock l = locks[segment];
        final int waiting = slotOffset(segment) + WAITING_WRITER_OFFSET;
        long w = buffer.getLongVolatile(waiting);
        if (w != 0 && w != l.ownerWord()) {
            for (int spins = 0; w != 0; spins++) {
                if (spins == READER_DEFER_SPINS) {
                    if (!l.isAlive(w)) {
                        buffer.compareAndSetLong(waiting, w, 0);
                    }
                    break; // a live writer that waits this long is descheduled: read anyway
                }
                Thread.onSpinWait();
                w = buffer.getLongVolatile(waiting);
            }
        }
        if (l.tryFast()) {
            return;
        }
        lock(segment, l);
    }

    private void lock(final int segment, final OwnerLock l) {
        final long dead = l.acquire(OwnerLock.FOREVER);
        if (dead > 0) {
            try {
                repair(segment);
            } catch (RuntimeException | Error e) {
                // hand the guard back to the dead owner's word: the next taker finds it dead and repairs again
                buffer.putLongOrdered(slotOffset(segment) + OWNER_OFFSET, dead);
                throw e;
            }
        }
    }

    /** Releases the segment's guard (release store: everything written under it is visible to the next holder). */
    void unlock(final int segment) {
        locks[segment].releaseOrdered();
    }

    /**
     * Releases the guard of a segment the caller may have changed: counts the write first, so that a reader that
     * kept what it read of the segment ({@link #writesIfFree}) reads it again. Every write path releases this way,
     * whether or not it changed the map (a refused compare-and-set costs a reader one guarded read, nothing more).
     */
    void unlockAfterWrite(final int segment) {
        countWrite(segment);
        locks[segment].releaseOrdered();
    }

    private void countWrite(final int segment) {
        final int o = slotOffset(segment) + WRITES_OFFSET;
        buffer.putLongOrdered(o, buffer.getLong(o) + 1); // only the guard's holder writes it
    }

    /** Whether readers may keep what they read between two reads of a segment ({@link #writesIfFree}). */
    boolean countsWrites() {
        return countsWrites;
    }

    /**
     * The segment's writes count when its guard is free, else -1 (a write may be under way). Two volatile reads of one
     * cache line, no write: spinning readers do not take the line from the writer they wait for. The guard word is
     * read first: a write takes the guard before it changes anything and counts itself before it releases, so a free
     * guard and an unchanged count mean the segment holds what it held when the count was last read under the guard.
     */
    long writesIfFree(final int segment) {
        final int o = slotOffset(segment);
        if (buffer.getLongVolatile(o + OWNER_OFFSET) != 0) {
            return -1;
        }
        return buffer.getLongVolatile(o + WRITES_OFFSET);
    }

    /** The segment's writes count, read by a holder of its guard (stable while it is held). */
    long writesHeld(final int segment) {
        return buffer.getLongVolatile(slotOffset(segment) + WRITES_OFFSET);
    }

    private void repair(final int segment) {
        final long header = map.segmentHeaderAddress(segment);
        // nobody else is inside the segment: every access holds the guard, and we hold it
        if (BigSegmentHeader.INSTANCE.getLockState(header) != 0) {
            BigSegmentHeader.INSTANCE.resetLock(header);
        }
        recoverStructure(segment, header);
        final int o = slotOffset(segment);
        final long pending = buffer.getLongVolatile(o + PENDING_OFFSET);
        if (pending != 0) {
            repairer.repair(segment, pending);
            buffer.putLongOrdered(o + PENDING_OFFSET, 0);
        }
        countWrite(segment); // the map may have changed: readers that kept an entry of the segment read again
        buffer.getAndAddLong(REPAIRS_OFFSET, 1);
    }

    /**
     * Makes the segment's entry counter agree with its entries again. The dead process may have died inside Chronicle
     * Map's insert or remove between linking or unlinking an entry and counting it (the chaos test hit this: an
     * iteration then fails with "Size diverged", and a counter behind would hide entries from iteration). The entries
     * are counted by walking the whole hash lookup (with the counter set out of reach, the walk cannot stop early and
     * ends in Chronicle Map's divergence check, which is expected here), and the counter is set to that count. Nothing
     * else is touched: entries and the journal stay as they are (Chronicle Map's full recovery also removes what it
     * takes for duplicates, and it can keep an older copy of a key than the map held). First tier only; safe here for
     * the same reason the lock reset is: the guard keeps everyone else out.
     */
    private void recoverStructure(final int segment, final long header) {
        final long counted = BigSegmentHeader.INSTANCE.entries(header);
        BigSegmentHeader.INSTANCE.entries(header, Integer.MAX_VALUE);
        final long[] actual = {0};
        try (MapSegmentContext<?, ?, ?> c = chronicleMap.segmentContext(segment)) {
            c.forEachSegmentEntry(e -> actual[0]++);
        } catch (IllegalStateException expected) {
            // "Size diverged": the walk went through every slot, as intended
        }
        BigSegmentHeader.INSTANCE.entries(header, actual[0]);
        if (actual[0] != counted) {
            structureRepairs++;
        }
    }

    /** Inconsistencies in Chronicle Map's segments that repairs by this handle fixed (for tests and diagnostics). */
    public long structureRepairs() {
        return structureRepairs;
    }

    /** The file and offset where a writer holding {@code segment}'s guard publishes the index it is appending. */
    UnsafeBuffer buffer() {
        return buffer;
    }

    static int pendingOffset(final int segment) {
        return slotOffset(segment) + PENDING_OFFSET;
    }

    /** Marks the segment's pending write as applied. The caller holds the guard. */
    void clearPending(final int segment) {
        buffer.putLong(slotOffset(segment) + PENDING_OFFSET, 0); // published by the guard's release store
    }

    /** Counts a key inserted into the map (approximate across crashes: only for the capacity check and stats). */
    long keysInserted(final long delta) {
        return buffer.getAndAddLong(KEYS_OFFSET, delta) + delta;
    }

    /** Keys ever inserted into the map (tombstones included), as counted by the writers. */
    long keys() {
        return buffer.getLongVolatile(KEYS_OFFSET);
    }

    /** How many times a guard was taken over from a dead owner and its segment repaired. */
    public long repairs() {
        return buffer.getLongVolatile(REPAIRS_OFFSET);
    }

    void close() {
        // not unmapped: a thread of this process may still be spinning on a guard word (see MappedFile)
    }
}
