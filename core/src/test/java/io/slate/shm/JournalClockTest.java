package io.slate.shm;

import io.slate.internal.Clock;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An append's timestamp is the time Chronicle reads under the journal's write lock (one clock read per append): the
 * appending thread gets its own reading and never another thread's, the cycle Chronicle chooses is the wall clock's,
 * and a writer that waited for the lock is stamped when it got it, not when it started.
 */
@Timeout(120)
class JournalClockTest {
    private final Path dir = TestSpaces.newDirectory("journal-clock");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void theReadingThreadGetsItsOwnReadingOnce() {
        final JournalClock clock = new JournalClock(0, 300_000);
        final Thread self = Thread.currentThread();
        final long ms = clock.currentTimeMillis();
        final long stamp = clock.stampFor(self);
        assertEquals(stamp, clock.stampFor(self), "the reading is kept, not read again");
        assertTrue(Math.abs(stamp / 1_000_000L - ms) <= 1, "the stamp " + stamp + " is the reading Chronicle got as " + ms + " ms");
        clock.forget();
        final long fresh = clock.stampFor(self);
        assertNotEquals(fresh, clock.stampFor(self), "after forget, every stamp is a new reading");
        assertTrue(fresh >= stamp);
    }

    @Test
    void anotherThreadsReadingIsNeverTaken() throws Exception {
        final JournalClock clock = new JournalClock(0, 300_000);
        final Thread self = Thread.currentThread();
        clock.currentTimeMillis();
        final ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            final long theirs = other.submit(() -> {
                clock.currentTimeMillis();
                return clock.stampFor(Thread.currentThread());
            }).get(10, TimeUnit.SECONDS);
            final long mine = clock.stampFor(self);
            assertNotEquals(theirs, mine, "the other thread read last: this thread reads the clock itself");
            assertTrue(mine >= theirs - 1_000_000L, "a new reading, after the other thread's");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void chronicleGetsTheWallClocksCycle() {
        // a cycle of 5 ms: most readings fall within the margin of a roll
        final long cycle = 5;
        final JournalClock clock = new JournalClock(1_000, cycle);
        for (int i = 0; i < 200_000; i++) {
            final long before = System.currentTimeMillis();
            final long ms = clock.currentTimeMillis();
            final long after = System.currentTimeMillis();
            final long c = Math.floorDiv(ms - 1_000, cycle);
            assertTrue(c >= Math.floorDiv(before - 1_000, cycle) && c <= Math.floorDiv(after - 1_000, cycle),
                    "cycle of " + ms + " outside the wall clock's " + before + ".." + after);
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
                    releasedAt.set(Clock.nanos());
                }
                return null;
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            final long started = Clock.nanos();
            final Future<Long> w = writer.submit(write::getAsLong);
            hold.get(10, TimeUnit.SECONDS);
            w.get(10, TimeUnit.SECONDS);
            final long index = s.journal().lastIndex();
            final long stamp = stampAt(s, index);
            // Clock may step back by its drift against the wall clock (well under a millisecond) at a check
            assertTrue(stamp >= releasedAt.get() - 1_000_000L, "record " + index + " stamped " + (releasedAt.get() - stamp)
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
