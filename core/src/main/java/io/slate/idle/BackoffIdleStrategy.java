package io.slate.idle;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins, then yields, then parks with an exponentially growing period up to a maximum: the right default
 * when many agents share few cores. Stateful: one instance per waiting thread.
 */
public final class BackoffIdleStrategy implements IdleStrategy {
    public static final int DEFAULT_SPINS = 100;
    public static final int DEFAULT_YIELDS = 50;
    public static final long DEFAULT_MIN_PARK_NANOS = 1_000;
    public static final long DEFAULT_MAX_PARK_NANOS = 1_000_000;

    private final int maxSpins;
    private final int maxYields;
    private final long minParkNanos;
    private final long maxParkNanos;
    private int spins;
    private int yields;
    private long parkNanos;

    public BackoffIdleStrategy() {
        this(DEFAULT_SPINS, DEFAULT_YIELDS, DEFAULT_MIN_PARK_NANOS, DEFAULT_MAX_PARK_NANOS);
    }

    public BackoffIdleStrategy(final int maxSpins, final int maxYields, final long minParkNanos, final long maxParkNanos) {
        if (maxSpins < 0 || maxYields < 0 || minParkNanos < 1 || maxParkNanos < minParkNanos) {
            throw new IllegalArgumentException("backoff needs spins >= 0, yields >= 0 and 1 <= minParkNanos <= maxParkNanos, got "
                    + maxSpins + ", " + maxYields + ", " + minParkNanos + ", " + maxParkNanos);
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        reset();
    }

    @Override
    public void idle() {
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, maxParkNanos);
        }
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
        parkNanos = minParkNanos;
    }

    @Override
    public String alias() {
        return "backoff";
    }
}
