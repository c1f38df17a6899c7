package io.slate.internal;

import net.openhft.chronicle.core.time.SystemTimeProvider;

/** Wall-clock time in nanoseconds since the epoch, allocation-free. */
public final class Clock {
    private Clock() {
    }

    public static long nanos() {
        return SystemTimeProvider.CLOCK.currentTimeNanos();
    }
}
