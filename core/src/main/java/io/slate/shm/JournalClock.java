package io.slate.shm;

import io.slate.internal.Clock;
import net.openhft.chronicle.core.time.TimeProvider;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The journal queue's clock, so that an append reads the time once: Chronicle Queue reads it under the queue's write
 * lock to choose the cycle of every document it writes, and the appending thread takes that same reading, in
 * nanoseconds, as its record's timestamp, where it used to read a second clock before taking the lock.
 *
 * <p>The reading is the wall clock itself ({@code CLOCK_REALTIME} in nanoseconds, the source of
 * {@link System#currentTimeMillis()} and {@link java.time.Instant#now()}), so Chronicle chooses every cycle exactly as
 * with its default clock: every process sees the wall clock's time, steps included, in the order they take the lock,
 * and none appends to a cycle after another has rolled past it. Where the JDK's nanosecond wall clock cannot be
 * reached (the {@code jdk.internal.misc} export missing), a reading is {@link Clock#nanos()} kept within the wall
 * clock's current millisecond: two reads, the same cycles.
 *
 * <p>Any thread of the process may ask (a tailer looking for the next cycle, an appender of another thread). An
 * appending thread {@linkplain #arm arms} the clock with its {@link WriterContext} before it takes the lock; the
 * reading is kept in that context only when the thread that reads is the context's own, so a thread only ever finds
 * its own reading there, and finds none (and reads the clock itself) when another thread armed the clock meanwhile.
 * Thread-safe; allocation-free.
 */
final class JournalClock implements TimeProvider {
    /** A {@link WriterContext#clockReading} that holds no reading. */
    static final long NONE = Long.MIN_VALUE;
    private static final long MILLI = 1_000_000L;
    private static final long BILLION = 1_000_000_000L;
    /** {@code jdk.internal.misc.VM.getNanoTimeAdjustment(long)}, or null when this JVM does not export it to us. */
    private static final MethodHandle NANO_ADJUSTMENT = nanoAdjustment();
    /** Seconds the wall clock's nanoseconds are asked relative to (moved when the JDK says it is too far). */
    private static volatile long offsetSeconds = System.currentTimeMillis() / 1000 - 1024;

    /**
     * The context of the thread that last armed this clock. Any thread may overwrite it and any may read it (a racy
     * read only ever finds some context, whose {@code thread} is final); a reading is stored only into the reading
     * thread's own context, which only that thread reads: no fence is needed on the append's path.
     */
    private WriterContext armed;

    private static MethodHandle nanoAdjustment() {
        try {
            final Class<?> vm = Class.forName("jdk.internal.misc.VM");
            final MethodHandle h = MethodHandles.lookup().findStatic(vm, "getNanoTimeAdjustment",
                    MethodType.methodType(long.class, long.class));
            final long adj = (long) h.invokeExact(System.currentTimeMillis() / 1000 - 1024);
            return adj == -1 ? null : h;
        } catch (Throwable e) { // not exported to this module, or not this JDK's method: two reads instead
            return null;
        }
    }

    /** Whether readings come from the JDK's nanosecond wall clock (one read) rather than two clocks (for tests). */
    static boolean nanosecondWallClock() {
        return NANO_ADJUSTMENT != null;
    }

    /** The wall clock in nanoseconds since the epoch. */
    static long wallNanos() {
        final MethodHandle h = NANO_ADJUSTMENT;
        if (h != null) {
            final long offset = offsetSeconds;
            try {
                final long adj = (long) h.invokeExact(offset);
                if (adj != -1) {
                    return offset * BILLION + adj;
                }
            } catch (Throwable e) {
                throw new IllegalStateException("the JDK's wall clock failed", e);
            }
            offsetSeconds = System.currentTimeMillis() / 1000 - 1024; // more than 2^32 s from the offset: move it
            return wallNanos();
        }
        final long ms = System.currentTimeMillis();
        final long n = Clock.nanos();
        return Math.min(Math.max(n, ms * MILLI), ms * MILLI + MILLI - 1);
    }

    @Override
    public long currentTimeMillis() {
        final long n = wallNanos();
        final WriterContext w = armed;
        if (w != null && w.thread == Thread.currentThread()) {
            w.clockReading = n;
        }
        return n / MILLI;
    }

    @Override
    public long currentTimeMicros() {
        return wallNanos() / 1_000L;
    }

    @Override
    public long currentTimeNanos() {
        return wallNanos();
    }

    /** Before {@code w}'s thread takes the write lock: the reading Chronicle takes next on that thread goes to {@code w}. */
    void arm(final WriterContext w) {
        w.clockReading = NONE;
        armed = w;
    }

    /**
     * The timestamp of an append by {@code w}'s thread, called once Chronicle has chosen the document's cycle:
     * Chronicle's reading on that thread, or a new reading when another thread armed the clock in between.
     */
    static long stampFor(final WriterContext w) {
        final long n = w.clockReading;
        return n != NONE ? n : wallNanos();
    }
}
