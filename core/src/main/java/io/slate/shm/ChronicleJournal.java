package io.slate.shm;

import io.slate.internal.Utf8;
import io.slate.internal.Clock;
import io.slate.engine.ViewSnapshots;
import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import io.slate.space.SpaceFullException;
import io.slate.spi.NamedPosition;
import io.slate.spi.RecordCursor;
import io.slate.spi.RecordDescriptor;
import io.slate.spi.RecordLog;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The journal on Chronicle Queue, the shared-memory backend's {@link RecordLog}: append, raw cursors, named positions
 * and retention. Thread-safe: each thread appends through its own Chronicle appender (single-threaded, kept in its
 * {@link WriterContext}); the cursors it makes wrap Chronicle tailers and are single-threaded.
 */
public final class ChronicleJournal implements RecordLog {
    /** Appends between two checks of the file system's free space. */
    private static final int SPACE_CHECK_INTERVAL = 4096;

    private final ChronicleSpace space;
    private final SingleChronicleQueue queue;
    private final Path journalDir;
    private final RollCycle rollCycle;
    /** The most bytes one record of this space can take, Chronicle's 4-byte header included. */
    private final long maxRecordBytes;
    /** Why retention after an append last failed, or null (see {@link #retainQuietly}). */
    private volatile String retentionProblem;
    /** Dead writers' leftovers cleared by this handle ({@link #scrubDeadWrite}). */
    private final java.util.concurrent.atomic.AtomicLong scrubs = new java.util.concurrent.atomic.AtomicLong();
    private final JournalFiles files;
    /** Populates the pages ahead of this handle's appends (its thread starts after about 4 MiB of them). */
    private final JournalPretoucher pretoucher;
    /**
     * Whether this space's records are written in format 2 ({@link RecordDescriptor}): a space created in space format
     * 1.4 or later. Older spaces keep format 1, which builds before 1.4 read; every build since reads both.
     */
    private final boolean compactRecords;
    /** The queue's clock: Chronicle's reading under the write lock is an append's timestamp. */
    private final JournalClock clock;
    /** An append's {@code timestamp} meaning: the time read under the journal's write lock ({@link JournalClock}). */
    static final long STAMP_AT_COMMIT = Long.MIN_VALUE;

    ChronicleJournal(final ChronicleSpace space) {
        this.space = space;
        this.queue = space.queue();
        this.clock = (JournalClock) queue.time();
        this.compactRecords = space.headerBuffer().getInt(SpaceDescriptor.FORMAT_MINOR_OFFSET)
                >= SpaceDescriptor.COMPACT_RECORDS_MINOR;
        this.journalDir = space.directory().resolve(SpaceDescriptor.JOURNAL_DIR_NAME);
        this.rollCycle = queue.rollCycle();
        this.maxRecordBytes = 4L + RecordDescriptor.maxLength(space.options().maxKeyBytes(), space.options().maxValueBytes()) + 64;
        this.files = new JournalFiles(journalDir, rollCycle, queue.epoch());
        this.pretoucher = new JournalPretoucher(space.directory().toString());
    }

    /** This handle's pretoucher (for tests). */
    JournalPretoucher pretoucher() {
        return pretoucher;
    }

    /**
     * Tells the pretoucher where the journal is written now, once per {@link JournalPretoucher#STEP} bytes of this
     * thread's progress (or when a new cycle file starts): the address of {@code at} in the chunk Chronicle has mapped
     * and the bytes the chunk has after it. Called inside an append.
     */
    private void publishPosition(final WriterContext w, final Bytes<?> b, final long at) {
        w.publishedAt = at;
        final BytesStore<?, ?> s = b.bytesStore();
        if (s == null || !s.isDirectMemory()) {
            return;
        }
        final long limit = s.safeLimit();
        if (at >= s.start() && at < limit) {
            pretoucher.publish(s.addressForWrite(at), limit - at);
        }
    }

    /** How many dead writers' unfinished records this handle cleared before appending over them. */
    public long scrubs() {
        return scrubs.get();
    }

    Path directory() {
        return journalDir;
    }

    /**
     * Refuses a write, before anything is journaled, when the file system is nearly full: checked at a thread's first
     * write and every {@value #SPACE_CHECK_INTERVAL} writes after it. Once a write is refused, every write checks again
     * until room is freed. (The count starts at {@code Integer.MAX_VALUE}: compared before it is incremented, it
     * never overflows.)
     */
    void checkRoom(final WriterContext w) {
        if (w.appendsSinceSpaceCheck >= SPACE_CHECK_INTERVAL) {
            space.checkFreeSpace(); // throws, and the count stays, while the file system is nearly full
            w.appendsSinceSpaceCheck = 0;
        }
        w.appendsSinceSpaceCheck++;
    }

    /**
     * Opens a record for writing, taking the journal's write lock. Chronicle takes the lock over from a holder that
     * died; a live holder that keeps it past Chronicle's timeout (a descheduled writer) makes Chronicle throw, and the
     * wait simply goes on.
     */
    private DocumentContext writingDocument(final WriterContext w) {
        while (true) {
            try {
                return w.appender.writingDocument();
            } catch (UnrecoverableTimeoutException e) {
                space.ensureOpen();
            }
        }
    }

    /**
     * Clears what a writer killed inside an append left in the journal. Chronicle Queue takes the dead writer's lock
     * over and writes the next record over the dead one's unfinished header, but it expects zeros after the end of
     * the journal: the dead writer's leftover bytes past the new record's end would be read as the next record's
     * header (Chronicle Queue issue 629: "corrupt stream" after a forced unlock). Every record starts with a non-zero
     * magic byte, so a non-zero word where a new record's payload starts means exactly that; the region a dead record
     * can have covered (the largest record this space allows) is zeroed before the new record is written over it.
     * Runs holding the journal's write lock.
     */
    private void scrubDeadWrite(final Bytes<?> b) {
        final long start = b.writePosition();
        final long end = Math.min(start + maxRecordBytes, b.writeLimit());
        b.zeroOut(start, end);
        scrubs.incrementAndGet();
    }

    /**
     * Appends one record ({@link RecordDescriptor} layout) through the calling thread's appender and returns its
     * index; the record's timestamp is left in {@link WriterContext#stamp}. {@code timestamp} is the record's, or
     * {@link #STAMP_AT_COMMIT}: the time Chronicle reads under the write lock to choose the cycle ({@link JournalClock}),
     * so the append reads the clock once, and timestamps follow the order of the appends. Allocation-free.
     */
    long append(final WriterContext w, final Op op, final int flags, final long version, final long timestamp, final long revertedIndex,
                final byte[] key, final int keyLen, final byte[] agent, final byte[] value, final int valueOffset, final int valueLength) {
        // composed before the write lock is taken, written under it in one copy (two for a large value)
        final UnsafeBuffer r = w.record;
        r.putByte(0, RecordDescriptor.MAGIC);
        r.putByte(2, (byte) op.code());
        final boolean compact = compactRecords;
        r.putByte(1, compact ? RecordDescriptor.FORMAT_COMPACT : RecordDescriptor.FORMAT);
        final int recordFlags = compact ? flags & ~RecordDescriptor.FLAG_REVERTED_INDEX : flags; // bit 1 is format 2's own
        r.putByte(3, (byte) (compact && revertedIndex >= 0 ? recordFlags | RecordDescriptor.FLAG_REVERTED_INDEX : recordFlags));
        final int keyLengthAt = compact ? RecordDescriptor.COMPACT_KEY_LENGTH_OFFSET : RecordDescriptor.KEY_LENGTH_OFFSET;
        r.putShort(keyLengthAt, (short) keyLen, ByteOrder.LITTLE_ENDIAN);
        int n = keyLengthAt + 2;
        r.putBytes(n, key, 0, keyLen);
        n += keyLen;
        r.putByte(n++, (byte) agent.length);
        r.putBytes(n, agent);
        n += agent.length;
        if (compact) { // format 2: the version a varint, the reverted index only in a REVERT, the value's length implied
            n = RecordDescriptor.putVersion(r, n, version);
            if (revertedIndex >= 0) {
                r.putLong(n, revertedIndex, ByteOrder.LITTLE_ENDIAN);
                n += 8;
            }
        } else {
            r.putLong(RecordDescriptor.VERSION_OFFSET, version, ByteOrder.LITTLE_ENDIAN);
            r.putLong(RecordDescriptor.REVERTED_INDEX_OFFSET, revertedIndex, ByteOrder.LITTLE_ENDIAN);
            r.putInt(n, valueLength, ByteOrder.LITTLE_ENDIAN);
            n += 4;
        }
        final int timestampAt = compact ? RecordDescriptor.COMPACT_TIMESTAMP_OFFSET : RecordDescriptor.TIMESTAMP_OFFSET;
        final boolean inline = valueLength <= WriterContext.INLINE_VALUE_BYTES;
        if (inline) {
            r.putBytes(n, value, valueOffset, valueLength);
            n += valueLength;
        }
        final boolean stampAtCommit = timestamp == STAMP_AT_COMMIT;
        if (stampAtCommit) {
            clock.arm(w);
        }
        try (DocumentContext dc = writingDocument(w)) {
            final long stamp = stampAtCommit ? JournalClock.stampFor(w) : timestamp;
            r.putLong(timestampAt, stamp, ByteOrder.LITTLE_ENDIAN);
            w.stamp = stamp;
            final Bytes<?> b = dc.wire().bytes();
            if (b.readLong(b.writePosition()) != 0) {
                scrubDeadWrite(b);
            }
            if (w.pendingOffset >= 0) {
                // before the commit: a survivor repairing a dead writer's segment finds the record by this index
                w.pendingBuffer.putLong(w.pendingOffset, dc.index());
            }
            b.write(w.recordBytes, 0, n);
            if (!inline) {
                b.write(value, valueOffset, valueLength);
            }
            final long at = b.writePosition();
            if (at - w.publishedAt >= JournalPretoucher.STEP || at < w.publishedAt) {
                publishPosition(w, b, at);
            }
            if (FaultPoints.ENABLED) {
                FaultPoints.reach(FaultPoints.JOURNAL_WRITING);
            }
        } catch (InternalError e) {
            // a fault writing to a mapped page: the file system ran out of memory under us
            throw new SpaceFullException(journalDir, "cannot write the journal: " + e.getMessage(), e);
        }
        final long index = w.appender.lastIndexAppended();
        final int cycle = rollCycle.toCycle(index);
        if (cycle != w.lastCycle) {
            w.lastCycle = cycle;
            if (dutyHeld && (space.options().retainCycles() > 0 || space.options().retainBytes() > 0)) {
                retainInBackground(); // this handle holds the duty: retire now rather than at its next pass
            }
        }
        return index;
    }

    /**
     * Appends a record of another subsystem (tuples, sync, blackboard) through the calling thread's appender, written
     * by this agent. {@code key} names what the record is about; {@code value} is the subsystem's own encoding.
     * Allocation-free. Returns the record's index.
     */
    @Override
    public long append(final Op op, final int flags, final long version, final CharSequence key, final byte[] value, final int offset,
                       final int length) {
        space.ensureOpen();
        if (space.options().observer()) {
            space.checkWritable("append a " + op + " record to the journal");
        }
        if ((flags & RecordDescriptor.FLAG_REVERTED_INDEX) != 0 || (flags & ~0xFF) != 0) {
            throw new IllegalArgumentException("record flags 0x" + Integer.toHexString(flags) + " for a " + op
                    + " record: bit 1 is the journal's own (a REVERT's reverted index) and a record has 8 bits");
        }
        final WriterContext w = space.chronicleKv().writer();
        final int keyLen;
        if (key == w.encodedName) {
            keyLen = w.encodedNameLength; // the same name as this thread's last record's (a tuple space's, a lock's)
        } else {
            final int max = space.options().maxKeyBytes();
            if (key.length() > max / 3 && Utf8.length(key) > max) {
                throw new IllegalArgumentException("record key '" + ChronicleKeyValue.abbreviate(key) + "' is " + Utf8.length(key)
                        + " UTF-8 bytes; the space at " + space.directory() + " allows at most " + max + " (maxKeyBytes)");
            }
            w.encodedName = null;
            keyLen = Utf8.encode(key, w.keyBytes);
            if (key instanceof String) { // immutable: the same object is the same bytes next time
                w.encodedName = key;
                w.encodedNameLength = keyLen;
            }
        }
        checkRoom(w);
        return append(w, op, flags, version, STAMP_AT_COMMIT, -1, w.keyBytes, keyLen, space.agentIdBytes(), value, offset, length);
    }

    // ---------------------------------------------------------------- cursors and positions

    @Override
    public RecordCursor cursor() {
        space.ensureOpen();
        return new ShmRecordCursor(this, queue.createTailer()).toStart();
    }

    @Override
    public NamedPosition namedPosition(final String name) {
        final byte[] bytes = TailerPositions.checkName(name);
        space.checkWritable("name a tailer (a named tailer's position is kept in the space)");
        final int slot = space.tailerPositions().findOrClaim(bytes); // lock-free (NameClaims)
        final TailerPositions positions = space.tailerPositions();
        return new NamedPosition() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long get() {
                return positions.position(slot);
            }

            @Override
            public void set(final long index) {
                positions.position(slot, index);
            }

            @Override
            public boolean advance(final long expected, final long index) {
                return positions.advance(slot, expected, index);
            }

            @Override
            public boolean lost() {
                return positions.position(slot) < 0;
            }
        };
    }

    @Override
    public void deleteNamedPosition(final String name) {
        final byte[] bytes = TailerPositions.checkName(name);
        space.checkWritable("delete a named tailer");
        space.tailerPositions().delete(bytes); // lock-free: one compare-and-set of the slot's claim word
    }

    @Override
    public long lastIndex() {
        space.ensureOpen();
        final long i = queue.lastIndex();
        return i < 0 || i == Long.MAX_VALUE ? -1 : i;
    }

    @Override
    public long firstIndex() {
        space.ensureOpen();
        final long i = queue.firstIndex();
        return i < 0 || i == Long.MAX_VALUE ? -1 : i;
    }

    @Override
    public boolean complete() {
        return space.headerBuffer().getLongVolatile(SpaceDescriptor.FIRST_RETAINED_CYCLE_OFFSET) == 0;
    }

    @Override
    public String location() {
        return journalDir.toString();
    }

    @Override
    public CorruptSpaceException foreignRecord(final long index, final String problem) {
        return new CorruptSpaceException(journalDir, "journal record at index " + index + " (0x" + Long.toHexString(index) + "): " + problem);
    }

    /**
     * Records in the retained journal: the sum over its cycles (retention removes whole cycles). Not Chronicle's
     * {@code countExcerpts}: in this build it lists cycles as if the queue's epoch were 0, and fails with "Cycle not
     * found" for a journal with its own epoch (format 1.2). Not thread-safe: uses one tailer of its own.
     */
    long recordCount() {
        final long first = firstIndex();
        final long last = lastIndex();
        if (first < 0 || last < 0) {
            return 0;
        }
        long count = 0;
        try (ExcerptTailer t = queue.createTailer()) {
            for (int c : files.cycles().subSet(rollCycle.toCycle(first), true, rollCycle.toCycle(last), true)) {
                count += Math.max(0, t.excerptsInCycle(c)); // -1: retired meanwhile
            }
        }
        return count;
    }

    // ---------------------------------------------------------------- retention

    /**
     * Retention is part of the space's duty: the agent holding it runs a pass when the cycle changes (noticed by its
     * duty thread within a second, or at once when it appends the roll itself), on its retention thread, never in an
     * appending thread: the append is committed, and snapshotting the views can take a while. A roll while a pass is
     * running or queued adds nothing.
     */
    private void retainInBackground() {
        java.util.concurrent.ThreadPoolExecutor r = retention;
        if (r == null) {
            synchronized (this) {
                r = retention;
                if (r == null) {
                    r = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
                            new java.util.concurrent.ArrayBlockingQueue<>(1),
                            io.slate.internal.ServiceThreads.factory("slate-retention " + journalDir),
                            new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
                    retention = r;
                }
            }
        }
        r.execute(this::retainQuietly);
    }

    private volatile java.util.concurrent.ThreadPoolExecutor retention;

    /** Name of the file whose lock makes its holder the space's snapshot duty (one agent at a time). */
    static final String DUTY_LOCK_FILE_NAME = "snapshot-duty.lock";
    /** How often the snapshot duty runs (and how often an agent without it tries to take it over). */
    static final long DUTY_PERIOD_MILLIS = 1000;

    private volatile Thread duty;
    /** True while this handle holds the space's duty (snapshots and retention). */
    private volatile boolean dutyHeld;
    /** The cycle the duty last ran retention in (duty thread only). */
    private int dutyRetainedCycle = Integer.MIN_VALUE;
    private volatile boolean dutyStop;
    private final java.util.concurrent.atomic.AtomicLong dutySnapshots = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Starts this handle's duty thread when the journal is bounded: once a second it tries to hold the space's duty
     * (an exclusive lock on {@value #DUTY_LOCK_FILE_NAME}, released by the kernel when its holder dies) and, holding
     * it, runs a {@link io.slate.engine.SnapshotDuty} pass, and retention when the cycle changed.
     */
    void startSnapshotDuty() {
        if (!space.options().housekeeping()) {
            return; // an observer changes nothing; an agent that opted out leaves the duty to others
        }
        if (space.options().retainCycles() <= 0 && space.options().retainBytes() <= 0) {
            return;
        }
        duty = io.slate.internal.ServiceThreads.start("slate-snapshots " + journalDir, this::runDuty);
    }

    /** Whether this handle holds the space's duty (snapshots and retention) now. */
    public boolean holdsDuty() {
        return dutyHeld;
    }

    /** Snapshots this handle's duty wrote. */
    public long dutySnapshots() {
        return dutySnapshots.get();
    }

    private void runDuty() {
        final Path lockFile = space.directory().resolve(DUTY_LOCK_FILE_NAME);
        java.nio.channels.FileChannel channel = null;
        java.nio.channels.FileLock lock = null;
        io.slate.engine.SnapshotDuty work = null;
        try {
            while (!dutyStop) {
                // never interrupted: an interrupt inside Chronicle's file I/O would close channels the queue shares
                for (long slept = 0; slept < DUTY_PERIOD_MILLIS && !dutyStop; slept += 20) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                }
                if (dutyStop) {
                    return;
                }
                try {
                    if (lock == null) {
                        if (channel == null) {
                            SpaceFiles.createFile(lockFile);
                            channel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.WRITE);
                        }
                        try {
                            lock = channel.tryLock();
                        } catch (java.nio.channels.OverlappingFileLockException otherHandleHere) {
                            lock = null; // another handle of this process holds it
                        }
                        if (lock == null) {
                            continue;
                        }
                        work = new io.slate.engine.SnapshotDuty(space);
                        dutyHeld = true;
                    }
                    dutySnapshots.addAndGet(work.runOnce());
                    final int cycle = queue.cycle();
                    if (cycle != dutyRetainedCycle) {
                        // retention is part of the duty: one agent retires cycles, whoever appends
                        dutyRetainedCycle = cycle;
                        retainInBackground();
                    }
                } catch (RuntimeException | IOException e) {
                    if (dutyStop) {
                        return;
                    }
                    retentionProblem = "snapshot duty: " + e.getMessage();
                }
            }
        } finally {
            dutyHeld = false;
            if (work != null) {
                work.close();
            }
            try {
                if (channel != null) {
                    channel.close(); // releases the lock
                }
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Stops the pretoucher and the retention thread (waiting a little for a pass in progress). Called when the space closes. */
    void closeRetention() {
        pretoucher.close();
        final Thread t = duty;
        if (t != null) {
            dutyStop = true;
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        final java.util.concurrent.ThreadPoolExecutor r = retention;
        if (r != null) {
            r.shutdown(); // not shutdownNow: an interrupt inside Chronicle's file I/O would close channels the queue shares
            try {
                r.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Retention that never throws: a cycle that cannot be retired now is retried at the next roll. */
    private void retainQuietly() {
        try {
            applyRetention();
            retentionPasses.incrementAndGet();
        } catch (RuntimeException e) {
            retentionProblem = e.getMessage();
        }
    }

    private final java.util.concurrent.atomic.AtomicLong retentionPasses = new java.util.concurrent.atomic.AtomicLong();

    /** Retention passes this handle ran after a roll. */
    public long retentionPasses() {
        return retentionPasses.get();
    }

    /** The last reason retention after an append could not retire a cycle, or null. */
    public String retentionProblem() {
        return retentionProblem;
    }

    /** Bytes of memory the journal's cycle files take (allocated blocks). */
    public long journalBytes() {
        final int first = queue.firstCycle();
        final int current = queue.cycle();
        long total = 0;
        if (first == Integer.MAX_VALUE) {
            return 0;
        }
        for (int c = first; c <= current; c++) {
            total += ChronicleSpace.du(files.cycleFile(c));
        }
        return total;
    }

    /**
     * Retires (removes, or moves to the archive directory) the oldest journal cycles: as many as {@code retainCycles}
     * and {@code retainBytes} call for, never the current cycle. Before that, every tuple space and blackboard with
     * records in those cycles is brought to a snapshot at or after the cut ({@link ViewSnapshots#beforeRetire}), so no
     * view ever needs a retired record; when that fails, nothing is retired. A named tailer or watch holds back the
     * cycles it has not read while the journal stays within twice the byte budget (forever when there is no byte
     * budget); beyond that they are retired anyway, and the tailer fails when it resumes.
     *
     * @return the number of cycle files retired
     */
    public synchronized int applyRetention() {
        final int retain = space.options().retainCycles();
        final long budget = space.options().retainBytes();
        if (retain <= 0 && budget <= 0) {
            return 0;
        }
        // the cycle of the last record, never a later (empty) one: the journal always keeps its newest records
        final long last = lastIndex();
        if (last < 0) {
            return 0;
        }
        final int current = Math.min(queue.cycle(), rollCycle.toCycle(last));
        final int first = queue.firstCycle();
        if (first == Integer.MAX_VALUE || first >= current) {
            return 0;
        }
        final int span = current - first + 1;
        final long[] sizes = new long[span];
        long total = 0;
        for (int c = first; c <= current; c++) {
            sizes[c - first] = ChronicleSpace.du(files.cycleFile(c));
            total += sizes[c - first];
        }
        int keepFrom = first;
        if (retain > 0) {
            keepFrom = Math.max(keepFrom, current - retain + 1);
        }
        if (budget > 0) {
            long kept = total;
            int c = first;
            while (c < current && kept > budget) {
                kept -= sizes[c - first];
                c++;
            }
            keepFrom = Math.max(keepFrom, c);
        }
        final long min = space.tailerPositions().minPosition();
        if (min != Long.MAX_VALUE) {
            // a named tailer still needs cycles from this one (everything, when it has not read anything yet)
            final int needed = min == Long.MIN_VALUE ? first : Math.max(first, rollCycle.toCycle(min));
            if (needed < keepFrom) {
                long held = 0;
                for (int c = needed; c <= current; c++) {
                    held += sizes[c - first];
                }
                if (budget <= 0 || held <= 2 * budget) {
                    keepFrom = needed;
                }
            }
        }
        if (keepFrom <= first) {
            return 0;
        }
        final long cut = rollCycle.toIndex(keepFrom, 0);
        if (!ViewSnapshots.beforeRetire(space, cut)) {
            throw new io.slate.space.SpaceException(journalDir, "cannot retire journal cycles before index " + cut
                    + ": a tuple space or blackboard could not be snapshotted at or after it", null);
        }
        // named positions that did not keep up within the budget lose these cycles: marked before a file goes, so
        // that a tailer or watch reading on finds out before it delivers anything after the gap
        final int lostPositions = space.tailerPositions().markLostBefore(keepFrom, rollCycle::toCycle);
        if (lostPositions > 0) {
            retentionProblem = lostPositions + " named tailer(s) or watch(es) fell more than twice the journal budget ("
                    + budget + " bytes) behind and lost the cycles before index " + cut;
        }
        final Path archive = space.options().archiveDirectory();
        int removed = 0;
        for (int c = first; c < keepFrom; c++) {
            final Path file = files.cycleFile(c);
            try {
                if (!Files.exists(file)) {
                    continue;
                }
                if (FaultPoints.ENABLED) {
                    FaultPoints.reach(FaultPoints.JOURNAL_RETIRING);
                }
                if (archive != null) {
                    Files.createDirectories(archive);
                    Files.move(file, archive.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.delete(file);
                }
                removed++;
            } catch (java.nio.file.NoSuchFileException gone) {
                // another agent, rolling at the same moment, retired it first
            } catch (IOException e) {
                throw new io.slate.space.SpaceException(file, "cannot retire journal cycle: " + e.getMessage(), e);
            }
        }
        if (removed > 0) {
            final org.agrona.concurrent.UnsafeBuffer h = space.headerBuffer();
            long seen;
            do {
                seen = h.getLongVolatile(SpaceDescriptor.FIRST_RETAINED_CYCLE_OFFSET);
            } while (seen < keepFrom && !h.compareAndSetLong(SpaceDescriptor.FIRST_RETAINED_CYCLE_OFFSET, seen, keepFrom));
            queue.refreshDirectoryListing();
        }
        return removed;
    }
}
