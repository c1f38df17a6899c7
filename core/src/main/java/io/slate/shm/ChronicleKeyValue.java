package io.slate.shm;

import io.slate.internal.Utf8;
import io.slate.internal.EntryMarshaller;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.idle.IdleStrategy;
import io.slate.spi.KeyValueStore;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordCursor;
import io.slate.spi.RecordDescriptor;
import io.slate.kv.Values;
import io.slate.space.SpaceFullException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The key/value map on Chronicle Map. The write path (see {@code docs/space-format.md}):
 * <ol>
 *   <li>take the key's segment write lock and check the expected version;</li>
 *   <li>append the journal record: the commit point;</li>
 *   <li>apply it to the map entry, release the lock, return the new version.</li>
 * </ol>
 * Because the append happens under the key's lock, each key's records appear in the journal in version order.
 * Thread-safe; each thread writes through its own {@link WriterContext}.
 */
public final class ChronicleKeyValue implements KeyValueStore {
    private static final int PUT = 0;
    private static final int PUT_IF_ABSENT = 1;
    private static final int CAS = 2;
    private static final int REMOVE = 3;
    private static final int REMOVE_IF_VERSION = 4;
    /** Adds {@code expected} (the delta) to the decimal long under the key, read and written under the key's lock. */
    private static final int INCREMENT = 5;
    private static final byte[] EMPTY = new byte[0];

    private final ChronicleSpace space;
    private final ChronicleMap<CharSequence, EntryBuffer> map;
    /**
     * Whether a write whose entry keeps its size rewrites the fields in the map's memory itself
     * ({@link #writeInPlace}) instead of through Chronicle Map's replace: only in a map without entry checksums (space
     * format 1.3 on), whose checksum such a write would leave stale.
     */
    private final boolean inPlace;
    private final ChronicleJournal journal;
    private final Path mapPath;
    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final long maxEntries;
    private final byte[] agentId;
    private final ThreadLocal<WriterContext> writers;
    /** Per-thread buffers for the reads that return a copy (get, version). */
    private final ThreadLocal<EntryBuffer> readers = ThreadLocal.withInitial(() -> new EntryBuffer(64));
    private final CopyOnWriteArrayList<WriterContext> allWriters = new CopyOnWriteArrayList<>();
    /** Per-thread UTF-8 key buffers for the reads, which need the key's segment, and what each thread read last. */
    private final ThreadLocal<ReadCache> readCaches;
    /** The last thread to write and its context: spares the appends of a one-writer agent the thread-local lookup. */
    private volatile WriterContext lastWriter;
    /** Each waiting thread's journal cursor ({@link #awaitChange(CharSequence, long, EntryBuffer, long, TimeUnit)}). */
    private final ThreadLocal<ChangeWait> changeWaits = ThreadLocal.withInitial(this::newChangeWait);
    private final CopyOnWriteArrayList<ChangeWait> allChangeWaits = new CopyOnWriteArrayList<>();
    /** Made on first use (it opens the guards and sync files, which takes no lock; an agent that never reads skips it). */
    private volatile SegmentGuards guards;

    ChronicleKeyValue(final ChronicleSpace space) {
        this.space = space;
        this.map = space.map();
        this.inPlace = map instanceof VanillaChronicleHash && !((VanillaChronicleHash<?, ?, ?, ?>) map).checksumEntries;
        this.journal = space.chronicleJournal();
        this.mapPath = space.directory().resolve(SpaceDescriptor.MAP_FILE_NAME);
        this.maxKeyBytes = space.options().maxKeyBytes();
        this.maxValueBytes = space.options().maxValueBytes();
        this.maxEntries = space.options().maxEntries();
        this.agentId = space.agentIdBytes();
        this.readCaches = ThreadLocal.withInitial(() -> new ReadCache(Math.max(maxKeyBytes, 16) * 3 + 4));
        this.writers = ThreadLocal.withInitial(() -> {
            space.ensureOpen();
            final WriterContext w = new WriterContext(newAppender(space), maxKeyBytes);
            allWriters.add(w);
            return w;
        });
    }

    /**
     * A Chronicle appender for the calling thread. Making one takes the journal's write lock, with Chronicle's timeout:
     * a live holder that keeps it longer (another agent's append, descheduled on a busy host while eight agents start)
     * makes Chronicle throw, and this waits again, as an append does ({@link ChronicleJournal}); a dead holder's lock
     * Chronicle takes over itself.
     */
    private static ExcerptAppender newAppender(final ChronicleSpace space) {
        while (true) {
            try {
                return space.queue().createAppender();
            } catch (UnrecoverableTimeoutException e) {
                space.ensureOpen();
            }
        }
    }

    /** The calling thread's writer context. */
    public WriterContext writer() {
        final WriterContext last = lastWriter;
        if (last != null && last.thread == Thread.currentThread()) {
            return last;
        }
        final WriterContext w = writers.get();
        lastWriter = w;
        return w;
    }

    /** The segment guards; every access to the map holds the guard of the segment it touches. */
    public SegmentGuards guards() {
        SegmentGuards g = guards;
        if (g == null) {
            synchronized (this) {
                g = guards;
                if (g == null) {
                    g = SegmentGuards.open(space, map, this::repair);
                    guards = g;
                }
            }
        }
        return g;
    }

    void close() {
        final SegmentGuards g = guards;
        if (g != null) {
            g.close();
        }
        for (WriterContext w : allWriters) {
            w.close();
        }
        allWriters.clear();
        for (ChangeWait w : allChangeWaits) {
            w.close();
        }
        allChangeWaits.clear();
    }

    /** Encodes the key into the writer's buffer and checks its size; returns the UTF-8 length. */
    private int encodeKey(final CharSequence key, final WriterContext w) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (key.length() > maxKeyBytes) {
            throw keyTooLong(key, Utf8.length(key));
        }
        final int n;
        w.encodedName = null;
        try {
            n = Utf8.encode(key, w.keyBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + abbreviate(key) + "': " + e.getMessage(), e);
        }
        if (n > maxKeyBytes) {
            throw keyTooLong(key, n);
        }
        if (n == 0) {
            throw new IllegalArgumentException("key must not be empty");
        }
        return n;
    }

    private IllegalArgumentException keyTooLong(final CharSequence key, final int bytes) {
        return new IllegalArgumentException("key '" + abbreviate(key) + "' is " + bytes + " UTF-8 bytes; the space at "
                + space.directory() + " allows at most " + maxKeyBytes + " (maxKeyBytes)");
    }

    private void checkValue(final CharSequence key, final byte[] value, final int offset, final int length) {
        if (value == null) {
            throw new IllegalArgumentException("value for key '" + abbreviate(key) + "' must not be null");
        }
        if (offset < 0 || length < 0 || offset + length > value.length) {
            throw new IndexOutOfBoundsException("value range [" + offset + ", " + (offset + length) + ") outside an array of " + value.length);
        }
        if (length > maxValueBytes) {
            throw new IllegalArgumentException("value for key '" + abbreviate(key) + "' is " + length + " bytes; the space at "
                    + space.directory() + " allows at most " + maxValueBytes + " (maxValueBytes)");
        }
    }

    static String abbreviate(final CharSequence key) {
        return key.length() <= 64 ? key.toString() : key.subSequence(0, 60) + "...";
    }

    // ---------------------------------------------------------------- writes

    @Override
    public long put(final CharSequence key, final byte[] value, final int offset, final int length) {
        return write(key, PUT, ABSENT, value, offset, length);
    }

    @Override
    public long putIfAbsent(final CharSequence key, final byte[] value, final int offset, final int length) {
        return write(key, PUT_IF_ABSENT, ABSENT, value, offset, length);
    }

    @Override
    public long compareAndSet(final CharSequence key, final long expectedVersion, final byte[] value, final int offset, final int length) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version of key '" + abbreviate(key) + "' must be >= 0 (0: absent), got " + expectedVersion);
        }
        return write(key, CAS, expectedVersion, value, offset, length);
    }

    @Override
    public long remove(final CharSequence key) {
        return write(key, REMOVE, ABSENT, EMPTY, 0, 0);
    }

    @Override
    public long removeIfVersion(final CharSequence key, final long expectedVersion) {
        if (expectedVersion < 1) {
            throw new IllegalArgumentException("expected version of key '" + abbreviate(key) + "' must be >= 1, got " + expectedVersion);
        }
        return write(key, REMOVE_IF_VERSION, expectedVersion, EMPTY, 0, 0);
    }

    /**
     * A key/value write: the three steps above, with the key's segment guard held throughout. A thread writing a key it
     * wrote last in that segment, when nobody has changed the segment since, finds the entry where its last write left
     * it ({@link WriterContext.RememberedEntries}) and rewrites it there; otherwise the write goes through Chronicle
     * Map's query context.
     */
    private long write(final CharSequence key, final int mode, final long expected, final byte[] value, final int offset,
                       final int length) {
        space.ensureOpen();
        if (space.options().observer()) {
            space.checkWritable((mode == REMOVE || mode == REMOVE_IF_VERSION ? "remove key '" : "write key '") + abbreviate(String.valueOf(key)) + "'");
        }
        final WriterContext w = writer();
        final int keyLen = encodeKey(key, w);
        checkValue(key, value, offset, length);
        journal.checkRoom(w);
        final SegmentGuards g = guards();
        // the key is hashed once, here: Chronicle Map is handed its bytes and hash (unless it encodes the key otherwise)
        final boolean alike = SegmentGuards.encodedAlike(key, keyLen);
        final long hash = alike ? SegmentGuards.keyHash(w.keyBytes, keyLen) : 0;
        final int segment = alike ? g.segmentOfHash(hash) : g.segmentOf(key, w.keyBytes, keyLen);
        g.lockToWrite(segment);
        final WriterContext.RememberedEntries r = w.remembered;
        // every change of a segment, by any thread of any process, is counted under its guard before the guard is
        // released; this thread holds it, so the count stays where it is until this thread's release adds one
        final long writes = g.countsWrites() && inPlace && alike ? g.writesHeld(segment) : -1;
        try {
            long result = NOT_REMEMBERED;
            if (writes >= 0 && r.find(segment, writes, hash, keyLen, g.segments())) {
                result = writeRemembered(key, mode, expected, value, offset, length, w, g, segment, keyLen, writes);
            }
            if (result == NOT_REMEMBERED) {
                result = writeThroughMap(key, alike, hash, mode, expected, value, offset, length, w, g, segment, keyLen, writes);
            }
            return result;
        } catch (RuntimeException | Error e) {
            if (writes >= 0) {
                r.forget(segment);
            }
            throw e;
        } finally {
            w.pendingOffset = -1;
            w.mapKey.of(null, 0, 0); // keeps no reference to the caller's key
            g.unlockAfterWrite(segment); // after the context's close released Chronicle Map's lock
        }
    }

    /** {@link #writeRemembered}'s answer when the entry cannot be rewritten where it is: nothing was changed. */
    private static final long NOT_REMEMBERED = Long.MIN_VALUE;
    /** {@link #check}'s answer when the write goes ahead. */
    private static final long PROCEED = Long.MIN_VALUE + 1;

    /**
     * The write of the entry this thread remembers ({@link WriterContext.RememberedEntries}): the checks read the entry
     * where the thread's last write left it, and the new state is written over it as {@link #writeInPlace} does,
     * without Chronicle Map's query context and segment lock. The guard, held, keeps every other thread and process out
     * of the segment (Chronicle's lock is only ever taken under it). Answers {@link #NOT_REMEMBERED}, having changed
     * nothing, when the new state would not keep the entry's size.
     */
    private long writeRemembered(final CharSequence key, final int mode, final long expected, final byte[] givenValue, final int givenOffset,
                                 final int givenLength, final WriterContext w, final SegmentGuards g, final int segment, final int keyLen,
                                 final long writes) {
        final WriterContext.RememberedEntries r = w.remembered;
        final PointerBytesStore entry = r.table.entry;
        final long size = r.table.size;
        final long current = entry.readLong(EntryDescriptor.VERSION_OFFSET);
        final boolean live = (entry.readByte(EntryDescriptor.FLAGS_OFFSET) & EntryDescriptor.FLAG_TOMBSTONE) == 0;
        final long verdict = check(key, mode, expected, live, current, entry, 0, size, w);
        if (verdict != PROCEED) {
            r.wrote(segment, writes, true);
            return verdict;
        }
        final byte[] value = mode == INCREMENT ? w.digits : givenValue;
        final int offset = mode == INCREMENT ? 0 : givenOffset;
        final int length = mode == INCREMENT ? w.incrementLength : givenLength;
        final boolean removal = mode == REMOVE || mode == REMOVE_IF_VERSION;
        if (EntryDescriptor.AGENT_OFFSET + agentId.length + (removal ? 0 : length) != size) {
            return NOT_REMEMBERED;
        }
        final long version = current + 1;
        final long index = commit(w, g, segment, removal, version, keyLen, value, offset, length);
        writeInPlace(entry, 0, version, w.stamp, index, removal, agentId, value, offset, length);
        g.clearPending(segment);
        r.wrote(segment, writes, true);
        w.rememberedWrites++;
        w.lastWriteIndex = index;
        return version;
    }

    /**
     * Checks a write against the key's entry ({@code size} bytes at {@code o} of {@code in}; {@code in} null when
     * there is none): {@link #PROCEED}, or the write's answer ({@code CONFLICT}, {@code NOT_FOUND}) when it must not go
     * ahead. An increment's new value is left in the writer's digits, {@link WriterContext#incrementLength} long.
     */
    private long check(final CharSequence key, final int mode, final long expected, final boolean live, final long current,
                       final RandomDataInput in, final long o, final long size, final WriterContext w) {
        switch (mode) {
            case PUT_IF_ABSENT:
                return live ? CONFLICT : PROCEED;
            case CAS:
                return expected != (live ? current : ABSENT) ? CONFLICT : PROCEED;
            case REMOVE:
                return live ? PROCEED : NOT_FOUND;
            case REMOVE_IF_VERSION:
                if (!live) {
                    return NOT_FOUND;
                }
                return expected != current ? CONFLICT : PROCEED;
            case INCREMENT: {
                long was = 0;
                if (live) {
                    final int agentLen = in.readUnsignedByte(o + EntryDescriptor.AGENT_LENGTH_OFFSET);
                    final int n = (int) (size - EntryDescriptor.AGENT_OFFSET - agentLen);
                    // a long has at most 20 characters; an error message shows at most 40
                    final int copy = Math.min(n, 40);
                    final byte[] digits = w.scratch.prepare(copy, 0, 0, 0);
                    in.read(o + EntryDescriptor.AGENT_OFFSET + agentLen, digits, 0, copy);
                    was = Values.parseCanonicalDecimal(key, digits, 0, n);
                }
                final long next = Math.addExact(was, expected);
                w.incrementLength = Values.writeDecimal(next, w.digits, 0);
                checkValue(key, w.digits, 0, w.incrementLength);
                w.lastIncrement = next;
                return PROCEED;
            }
            default:
                return PROCEED;
        }
    }

    /**
     * Appends a key/value write's record, the commit point, publishing its index in the segment guard's pending word
     * before the commit (a survivor repairing this writer's segment finds it there). Returns the record's index; its
     * timestamp, read under the journal's write lock, is left in {@link WriterContext#stamp} for the entry.
     */
    private long commit(final WriterContext w, final SegmentGuards g, final int segment, final boolean removal, final long version,
                        final int keyLen, final byte[] value, final int offset, final int length) {
        if (FaultPoints.ENABLED) {
            FaultPoints.reach(FaultPoints.KV_LOCKED);
        }
        w.pendingBuffer = g.buffer();
        w.pendingOffset = SegmentGuards.pendingOffset(segment);
        final long index = journal.append(w, removal ? Op.REMOVE : Op.PUT, removal ? RecordDescriptor.FLAG_REMOVED : 0, version,
                ChronicleJournal.STAMP_AT_COMMIT, -1, w.keyBytes, keyLen, agentId, value, offset, length);
        w.pendingOffset = -1;
        if (FaultPoints.ENABLED) {
            FaultPoints.reach(FaultPoints.KV_APPENDED);
        }
        return index;
    }

    /**
     * A write through Chronicle Map's query context and segment lock, the caller holding the key's guard. A write that
     * rewrites the entry in place leaves it remembered by the thread.
     */
    private long writeThroughMap(final CharSequence key, final boolean alike, final long hash, final int mode, final long expected,
                                 final byte[] givenValue, final int givenOffset, final int givenLength, final WriterContext w,
                                 final SegmentGuards g, final int segment, final int keyLen, final long writes) {
        try (ExternalMapQueryContext<CharSequence, EntryBuffer, ?> c = alike ? map.queryContext(w.mapKey.of(key, keyLen, hash))
                : map.queryContext(key)) {
            if (c.segmentIndex() != segment) {
                throw new IllegalStateException("key '" + abbreviate(key) + "': Chronicle Map put it in segment " + c.segmentIndex()
                        + ", the segment guards computed " + segment + " (incompatible Chronicle Map hashing)");
            }
            c.writeLock().lock();
            final MapEntry<CharSequence, EntryBuffer> e = c.entry();
            final Data<EntryBuffer> d = e == null ? null : e.value();
            long current = ABSENT;
            boolean live = false;
            if (d != null) {
                final RandomDataInput in = d.bytes();
                current = in.readLong(d.offset() + EntryDescriptor.VERSION_OFFSET);
                live = (in.readByte(d.offset() + EntryDescriptor.FLAGS_OFFSET) & EntryDescriptor.FLAG_TOMBSTONE) == 0;
            }
            final long verdict = d == null ? check(key, mode, expected, false, ABSENT, null, 0, 0, w)
                    : check(key, mode, expected, live, current, d.bytes(), d.offset(), d.size(), w);
            if (verdict != PROCEED) {
                if (writes >= 0) {
                    w.remembered.wrote(segment, writes, true);
                }
                return verdict;
            }
            final byte[] value = mode == INCREMENT ? w.digits : givenValue;
            final int offset = mode == INCREMENT ? 0 : givenOffset;
            final int length = mode == INCREMENT ? w.incrementLength : givenLength;
            if (e == null && g.keys() >= maxEntries) {
                throw new SpaceFullException(mapPath, "key/value map is full: " + g.keys() + " of " + maxEntries
                        + " entries (maxEntries, removed keys included); key '" + abbreviate(key) + "' was not written");
            }
            final boolean removal = mode == REMOVE || mode == REMOVE_IF_VERSION;
            final long version = current + 1;
            // 2. the commit point
            final long index = commit(w, g, segment, removal, version, keyLen, value, offset, length);
            final long now = w.stamp;
            // 3. apply to the map
            try {
                if (inPlace && d != null && d.size() == EntryDescriptor.AGENT_OFFSET + agentId.length + (removal ? 0 : length)
                        && d.bytes() instanceof RandomDataOutput) {
                    writeInPlace((RandomDataOutput<?>) d.bytes(), d.offset(), version, now, index, removal, agentId, value, offset, length);
                    if (writes >= 0) {
                        final Data<CharSequence> k = e.key();
                        w.remembered.wrote(segment, writes, true);
                        if (k.size() == keyLen && k.bytes().isDirectMemory() && d.bytes().isDirectMemory()) {
                            w.remembered.remember(segment, hash, keyLen, k.bytes().addressForRead(k.offset()), d.bytes().addressForWrite(d.offset()), d.size());
                        }
                    }
                } else {
                    if (writes >= 0) {
                        w.remembered.wrote(segment, writes, false); // entries may have moved: the segment's are forgotten
                    }
                    applyLocked(c, e, w, version, now, index, removal, agentId, value, offset, length);
                }
            } catch (IllegalStateException full) {
                revert(c, e, w, w.keyBytes, keyLen, index);
                g.clearPending(segment);
                throw new SpaceFullException(mapPath, "key/value map has no room for key '" + abbreviate(key) + "' (" + length
                        + " bytes); the write at journal index " + index + " was reverted: " + full.getMessage(), full);
            }
            g.clearPending(segment);
            if (e == null) {
                g.keysInserted(1);
            }
            w.lastWriteIndex = index;
            return version;
        }
    }

    /**
     * Finishes the write of a writer that died holding {@code segment}'s guard: the record it appended at
     * {@code pendingIndex}, if that append was committed, goes into the map unless the map already holds it. Called by
     * {@link SegmentGuards} with the guard held and the segment's Chronicle Map lock reset.
     */
    private void repair(final int segment, final long pendingIndex) {
        final WriterContext w = writers.get();
        try (Tailer t = space.journal().tailerFromIndex(pendingIndex)) {
            final JournalRecord r = t.next(0, TimeUnit.NANOSECONDS);
            // not committed (the writer died inside the append), or a record of someone else at that index
            if (r == null || r.index() != pendingIndex || (r.op() != Op.PUT && r.op() != Op.REMOVE)) {
                return;
            }
            // its own buffer: the caller's hold the key of the operation that found this segment to repair (rare path)
            final byte[] keyBytes = new byte[Math.max(maxKeyBytes, 16) * 3 + 4];
            final int keyLen = Utf8.encode(r.key(), keyBytes);
            if (guards.segmentOf(r.key(), keyBytes, keyLen) != segment) {
                return;
            }
            try (ExternalMapQueryContext<CharSequence, EntryBuffer, ?> c = map.queryContext(r.key())) {
                c.writeLock().lock();
                final MapEntry<CharSequence, EntryBuffer> e = c.entry();
                final long inMap = e == null ? ABSENT : e.value().bytes().readLong(e.value().offset() + EntryDescriptor.VERSION_OFFSET);
                if (inMap > r.version()) {
                    return; // cannot happen while the guard was the dead writer's: nobody else wrote the key since
                }
                // an equal version is no proof the dead writer finished: the entry's version is written first, so a
                // death inside the in-place write leaves the new version over the old value. The record is the key's
                // newest state (the dead writer held the guard since): writing it whole again is always right.

                final byte[] agent = r.agent().toString().getBytes(StandardCharsets.UTF_8);
                try {
                    applyLocked(c, e, w, r.version(), r.timestampNanos(), pendingIndex, r.removed(), agent, r.valueBuffer(), 0, r.valueLength());
                } catch (IllegalStateException full) {
                    revert(c, e, w, keyBytes, keyLen, pendingIndex);
                    return;
                }
                if (e == null) {
                    guards.keysInserted(1);
                }
            }
        }
    }

    /** The journal index of the calling thread's last successful write through this space, or -1. */
    @Override
    public long lastWriteIndex() {
        return writer().lastWriteIndex;
    }

    /** Writes an entry's state into the map; the caller holds the key's write lock. */
    static void applyLocked(final ExternalMapQueryContext<CharSequence, EntryBuffer, ?> c, final MapEntry<CharSequence, EntryBuffer> e, final WriterContext w,
                            final long version, final long timestamp, final long index, final boolean tombstone, final byte[] agent,
                            final byte[] value, final int offset, final int length) {
        // the new state goes into a reused EntryBuffer that EntryMarshaller writes straight into the map's memory
        final EntryBuffer pending = w.pending;
        final int n = tombstone ? 0 : length;
        System.arraycopy(value, offset, pending.prepare(n, version, timestamp, index), 0, n);
        pending.removed(tombstone);
        System.arraycopy(agent, 0, pending.writerBytes(), 0, agent.length);
        pending.writerLength(agent.length);
        final Data<EntryBuffer> data = c.wrapValueAsData(pending);
        if (e == null) {
            c.insert(c.absentEntry(), data);
        } else {
            c.replaceValue(e, data);
        }
    }

    /**
     * Writes an entry's new state over its old one, at {@code o} of {@code out}, in the map's memory, when the two are
     * of one size (the caller checked: a value rewritten at its length by the same agent, a counter that keeps its
     * digits), the caller holding the key's guard. What Chronicle's replace does for an entry of unchanged size,
     * without its per-write view of the memory and its size re-read (a sixth of a pipelined put's time through the
     * gateway). The version is written first, as Chronicle's replace writes it: a writer killed inside this leaves the
     * new version over part of the old state, and the repair writes the journaled record whole again ({@link #repair}).
     */
    private static void writeInPlace(final RandomDataOutput<?> out, final long o, final long version, final long timestamp,
                                      final long index, final boolean tombstone, final byte[] agent, final byte[] value,
                                      final int offset, final int length) {
        out.writeLong(o + EntryDescriptor.VERSION_OFFSET, version);
        out.writeLong(o + EntryDescriptor.TIMESTAMP_OFFSET, timestamp);
        out.writeLong(o + EntryDescriptor.INDEX_OFFSET, index);
        out.writeByte(o + EntryDescriptor.FLAGS_OFFSET, (byte) (tombstone ? EntryDescriptor.FLAG_TOMBSTONE : 0));
        out.writeUnsignedByte(o + EntryDescriptor.AGENT_LENGTH_OFFSET, agent.length);
        out.write(o + EntryDescriptor.AGENT_OFFSET, agent, 0, agent.length);
        out.write(o + EntryDescriptor.AGENT_OFFSET + agent.length, value, offset, tombstone ? 0 : length);
    }

    /**
     * The record at {@code failedIndex} was journaled but the map could not take it: journal a REVERT carrying the
     * key's state as it still is in the map, so tailers, replay and verify undo it.
     */
    private void revert(final ExternalMapQueryContext<CharSequence, EntryBuffer, ?> c, final MapEntry<CharSequence, EntryBuffer> e,
                        final WriterContext w, final byte[] keyBytes, final int keyLen, final long failedIndex) {
        if (e == null) {
            journal.append(w, Op.REVERT, RecordDescriptor.FLAG_REMOVED, ABSENT, ChronicleJournal.STAMP_AT_COMMIT, failedIndex,
                    keyBytes, keyLen, EMPTY, EMPTY, 0, 0);
            return;
        }
        final Entry old = decode(c.queriedKey().get().toString(), e.value());
        journal.append(w, Op.REVERT, old.isRemoved() ? RecordDescriptor.FLAG_REMOVED : 0, old.version(), old.timestampNanos(), failedIndex,
                keyBytes, keyLen, old.writer().getBytes(StandardCharsets.UTF_8), old.value(), 0, old.value().length);
    }

    // ---------------------------------------------------------------- reads

    static Entry decode(final String key, final Data<EntryBuffer> d) {
        final RandomDataInput in = d.bytes();
        final long o = d.offset();
        final int size = (int) d.size();
        final long version = in.readLong(o + EntryDescriptor.VERSION_OFFSET);
        final long ts = in.readLong(o + EntryDescriptor.TIMESTAMP_OFFSET);
        final long index = in.readLong(o + EntryDescriptor.INDEX_OFFSET);
        final boolean tomb = (in.readByte(o + EntryDescriptor.FLAGS_OFFSET) & EntryDescriptor.FLAG_TOMBSTONE) != 0;
        final int agentLen = in.readUnsignedByte(o + EntryDescriptor.AGENT_LENGTH_OFFSET);
        final byte[] agent = new byte[agentLen];
        in.read(o + EntryDescriptor.AGENT_OFFSET, agent, 0, agentLen);
        final int valueOffset = EntryDescriptor.AGENT_OFFSET + agentLen;
        final byte[] value = new byte[size - valueOffset];
        in.read(o + valueOffset, value, 0, value.length);
        return new Entry(key, value, version, new String(agent, StandardCharsets.UTF_8), ts, index, tomb);
    }

    /** The entry including a tombstone, or null when the key was never written. */
    @Override
    public Entry getIncludingRemoved(final CharSequence key) {
        space.ensureOpen();
        checkKeyForRead(key);
        final EntryBuffer b = readers.get();
        if (!getGuarded(key, b)) {
            return null;
        }
        return new Entry(key.toString(), java.util.Arrays.copyOf(b.buffer(), b.length()), b.version(), b.writer().toString(),
                b.timestampNanos(), b.journalIndex(), b.isRemoved());
    }

    private void checkKeyForRead(final CharSequence key) {
        if (key == null || key.length() == 0) {
            throw new IllegalArgumentException("key must not be null or empty");
        }
        if (key.length() > maxKeyBytes / 3) {
            final int n = Utf8.length(key);
            if (n > maxKeyBytes) {
                throw keyTooLong(key, n);
            }
        }
    }

    @Override
    public Entry get(final CharSequence key) {
        final Entry e = getIncludingRemoved(key);
        return e == null || e.isRemoved() ? null : e;
    }

    @Override
    public long get(final CharSequence key, final EntryBuffer into) {
        space.ensureOpen();
        checkKeyForRead(key);
        if (!getGuarded(key, into) || into.isRemoved()) {
            return ABSENT;
        }
        return into.version();
    }

    /**
     * What one thread read last: the key, its segment, the segment's writes count then, and the entry (values up to
     * {@value #CACHED_VALUE_BYTES} bytes). A thread that reads one key again and again (an agent waiting for it to
     * change) finds the guard free and the count unchanged, and answers from here: two reads of the guard's cache
     * line instead of taking the guard and Chronicle Map's segment lock, which took the line from the very writer it
     * waits for. Confined to its thread.
     */
    private static final class ReadCache extends LastKey {
        final EntryBuffer entry = new EntryBuffer(64);
        int segment;
        long writes;
        boolean present;
        /** Where the entries this thread read are, each stamped with its segment's writes count at the read. */
        final EntryTable table;
        /** {@link #scratch} as a key for Chronicle Map, its hash known. */
        final PrehashedKey mapKey;
        /** How many reads found their entry in {@link #table} (for tests; written by the owner thread only). */
        long rememberedReads;

        ReadCache(final int keyBytes) {
            super(keyBytes);
            table = new EntryTable(scratch);
            mapKey = new PrehashedKey(scratch);
        }
    }

    /**
     * A thread's key of this call and of its last call, both UTF-8, so that a thread asking about one key again and
     * again (a waiter) finds it is the same key without a map lookup. Confined to its thread.
     */
    private static class LastKey {
        /** The key of this call, UTF-8. */
        final byte[] scratch;
        /** The key of the last call, UTF-8, in {@code [0, keyLength)}; -1: none to trust. */
        private final byte[] key;
        private int keyLength = -1;

        LastKey(final int keyBytes) {
            scratch = new byte[keyBytes];
            key = new byte[keyBytes];
        }

        /** Whether the last call's key was {@code [0, n)} of {@link #scratch}. */
        final boolean holds(final int n) {
            return n == keyLength && Arrays.equals(scratch, 0, n, key, 0, n);
        }

        /** {@code [0, n)} of {@link #scratch} becomes the last call's key. */
        final void remember(final int n) {
            System.arraycopy(scratch, 0, key, 0, n);
            keyLength = n;
        }

        /** No key is the last call's any more. */
        final void forget() {
            keyLength = -1;
        }
    }

    /** Values up to this size are kept by a thread's {@link ReadCache}. */
    static final int CACHED_VALUE_BYTES = 1024;

    /**
     * Chronicle Map's optimized lookup (segment read lock, search, copy) straight into the buffer, holding the key's
     * segment guard; or, when the thread read this key last and the segment has not changed since (guard free, writes
     * count unchanged: see {@link SegmentGuards#writesIfFree}), a copy of what it read then. True when the key is in
     * the map (a tombstone included).
     */
    private boolean getGuarded(final CharSequence key, final EntryBuffer into) {
        final ReadCache rc = readCaches.get();
        final byte[] keyBytes = rc.scratch;
        final int n;
        try {
            n = Utf8.encode(key, keyBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + abbreviate(key) + "': " + e.getMessage(), e);
        }
        final SegmentGuards g = guards();
        if (rc.holds(n) && g.writesIfFree(rc.segment) == rc.writes) {
            if (rc.present) {
                into.copyFrom(rc.entry);
            }
            return rc.present;
        }
        // the key is hashed once, here, as a write does (keys whose UTF-8 is Chronicle's: no surrogates)
        final boolean alike = g.countsWrites() && SegmentGuards.encodedAlike(key, n);
        final long hash = alike ? SegmentGuards.keyHash(keyBytes, n) : 0;
        final int segment = alike ? g.segmentOfHash(hash) : g.segmentOf(key, keyBytes, n);
        g.lockToRead(segment);
        try {
            final boolean present;
            if (!alike) {
                present = map.getUsing(key, into) != null;
            } else {
                // an entry this thread found in the segment when its count was where it is now is where it was
                final long writes = g.writesHeld(segment);
                if (rc.table.find(segment, writes, hash, n)) {
                    EntryMarshaller.read(rc.table.entry, 0, rc.table.size, into);
                    rc.rememberedReads++;
                    present = true;
                } else {
                    present = lookUp(key, n, hash, segment, writes, rc, into);
                }
            }
            // the entry is kept only when the thread reads the same key again (a waiter), so reads of ever-different
            // keys copy nothing more than the key
            final boolean again = rc.holds(n);
            if (again && g.countsWrites() && (!present || into.length() <= CACHED_VALUE_BYTES)) {
                rc.writes = g.writesHeld(segment);
                rc.segment = segment;
                rc.present = present;
                if (present) {
                    rc.entry.copyFrom(into);
                }
            } else if (!again) {
                rc.remember(n);
                rc.writes = -2; // never a count: the next read of this key takes the guard and keeps the entry
            } else {
                rc.writes = -2;
            }
            return present;
        } finally {
            g.unlock(segment);
        }
    }

    /**
     * Finds the key in the map through Chronicle Map's query context, the caller holding the segment's guard (the
     * count at {@code writes}), copies its entry into {@code into}, and puts where it is in the thread's table. True
     * when the key is in the map (a tombstone included).
     */
    private boolean lookUp(final CharSequence key, final int n, final long hash, final int segment, final long writes, final ReadCache rc,
                           final EntryBuffer into) {
        try (ExternalMapQueryContext<CharSequence, EntryBuffer, ?> c = map.queryContext(rc.mapKey.of(key, n, hash))) {
            c.readLock().lock();
            final MapEntry<CharSequence, EntryBuffer> e = c.entry();
            if (e == null) {
                return false;
            }
            final Data<EntryBuffer> d = e.value();
            EntryMarshaller.read(d.bytes(), d.offset(), d.size(), into);
            final Data<CharSequence> k = e.key();
            if (k.size() == n && k.bytes().isDirectMemory() && d.bytes().isDirectMemory()) {
                rc.table.remember(segment, writes, hash, n, k.bytes().addressForRead(k.offset()), d.bytes().addressForRead(d.offset()), d.size());
            }
            return true;
        } finally {
            rc.mapKey.of(null, 0, 0); // keeps no reference to the caller's key
        }
    }

    @Override
    public long version(final CharSequence key) {
        final EntryBuffer b = readers.get();
        return get(key, b);
    }

    // ---------------------------------------------------------------- compound operations

    @Override
    public Entry update(final CharSequence key, final UnaryOperator<byte[]> fn) {
        while (true) {
            final Entry current = get(key);
            final byte[] next = fn.apply(current == null ? null : current.value());
            if (next == null) {
                throw new IllegalArgumentException("update function for key '" + abbreviate(key) + "' returned null");
            }
            final long v = compareAndSet(key, current == null ? ABSENT : current.version(), next);
            if (v > 0) {
                return new Entry(key.toString(), next, v, space.agentId(), 0, -1, false);
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public long increment(final CharSequence key, final long delta) {
        if (space.options().observer()) {
            space.checkWritable("increment key '" + abbreviate(String.valueOf(key)) + "'");
        }
        // one write under the key's lock: read, add, journal, apply (no get-then-compare-and-set round, no retries)
        write(key, INCREMENT, delta, EMPTY, 0, 0);
        return writer().lastIncrement;
    }

    /** The digits the write journaled and stored, copied: the number is formatted once. */
    @Override
    public int incrementAsText(final CharSequence key, final long delta, final byte[] text, final int offset) {
        java.util.Objects.checkFromIndexSize(offset, 20, text.length);
        increment(key, delta);
        final WriterContext w = writer();
        System.arraycopy(w.digits, 0, text, offset, w.incrementLength);
        return w.incrementLength;
    }

    /** The buffer version's wait ({@link #awaitChange(CharSequence, long, EntryBuffer, long, TimeUnit)}), copied out. */
    @Override
    public Entry awaitChange(final CharSequence key, final long afterVersion, final long timeout, final TimeUnit unit) throws InterruptedException {
        final EntryBuffer b = readers.get();
        final long v = awaitChange(key, afterVersion, b, timeout, unit);
        if (v == ABSENT) {
            return null;
        }
        return new Entry(key.toString(), Arrays.copyOf(b.buffer(), b.length()), v, b.writer().toString(), b.timestampNanos(),
                b.journalIndex(), b.isRemoved());
    }

    /**
     * One thread's way of waiting for keys to change: a journal cursor kept between calls, so a thread that waits
     * again and again (an agent handing work back and forth) follows the journal's tail instead of opening a tailer
     * for each wait, and knows, as of its cursor's position, the version of the key it waited for last. Confined to its
     * thread: it wraps a Chronicle Queue tailer, which is single-threaded.
     */
    private final class ChangeWait extends LastKey {
        final Thread thread = Thread.currentThread();
        final RecordCursor cursor = journal.cursor().toEnd();
        final IdleStrategy idle = space.options().idleStrategy().get();
        /** The version of the last call's key as of the cursor's position (0: absent), while there is such a key. */
        long known;

        ChangeWait(final int keyBytes) {
            super(keyBytes);
        }

        void close() {
            cursor.close();
        }
    }

    private ChangeWait newChangeWait() {
        space.ensureOpen();
        // threads come and go (a pool's idle threads end): the cursors of those that ended are closed here, so that
        // none keeps a journal cycle mapped after retention removed it
        for (ChangeWait old : allChangeWaits) {
            if (!old.thread.isAlive() && allChangeWaits.remove(old)) {
                old.close();
            }
        }
        final ChangeWait w = new ChangeWait(Math.max(maxKeyBytes, 16) * 3 + 4);
        allChangeWaits.add(w);
        return w;
    }

    /** How many writes of this handle's threads found their entry remembered, without Chronicle Map's context (for tests). */
    long rememberedWrites() {
        long n = 0;
        for (WriterContext w : allWriters) {
            n += w.rememberedWrites;
        }
        return n;
    }

    /** How many of the calling thread's reads found their entry where they had found it before (for tests). */
    long rememberedReads() {
        return readCaches.get().rememberedReads;
    }

    /** How many slots the calling thread's table of where it read entries has grown to (for tests). */
    int readTableSlots() {
        return readCaches.get().table.slots();
    }

    /** How many threads' wait cursors are open (for tests). */
    int waitCursors() {
        return allChangeWaits.size();
    }

    /**
     * A waiter that has read this many records in one call without finding its key moves its cursor to the journal's
     * end and reads the map again, instead of reading through everything written while it was away (a few ms at most).
     */
    static final int CHANGE_WAIT_CATCH_UP = 65_536;
    /** The records a waiter reads ({@link RecordCursor#next(long)}): puts and removes. */
    private static final long WAIT_OPS = RecordCursor.opsMask(Op.PUT, Op.REMOVE);

    /**
     * Allocation-free wait: the calling thread's cursor ({@link ChangeWait}) follows the journal, and the wait ends when
     * it reads a put or remove record of the key with a version above {@code afterVersion}, whose entry is copied from
     * the record. The record is the commit point (docs/recovery.md): a waiter learns of the write then, not after the
     * writer has also updated the map. A {@link #get} after it still answers at least that version: the writer holds
     * the key's segment guard from before its append until the map holds the record, and a read takes the guard.
     *
     * <p>No change is missed: the cursor is positioned before the map is read, so a write is either in what the map
     * answers (a write committed before that is applied under the guard the read waits for) or read by the cursor
     * afterwards. The map is read only when the thread asks for another key than last time, or its cursor fell far
     * behind ({@link #CHANGE_WAIT_CATCH_UP} records: moved to the end then); otherwise the version the cursor last saw
     * of the key stands, and the wait reads on from there. So a thread that waited for the key before gets the next
     * version after {@code afterVersion} the journal holds (a change feed), a thread new to the key the map's entry.
     */
    @Override
    public long awaitChange(final CharSequence key, final long afterVersion, final EntryBuffer into, final long timeout,
                            final TimeUnit unit) throws InterruptedException {
        space.ensureOpen();
        checkKeyForRead(key);
        final long start = System.nanoTime();
        final ChangeWait w = changeWaits.get();
        final byte[] k = w.scratch;
        final int n;
        try {
            n = Utf8.encode(key, k);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + abbreviate(key) + "': " + e.getMessage(), e);
        }
        try {
            if (!w.holds(n) || w.known > afterVersion) {
                final long now = readForWait(key, n, w, into);
                if (now > afterVersion) {
                    return now;
                }
            }
            final long deadline = start + unit.toNanos(timeout);
            w.idle.reset();
            int read = 0;
            while (true) {
                final LogRecord r = w.cursor.next(WAIT_OPS); // other operations are passed over unread
                if (r != null) {
                    if (++read > CHANGE_WAIT_CATCH_UP) {
                        // far behind: start from the end, the map answering for everything before it
                        w.cursor.toEnd();
                        read = 0;
                        final long now = readForWait(key, n, w, into);
                        if (now > afterVersion) {
                            return now;
                        }
                        continue;
                    }
                    final Op op = r.op();
                    if ((op == Op.PUT || op == Op.REMOVE) && r.keyEquals(k, n)) {
                        final long v = r.version();
                        if (v > w.known) {
                            w.known = v;
                        }
                        if (v > afterVersion) {
                            copyEntry(r, into);
                            return v;
                        }
                    }
                    continue;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return ABSENT;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("waiting for key '" + abbreviate(key) + "' to pass version " + afterVersion);
                }
                w.idle.idle();
            }
        } catch (RuntimeException | InterruptedException e) {
            w.forget(); // what the cursor knows of the key is not to be trusted after a failure
            throw e;
        }
    }

    /**
     * Reads the key's entry from the map into {@code into} for a waiter whose cursor stays where it is (a write after
     * this read is read by the cursor), and makes it the waiter's key; returns its version (tombstones included), or
     * {@link #ABSENT}.
     */
    private long readForWait(final CharSequence key, final int n, final ChangeWait w, final EntryBuffer into) {
        w.forget();
        final long now = getGuarded(key, into) ? into.version() : ABSENT;
        w.remember(n);
        w.known = now;
        return now;
    }

    /** Copies a put or remove record's entry (value, version, time, index, writer, tombstone) into {@code into}. */
    private static void copyEntry(final LogRecord r, final EntryBuffer into) {
        final org.agrona.DirectBuffer b = r.buffer();
        final int valueLength = r.valueLength();
        b.getBytes(r.valueOffset(), into.prepare(valueLength, r.version(), r.timestampNanos(), r.index()), 0, valueLength);
        into.removed((r.flags() & RecordDescriptor.FLAG_REMOVED) != 0);
        final int agentLength = Math.min(r.agentLength(), into.writerBytes().length);
        b.getBytes(r.agentOffset(), into.writerBytes(), 0, agentLength);
        into.writerLength(agentLength);
    }

    @Override
    public long size() {
        space.ensureOpen();
        final SegmentGuards g = guards();
        long n = 0;
        for (int s = 0; s < g.segments(); s++) {
            g.lockToRead(s);
            try (MapSegmentContext<CharSequence, EntryBuffer, ?> c = map.segmentContext(s)) {
                n += c.size();
            } finally {
                g.unlock(s);
            }
        }
        return n;
    }

    @Override
    public void forEach(final Consumer<Entry> visitor) {
        space.ensureOpen();
        forEachIncludingRemoved(e -> {
            if (!e.isRemoved()) {
                visitor.accept(e);
            }
        });
    }

    /**
     * Every entry including tombstones (for verify), segment by segment: a segment's entries are copied out under
     * its guard, and the visitor runs after the guard is released (it may use the map itself).
     */
    @Override
    public void forEachIncludingRemoved(final Consumer<Entry> visitor) {
        final SegmentGuards g = guards();
        final java.util.ArrayList<Entry> batch = new java.util.ArrayList<>();
        for (int s = 0; s < g.segments(); s++) {
            batch.clear();
            g.lockToRead(s);
            try (MapSegmentContext<CharSequence, EntryBuffer, ?> c = map.segmentContext(s)) {
                c.forEachSegmentEntry(e -> batch.add(decode(e.key().get().toString(), e.value())));
            } finally {
                g.unlock(s);
            }
            for (Entry e : batch) {
                visitor.accept(e);
            }
        }
    }

    /**
     * Applies a replayed record to this (target) space: journals and writes exactly the record's state, keeping its
     * version, writer and time.
     */
    @Override
    public void applyReplayed(final JournalRecord r) {
        space.checkWritable("replay records into it");
        final WriterContext w = writers.get();
        final int keyLen = encodeKey(r.key(), w);
        final byte[] agent = r.agent().toString().getBytes(StandardCharsets.UTF_8);
        final SegmentGuards g = guards();
        final int segment = g.segmentOf(r.key(), w.keyBytes, keyLen);
        g.lockToWrite(segment);
        try (ExternalMapQueryContext<CharSequence, EntryBuffer, ?> c = map.queryContext(r.key())) {
            c.writeLock().lock();
            final MapEntry<CharSequence, EntryBuffer> e = c.entry();
            final int flags = r.removed() ? RecordDescriptor.FLAG_REMOVED : 0;
            w.pendingBuffer = g.buffer();
            w.pendingOffset = SegmentGuards.pendingOffset(segment);
            final long index = journal.append(w, r.op(), flags, r.version(), r.timestampNanos(), -1, w.keyBytes, keyLen, agent,
                    r.valueBuffer(), 0, r.valueLength());
            w.pendingOffset = -1;
            applyLocked(c, e, w, r.version(), r.timestampNanos(), index, r.removed(), agent, r.valueBuffer(), 0, r.valueLength());
            g.clearPending(segment);
            if (e == null) {
                g.keysInserted(1);
            }
        } finally {
            w.pendingOffset = -1;
            g.unlockAfterWrite(segment);
        }
    }
}
