package io.slate.shm.sync;

import io.slate.idle.IdleStrategy;

/**
 * The slow path every sync wait shares, once spinning is over: the deadline, interrupts, the space's idle strategy,
 * and a closed space ending the wait. Made lazily by a waiting thread (an uncontended acquisition never makes one),
 * confined to it, and closed in a {@code finally} so an interrupt swallowed by an untimed wait is restored.
 */
final class Waiter {
    /** The wait goes on: the condition is to be checked again. */
    static final int KEEP_WAITING = 0;
    /** A timed wait reached its deadline. */
    static final int TIMED_OUT = 1;
    /** A timed wait was interrupted (an untimed wait records the interrupt and goes on). */
    static final int INTERRUPTED = 2;

    private final ShmSync sync;
    private final long start;
    private final long timeoutNanos;
    private final boolean forever;
    private boolean interrupted;
    private IdleStrategy idle;

    /**
     * @param start        when the wait began ({@link System#nanoTime()})
     * @param timeoutNanos how long it may last; {@link OwnerLock#FOREVER}: untimed and uninterruptible
     */
    Waiter(final ShmSync sync, final long start, final long timeoutNanos) {
        this.sync = sync;
        this.start = start;
        this.timeoutNanos = timeoutNanos;
        this.forever = timeoutNanos == OwnerLock.FOREVER;
    }

    /** Checks the deadline and interrupts; when the wait goes on, idles once and returns {@link #KEEP_WAITING}. */
    int pause() {
        if (!forever && System.nanoTime() - start >= timeoutNanos) {
            return TIMED_OUT;
        }
        if (Thread.interrupted()) {
            interrupted = true;
            if (!forever) {
                return INTERRUPTED;
            }
        }
        if (idle == null) {
            idle = sync.idleStrategy();
            idle.reset();
        }
        sync.ensureOpen(); // a space closed under a waiter ends the wait (its handles refuse from now on)
        idle.idle();
        return KEEP_WAITING;
    }

    /** Restores the interrupt flag this wait consumed. */
    void restoreInterrupt() {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
