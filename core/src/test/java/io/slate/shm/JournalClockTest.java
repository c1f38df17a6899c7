package io.slate.shm;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An append's timestamp is the time Chronicle reads under the journal's write lock (one clock read per append): the
 * appending thread gets its own reading and never another thread's, Chronicle reads the wall clock itself, and a
 * writer that waited for the lock is stamped when it got it, not when it started.
 */
@Timeout(120)
class JournalClockTest {
    private final Path dir = TestSpaces.newDirectory("journal-clock");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void theArmedThreadGetsChroniclesReadingAndNoOtherThreadsReading() throws Exception {
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("armed"))) {
            final WriterContext w = ((ChronicleSpace) s).chronicleKv().writer();
            final JournalClock clock = new JournalClock();
            clock.arm(w);
            final long ms = clock.currentTimeMillis();
            final long stamp = JournalClock.stampFor(w);
            assertEquals(stamp, JournalClock.stampFor(w), "the reading is kept, not read again");
            assertEquals(ms, stamp / 1_000_000L, "the stamp is the reading Chronicle got in milliseconds");
            // armed but not read since: the stamp is a new reading, and none is kept
            clock.arm(w);
            final long fresh = JournalClock.stampFor(w);
            assertEquals(JournalClock.NONE, w.clockReading);
            assertTrue(fresh >= stamp);
            // another thread's reading (a tailer's, another appender's) never lands in this thread's context
            clock.arm(w);
            final ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                other.submit(clock::currentTimeMillis).get(10, TimeUnit.SECONDS);
                assertEquals(JournalClock.NONE, w.clockReading, "a reading by another thread");
                other.submit(() -> {
                    final WriterContext theirs = ((ChronicleSpace) s).chronicleKv().writer();
                    clock.arm(theirs);
                    clock.currentTimeMillis();
                    return null;
                }).get(10, TimeUnit.SECONDS);
                clock.currentTimeMillis(); // armed by the other thread now: this thread's reading goes nowhere
                assertEquals(JournalClock.NONE, w.clockReading, "a reading after another thread armed the clock");
            } finally {
                other.shutdownNow();
            }
        }
    }

    @Test
    void chronicleGetsTheWallClock() {
        assertTrue(JournalClock.nanosecondWallClock(), "the JDK's nanosecond wall clock is reachable with the project's JVM options");
        final JournalClock clock = new JournalClock();
        for (int i = 0; i < 200_000; i++) {
            final long before = System.currentTimeMillis();
            final long ms = clock.currentTimeMillis();
            final long after = System.currentTimeMillis();
            assertTrue(ms >= before && ms <= after, ms + " outside the wall clock's " + before + ".." + after);
        }
    }

    @Test
    void aWriterThatWaitedForTheLockIsStampedWhenItGotIt() throws Exception {
        final ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("stamped"))) {
            final ChronicleSpace cs = (ChronicleSpace) s;
            final TupleSpace ts = TupleSpace.of(s, "t");
            // the writing thread's first append makes its appender, which takes the lock on its own: done first
            writer.submit(() -> {
                s.kv().putString("k", "warm");
                return ts.out(Tuple.of("warm"));
            }).get(10, TimeUnit.SECONDS);
            assertStampedAfterTheLockIsReleased(cs, writer, () -> s.kv().putString("k", "v"));
            final long put = s.journal().lastIndex();
            final Entry e = s.kv().get("k");
            assertEquals(stampAt(s, put), e.timestampNanos(), "the entry has its record's time");
            assertStampedAfterTheLockIsReleased(cs, writer, () -> ts.out(Tuple.of("x")));
            assertTrue(s.journal().verify().ok());
            ts.close();
        } finally {
            writer.shutdownNow();
        }
    }

    /**
     * Holds the journal's write lock for 300 ms while {@code write} starts on {@code writer}; its record's time is
     * after the release.
     */
    private static void assertStampedAfterTheLockIsReleased(final ChronicleSpace s, final ExecutorService writer, final LongSupplier write)
            throws Exception {
        final CountDownLatch held = new CountDownLatch(1);
        final AtomicLong releasedAt = new AtomicLong();
        final ExecutorService holder = Executors.newSingleThreadExecutor();
        try {
            final Future<?> hold = holder.submit(() -> {
                try (ExcerptAppender a = s.queue().createAppender(); DocumentContext dc = a.writingDocument()) {
                    held.countDown();
                    Thread.sleep(300);
                    dc.rollbackOnClose(); // nothing is written
                    releasedAt.set(JournalClock.wallNanos());
                }
                return null;
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            final long started = JournalClock.wallNanos();
            final Future<Long> w = writer.submit(write::getAsLong);
            hold.get(10, TimeUnit.SECONDS);
            w.get(10, TimeUnit.SECONDS);
            final long index = s.journal().lastIndex();
            final long stamp = stampAt(s, index);
            assertTrue(stamp >= releasedAt.get(), "record " + index + " stamped " + (releasedAt.get() - stamp)
                    + " ns before the lock was released; the write started " + (releasedAt.get() - started) + " ns before");
        } finally {
            holder.shutdownNow();
        }
    }

    /** The timestamp of the record at {@code index}. */
    private static long stampAt(final Space s, final long index) {
        try (Tailer t = s.journal().tailerFromIndex(index)) {
            final JournalRecord r = t.next(10, TimeUnit.SECONDS);
            assertEquals(index, r.index());
            return r.timestampNanos();
        }
    }
}
