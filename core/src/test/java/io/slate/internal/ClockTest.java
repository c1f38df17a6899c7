package io.slate.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Clock}: the wall clock in nanoseconds, read from the monotonic clock between checks against the wall clock. */
@Timeout(60)
class ClockTest {
    private static final long MILLI = 1_000_000L;

    @Test
    void staysWithinAMillisecondOfTheWallClockAcrossManyChecks() {
        // long enough to cross many check intervals (a millisecond each)
        final long end = System.nanoTime() + 200 * MILLI;
        long calls = 0;
        while (System.nanoTime() < end) {
            final long before = System.currentTimeMillis() * MILLI;
            final long n = Clock.nanos();
            final long after = System.currentTimeMillis() * MILLI;
            assertTrue(n >= before - MILLI && n < after + 2 * MILLI,
                    "Clock.nanos() " + n + " is not within a millisecond of the wall clock [" + before + ", " + after + "]");
            calls++;
        }
        assertTrue(calls > 1000, "the loop ran " + calls + " times");
    }

    @Test
    void advancesWithTheMonotonicClock() throws InterruptedException {
        final long m0 = System.nanoTime();
        final long c0 = Clock.nanos();
        Thread.sleep(20);
        final long c1 = Clock.nanos();
        final long m1 = System.nanoTime();
        assertTrue(c1 - c0 >= 20 * MILLI - 2 * MILLI, "20 ms later the clock moved " + (c1 - c0) + " ns");
        assertTrue(c1 - c0 <= m1 - m0 + 2 * MILLI, "the clock moved " + (c1 - c0) + " ns while " + (m1 - m0) + " ns passed");
    }
}
