package io.slate.bench.ipc;

import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;

/**
 * The measuring loops, the same for every case: round trips timed one at a time, and one-way messages sent at a fixed
 * rate with the intended send time as the stamp, so a late send or a stalled receiver counts against the case
 * (coordinated omission corrected on purpose). Both sides busy-spin; every wait is bounded by
 * {@link Endpoint#PEER_TIMEOUT_NANOS}.
 *
 * <p>Between warm-up and measurement the sending side pauses for a "settle" time: with every CPU spinning, the JIT's
 * compiler threads would otherwise get no CPU and the measurement would start on code still being compiled.
 */
final class Loops {
    /** Highest latency a histogram records; longer ones are recorded as this (and show as the max). */
    static final long HIGHEST_NANOS = 60_000_000_000L;
    private static final int SPINS_PER_CLOCK_CHECK = 256;

    private Loops() {
    }

    /** A histogram of nanoseconds, 3 significant digits, up to {@link #HIGHEST_NANOS}. */
    static Histogram histogram() {
        return new Histogram(HIGHEST_NANOS, 3);
    }

    /** Records without allocating: values past the histogram's range are clamped to it. */
    static void record(final Histogram h, final long nanos) {
        h.recordValue(Math.max(0, Math.min(nanos, HIGHEST_NANOS)));
    }

    /** Spins on {@link Endpoint#poll()} until a message arrives; fails after {@link Endpoint#PEER_TIMEOUT_NANOS}. */
    static void await(final Endpoint e) {
        long deadline = 0;
        int spins = 0;
        final int clockEvery = e.pollWaits() ? 1 : SPINS_PER_CLOCK_CHECK;
        while (!e.poll()) {
            if (++spins == clockEvery) {
                spins = 0;
                final long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + Endpoint.PEER_TIMEOUT_NANOS;
                } else if (now - deadline > 0) {
                    throw new IllegalStateException("no message from the peer for " + Endpoint.PEER_TIMEOUT_NANOS / 1_000_000_000L + " s");
                }
            }
            Thread.onSpinWait();
        }
    }

    /** Side A: {@code warmup} unrecorded round trips, then {@code count} recorded ones; then tells B to stop. */
    static Measured roundTrips(final Endpoint e, final int warmup, final int count, final long settleMillis) {
        final Histogram h = histogram();
        for (int i = 0; i < warmup; i++) {
            e.roundTrip(i, System.nanoTime());
        }
        settle(settleMillis);
        final long bytes0 = allocatedBytes();
        final long start = System.nanoTime();
        for (int i = warmup; i < warmup + count; i++) {
            final long t0 = System.nanoTime();
            final long arrived = e.roundTrip(i, t0);
            record(h, arrived - t0);
        }
        final long elapsed = System.nanoTime() - start;
        final long bytes = allocatedBytes() - bytes0;
        e.endRoundTrips();
        return new Measured(h, elapsed, count == 0 ? 0 : (double) bytes / count);
    }

    /** Side B: answers round trips until A says they are over. */
    static void echo(final Endpoint e) {
        while (e.echo()) {
            Thread.onSpinWait();
        }
    }

    /**
     * Side A: {@code warmup + count} messages at {@code rate} per second, each stamped with the time it was meant to be
     * sent; then the stop message. Returns the bytes the sending thread allocated per recorded message.
     */
    static double sendAtFixedRate(final Endpoint e, final int warmup, final int count, final int rate, final long settleMillis) {
        e.startOneWay();
        final double interval = 1e9 / rate;
        long start = System.nanoTime() + 1_000_000;
        long bytes0 = 0;
        for (int i = 0; i < warmup + count; i++) {
            if (i == warmup) {
                settle(settleMillis);
                start = System.nanoTime() + 1_000_000 - (long) (i * interval); // a new schedule for the measured messages
                bytes0 = allocatedBytes();
            }
            final long intended = start + (long) (i * interval);
            while (System.nanoTime() - intended < 0) {
                Thread.onSpinWait();
            }
            e.send(i, intended);
        }
        final long bytes = allocatedBytes() - bytes0;
        e.send(Payload.STOP, 0);
        return count == 0 ? 0 : (double) bytes / count;
    }

    /**
     * Side B: receives until the stop message and records arrival minus intended send time of every message from
     * {@code warmup} on. A transport that keeps only the latest value (the key/value case) may skip messages: those
     * were overwritten before this side looked, and are not recorded.
     */
    static Measured receive(final Endpoint e, final int warmup) {
        final Histogram h = histogram();
        long first = 0;
        long last = 0;
        long bytes0 = -1;
        while (true) {
            await(e);
            final long seq = e.seq();
            if (seq == Payload.STOP) {
                break;
            }
            if (seq >= warmup) {
                if (bytes0 < 0) {
                    bytes0 = allocatedBytes();
                    first = e.arrivedNanos();
                }
                record(h, e.arrivedNanos() - e.stamp());
                last = e.arrivedNanos();
            }
        }
        final long bytes = bytes0 < 0 ? 0 : allocatedBytes() - bytes0;
        final long n = h.getTotalCount();
        return new Measured(h, last - first, n <= 1 ? 0 : (double) bytes / (n - 1));
    }

    /** Sleeps (the caller's CPU goes to the JIT and GC threads); bounded by the caller's settle time. */
    static void settle(final long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while settling", ex);
        }
    }

    /** Bytes allocated by the calling thread so far (HotSpot's per-thread counter), or 0 where not supported. */
    static long allocatedBytes() {
        final java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx instanceof com.sun.management.ThreadMXBean) {
            return ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes();
        }
        return 0;
    }

    /** A measured phase: the latencies, how long recording them took, and the bytes allocated per operation. */
    static final class Measured {
        final Histogram histogram;
        final long elapsedNanos;
        final double allocatedBytesPerOp;

        Measured(final Histogram histogram, final long elapsedNanos, final double allocatedBytesPerOp) {
            this.histogram = histogram;
            this.elapsedNanos = elapsedNanos;
            this.allocatedBytesPerOp = allocatedBytesPerOp;
        }
    }
}
