package io.slate.sync;

import java.util.concurrent.TimeUnit;

/**
 * A one-shot gate shared by the agents of a space: it starts at a count chosen when it is created, any agent counts it
 * down, and waiters in any process pass once it reaches zero. It stays open for good after that.
 *
 * <p>The latch does not know who is meant to count it down: a counting agent that dies before doing so leaves it
 * closed, so waiters that cannot wait forever use {@link #await(long, TimeUnit)}.
 *
 * <p>Thread-safe; {@link #countDown()} and {@link #getCount()} allocate nothing.
 */
public interface CountDownLatch {
    /** The latch's name. */
    String name();

    /** The count it was created with. */
    int initialCount();

    /** Decrements the count if it is above zero. */
    void countDown();

    /** The current count. */
    long getCount();

    /** Waits until the count is zero (not interruptible; the interrupt flag is set again on return). */
    void await();

    /**
     * Waits until the count is zero or the timeout passes (0: just looks).
     *
     * @return true when the count is zero; false on timeout or when the thread was interrupted (its flag stays set)
     * @throws IllegalArgumentException when {@code timeout < 0}
     */
    boolean await(long timeout, TimeUnit unit);
}
