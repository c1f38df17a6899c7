package io.slate.internal;

import io.slate.idle.IdleStrategy;
import io.slate.journal.Journal;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.RecordHandler;
import io.slate.journal.Subscription;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.space.CorruptSpaceException;
import io.slate.space.Space;
import io.slate.space.SpaceFullException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** The journal on Chronicle Queue: append, tailers, subscriptions, replay, verify and retention. Thread-safe factory. */
public final class ChronicleJournal implements Journal {
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

    ChronicleJournal(final ChronicleSpace space) {
        this.space = space;
        this.queue = space.queue();
        this.journalDir = space.directory().resolve(SpaceDescriptor.JOURNAL_DIR_NAME);
        this.rollCycle = queue.rollCycle();
        this.maxRecordBytes = 4L + RecordDescriptor.HEADER_LENGTH + 2 + 3L * space.options().maxKeyBytes() + 1 + 255 + 4
                + space.options().maxValueBytes() + 64;
        this.files = new JournalFiles(journalDir, rollCycle);
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
     * Appends one record ({@link RecordDescriptor} layout) through the calling thread's appender and returns its
     * index. Allocation-free.
     */
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

    long append(final WriterContext w, final Op op, final int flags, final long version, final long timestamp, final long revertedIndex,
                final byte[] key, final int keyLen, final byte[] agent, final byte[] value, final int valueOffset, final int valueLength) {
        // composed before the write lock is taken, written under it in one copy (two for a large value)
        final UnsafeBuffer r = w.record;
        r.putByte(0, RecordDescriptor.MAGIC);
        r.putByte(1, RecordDescriptor.FORMAT);
        r.putByte(2, (byte) op.code());
        r.putByte(3, (byte) flags);
        r.putLong(4, version, ByteOrder.LITTLE_ENDIAN);
        r.putLong(12, timestamp, ByteOrder.LITTLE_ENDIAN);
        r.putLong(20, revertedIndex, ByteOrder.LITTLE_ENDIAN);
        r.putShort(RecordDescriptor.HEADER_LENGTH, (short) keyLen, ByteOrder.LITTLE_ENDIAN);
        int n = RecordDescriptor.HEADER_LENGTH + 2;
        r.putBytes(n, key, 0, keyLen);
        n += keyLen;
        r.putByte(n++, (byte) agent.length);
        r.putBytes(n, agent);
        n += agent.length;
        r.putInt(n, valueLength, ByteOrder.LITTLE_ENDIAN);
        n += 4;
        final boolean inline = valueLength <= WriterContext.INLINE_VALUE_BYTES;
        if (inline) {
            r.putBytes(n, value, valueOffset, valueLength);
            n += valueLength;
        }
        try (DocumentContext dc = writingDocument(w)) {
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
            if (space.options().retainCycles() > 0) {
                retainQuietly();
            }
        }
        return index;
    }

    /**
     * Appends a record of another subsystem (tuples, sync, blackboard) through the calling thread's appender, written
     * by this agent. {@code key} names what the record is about; {@code value} is the subsystem's own encoding.
     * Allocation-free. Returns the record's index.
     */
    public long append(final Op op, final int flags, final long version, final CharSequence key, final byte[] value, final int offset,
                       final int length) {
        space.ensureOpen();
        if (space.options().observer()) {
            space.checkWritable("append a " + op + " record to the journal");
        }
        final WriterContext w = space.chronicleKv().writer();
        final int max = space.options().maxKeyBytes();
        if (key.length() > max / 3 && Utf8.length(key) > max) {
            throw new IllegalArgumentException("record key '" + ChronicleKeyValue.abbreviate(key) + "' is " + Utf8.length(key)
                    + " UTF-8 bytes; the space at " + space.directory() + " allows at most " + max + " (maxKeyBytes)");
        }
        final int keyLen = Utf8.encode(key, w.keyBytes);
        checkRoom(w);
        return append(w, op, flags, version, io.slate.internal.Clock.nanos(), -1, w.keyBytes, keyLen, space.agentIdBytes(), value, offset, length);
    }

    // ---------------------------------------------------------------- tailers

    @Override
    public Tailer tailerFromStart() {
        return newTailer(null, -1).start();
    }

    @Override
    public Tailer tailerFromIndex(final long index) {
        return newTailer(null, -1).from(index);
    }

    @Override
    public Tailer tailerFromEnd() {
        return newTailer(null, -1).end();
    }

    @Override
    public Tailer namedTailer(final String name) {
        final byte[] bytes = TailerPositions.checkName(name);
        space.checkWritable("name a tailer (a named tailer's position is kept in the space)");
        final int slot = space.underLock(() -> space.tailerPositions().findOrClaim(bytes));
        final ChronicleTailer t = newTailer(name, slot);
        final long last = space.tailerPositions().position(slot);
        return last == 0 ? t.start() : t.resumeAfter(last);
    }

    @Override
    public void deleteNamedTailer(final String name) {
        final byte[] bytes = TailerPositions.checkName(name);
        space.checkWritable("delete a named tailer");
        space.underLock(() -> {
            final int slot = space.tailerPositions().find(bytes);
            if (slot >= 0) {
                space.tailerPositions().free(slot);
            }
            return null;
        });
    }

    private ChronicleTailer newTailer(final String name, final int slot) {
        final ChronicleTailer t = newUnregisteredTailer(name, slot);
        space.register(t);
        return t;
    }

    /** A tailer the space does not close for its owner (a subscription closes its own, on its own thread). */
    private ChronicleTailer newUnregisteredTailer(final String name, final int slot) {
        space.ensureOpen();
        return new ChronicleTailer(this, queue.createTailer(), name, slot, space.options().idleStrategy().get());
    }

    void closed(final ChronicleTailer t) {
        space.unregister(t);
    }

    TailerPositions positions() {
        return space.tailerPositions();
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

    long recordCount() {
        final long first = firstIndex();
        final long last = lastIndex();
        if (first < 0 || last < 0) {
            return 0;
        }
        return queue.countExcerpts(first, last) + 1;
    }

    // ---------------------------------------------------------------- subscriptions

    @Override
    public Subscription subscribe(final String keyPrefix, final long afterIndex, final RecordHandler handler) {
        final String prefix = keyPrefix == null ? "" : keyPrefix;
        final IdleStrategy idle = space.options().idleStrategy().get();
        final AtomicBoolean running = new AtomicBoolean(true);
        final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(-1);
        final java.util.concurrent.CompletableFuture<Void> positioned = new java.util.concurrent.CompletableFuture<>();
        final RecordHandler filtered = r -> {
            if (Utf8.startsWith(r.key(), prefix)) {
                handler.onRecord(r);
            }
        };
        // Chronicle tailers are confined to one thread: the subscription's thread creates, positions and reads it
        final Thread thread = new Thread(() -> {
            final ChronicleTailer tailer;
            try {
                tailer = newUnregisteredTailer(null, -1);
                if (afterIndex < 0) {
                    tailer.end();
                } else if (afterIndex == 0) {
                    tailer.start();
                } else {
                    tailer.resumeAfter(afterIndex);
                }
            } catch (RuntimeException e) {
                positioned.completeExceptionally(e);
                return;
            }
            positioned.complete(null);
            try {
                while (running.get()) {
                    final boolean read = tailer.poll(filtered);
                    if (read) {
                        last.set(tailer.lastIndex());
                    }
                    idle.idle(read ? 1 : 0);
                }
            } finally {
                tailer.close();
            }
        }, "slate-subscription-" + prefix);
        thread.setDaemon(true);
        final Subscription sub = new Subscription() {
            @Override
            public long lastIndex() {
                return last.get();
            }

            @Override
            public void close() {
                running.set(false);
                if (Thread.currentThread() != thread) {
                    try {
                        thread.join(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        thread.start();
        try {
            // return only once positioned, so "from the end" means after this call
            positioned.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            sub.close();
            throw new IllegalStateException("subscription to '" + prefix + "' could not start: " + e, e);
        }
        space.register(sub);
        return sub;
    }

    // ---------------------------------------------------------------- replay and verify

    /** Indices of records undone by a REVERT, up to {@code toIndex}. */
    private Set<Long> revertedIndices(final long toIndex, final Consumer<CorruptSpaceException> unreadable) {
        final Set<Long> reverted = new HashSet<>();
        readUpTo(toIndex, r -> {
            if (r.op() == Op.REVERT && r.index() <= toIndex) {
                reverted.add(r.revertedIndex());
            }
        }, unreadable);
        return reverted;
    }

    /**
     * Calls {@code handler} with every effective record (not reverted, not a REVERT) up to {@code toIndex}. A record
     * that cannot be read goes to {@code unreadable}, or, when that is {@code null}, ends the walk with its error.
     */
    private long forEachEffective(final long toIndex, final RecordHandler handler, final Consumer<CorruptSpaceException> unreadable) {
        final Set<Long> reverted = revertedIndices(toIndex, unreadable == null ? null : e -> { });
        final long[] count = {0};
        readUpTo(toIndex, r -> {
            if (r.index() <= toIndex && r.op().isKeyValue() && !reverted.contains(r.index())) {
                handler.onRecord(r);
                count[0]++;
            }
        }, unreadable);
        return count[0];
    }

    /** Reads from the start up to {@code toIndex}; unreadable records go to {@code unreadable} (null: thrown). */
    private void readUpTo(final long toIndex, final RecordHandler h, final Consumer<CorruptSpaceException> unreadable) {
        try (Tailer t = tailerFromStart()) {
            while (true) {
                try {
                    if (!t.poll(h)) {
                        return;
                    }
                } catch (CorruptSpaceException e) {
                    if (unreadable == null) {
                        throw e;
                    }
                    unreadable.accept(e); // the tailer has moved past it
                    continue;
                }
                if (t.lastIndex() >= toIndex) {
                    return;
                }
            }
        }
    }

    @Override
    public long replayInto(final Space target, final long toIndex) {
        if (!(target instanceof ChronicleSpace)) {
            throw new IllegalArgumentException("replay target must be a Slate space on this backend, got " + target.getClass().getName());
        }
        final ChronicleSpace t = (ChronicleSpace) target;
        if (t.directory().equals(space.directory())) {
            throw new IllegalArgumentException("cannot replay the space at " + space.directory() + " into itself");
        }
        if (t.kv().size() != 0 || t.journal().lastIndex() >= 0) {
            throw new IllegalArgumentException("replay target " + t.directory() + " is not empty: " + t.kv().size() + " keys, journal up to "
                    + t.journal().lastIndex());
        }
        final ChronicleKeyValue kv = t.chronicleKv();
        return forEachEffective(toIndex, kv::applyReplayed, null);
    }

    @Override
    public VerifyReport verify() {
        space.ensureOpen();
        final long upTo = lastIndex();
        final Map<String, Entry> replayed = new HashMap<>();
        final List<String> mismatches = new ArrayList<>();
        final long[] mismatchTotal = {0};
        // a record that cannot be read is reported, and the replay goes on with the next
        final long records = upTo < 0 ? 0 : forEachEffective(upTo, r -> {
            final Entry e = r.toEntry();
            replayed.put(e.key(), e);
        }, e -> addMismatch(mismatches, mismatchTotal, e.getMessage()));
        final boolean complete = space.headerBuffer().getLongVolatile(SpaceDescriptor.FIRST_RETAINED_CYCLE_OFFSET) == 0;
        final ChronicleKeyValue kv = space.chronicleKv();
        long checked = 0;
        for (Entry j : replayed.values()) {
            final Entry m = kv.getIncludingRemoved(j.key());
            checked++;
            if (m != null && m.journalIndex() > upTo) {
                continue; // written after the snapshot index: newer than what we replayed
            }
            if (m == null) {
                addMismatch(mismatches, mismatchTotal, "key '" + j.key() + "': journal has version " + j.version() + " (index " + j.journalIndex() + "), map has no entry");
            } else if (!ChronicleKeyValue.sameState(m, j) || m.journalIndex() != j.journalIndex()) {
                addMismatch(mismatches, mismatchTotal, "key '" + j.key() + "': map has " + describe(m) + ", journal has " + describe(j));
            }
        }
        final List<Entry> later = new ArrayList<>();
        kv.forEachIncludingRemoved(m -> {
            if (m.journalIndex() > upTo) {
                later.add(m);
            } else if (complete && !replayed.containsKey(m.key())) {
                addMismatch(mismatches, mismatchTotal, "key '" + m.key() + "': map has " + describe(m) + ", journal has no record of it");
            }
        });
        // a map entry is written after its record is journaled, so every entry seen is at or before the journal's end
        // read after them: one beyond it names a record the journal lost (a cycle file deleted or emptied)
        final long end = lastIndex();
        for (Entry m : later) {
            if (m.journalIndex() > end) {
                addMismatch(mismatches, mismatchTotal, "key '" + m.key() + "': map has " + describe(m) + ", beyond the journal's last record "
                        + (end < 0 ? "(the journal is empty)" : "(index " + end + ")") + ": the journal lost that record");
            }
        }
        return new VerifyReport(records, checked, complete, mismatches, mismatchTotal[0]);
    }

    private static String describe(final Entry e) {
        return "version " + e.version() + (e.isRemoved() ? " (removed)" : " (" + e.value().length + " bytes)") + " by " + e.writer()
                + " at index " + e.journalIndex();
    }

    private static void addMismatch(final List<String> list, final long[] total, final String s) {
        total[0]++;
        if (list.size() < 100) {
            list.add(s);
        }
    }

    // ---------------------------------------------------------------- retention

    /**
     * Retention after an append: the append is committed, so nothing may make it look failed to its caller (whose map
     * update has not happened yet). A cycle that cannot be retired now is retried at the next roll; the problem is
     * kept for {@link #retentionProblem()}.
     */
    private void retainQuietly() {
        try {
            applyRetention();
        } catch (RuntimeException e) {
            retentionProblem = e.getMessage();
        }
    }

    /** The last reason retention after an append could not retire a cycle, or null. */
    public String retentionProblem() {
        return retentionProblem;
    }

    /**
     * Removes (or moves to the archive directory) journal cycles older than the newest {@code retainCycles}, keeping
     * every cycle a named tailer still has to read. Runs when an appender rolls to a new cycle.
     */
    public synchronized int applyRetention() {
        final int retain = space.options().retainCycles();
        if (retain <= 0) {
            return 0;
        }
        final int current = queue.cycle();
        int keepFrom = current - retain + 1;
        final long min = space.tailerPositions().minPosition();
        if (min == Long.MIN_VALUE) {
            return 0; // a named tailer has not read anything yet: it needs everything
        }
        if (min != Long.MAX_VALUE) {
            keepFrom = Math.min(keepFrom, rollCycle.toCycle(min));
        }
        final int first = queue.firstCycle();
        if (first == Integer.MAX_VALUE || first >= keepFrom) {
            return 0;
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

    ExcerptTailer rawTailer() {
        return queue.createTailer();
    }
}
