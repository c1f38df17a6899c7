package io.slate.internal;

/**
 * Wall-clock time in nanoseconds since the epoch, allocation-free, for record timestamps, leases and expiries.
 *
 * <p>It is the monotonic clock ({@link System#nanoTime()}) plus an offset to the wall clock. The offset is checked
 * against {@link System#currentTimeMillis()} at most once a millisecond of monotonic time and moved only when the
 * time it gives has left the wall clock's current millisecond: the rule of Chronicle's {@code SystemTimeProvider},
 * which checks on every call and so reads two clocks each time (about 49 ns a call here, against 24 ns for one). Every
 * journal append, key/value write and tuple poll asks for the time once. Between two checks the time drifts from the
 * wall clock by at most the rate at which the two clocks differ over a millisecond (NTP slews at most 0.5 ms a second:
 * 0.5 µs). Times from different threads and processes are as comparable as the wall clock's.
 */
public final class Clock {
    /** How long, in monotonic nanoseconds, the offset is used before it is checked against the wall clock again. */
    static final long CHECK_INTERVAL_NANOS = 1_000_000L;
    private static final long MILLI = 1_000_000L;
    /** Wall-clock nanoseconds minus monotonic nanoseconds. */
    private static volatile long offset;
    /** The monotonic time of the last check. */
    private static volatile long checkedAt;

    static {
        final long t = System.nanoTime();
        offset = System.currentTimeMillis() * MILLI - t;
        checkedAt = t;
    }

    private Clock() {
    }

    public static long nanos() {
        final long t = System.nanoTime();
        if (t - checkedAt < CHECK_INTERVAL_NANOS) {
            return t + offset;
        }
        return check(t);
    }

    /** Checks the offset against the wall clock's millisecond (several threads may do so at once: each is right). */
    private static long check(final long t) {
        final long wall = System.currentTimeMillis() * MILLI;
        long o = offset;
        final long now = t + o;
        if (now < wall) {
            o = wall - t;
        } else if (now >= wall + MILLI) {
            o = wall + MILLI - 1 - t;
        }
        offset = o;
        checkedAt = t;
        return t + o;
    }
}
