package io.slate.sync;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by the agents of a space: a fixed number of permits, chosen when it is created.
 *
 * <p>Permits are held by agents (processes), not threads: the semaphore records, per agent, how many permits it
 * holds, so a permit can be released by any thread of the agent that holds it, and an agent that releases more than
 * it holds gets an {@link IllegalMonitorStateException}. At most {@value #MAX_HOLDERS} agents hold permits of one
 * semaphore at a time; a further agent waits as if no permit were free.
 *
 * <p><b>Dead holders.</b> When a holder's process dies (even by SIGKILL) or closes its space, a waiter returns that
 * agent's permits within milliseconds (waiters check holders' liveness exactly, every few milliseconds while
 * waiting); a live holder keeps its permits however long it holds them. {@link #availablePermits()} counts a dead
 * holder's permits as held until a waiter has returned them.
 *
 * <p>The number of permits in use never exceeds {@link #permits()}. Acquisition is not fair: whichever waiter comes
 * first after a release gets the permits. Contention is a return value ({@code false}), not an exception.
 * The uncontended acquire/release pair allocates nothing.
 *
 * <p>Thread-safe.
 */
public interface Semaphore {
    /** How many agents can hold permits of one semaphore at the same time. */
    int MAX_HOLDERS = 20;

    /** The semaphore's name. */
    String name();

    /** The number of permits, fixed at creation. */
    int permits();

    /** Acquires one permit, waiting as long as it takes (not interruptible; the interrupt flag is set again on return). */
    void acquire();

    /**
     * Acquires {@code n} permits at once, waiting as long as it takes.
     *
     * @throws IllegalArgumentException when {@code n < 1} or {@code n > permits()}
     */
    void acquire(int n);

    /**
     * Acquires {@code n} permits if they become free within the timeout (0: one attempt).
     *
     * @return true when acquired; false on timeout or when the thread was interrupted (its flag stays set)
     * @throws IllegalArgumentException when {@code n < 1}, {@code n > permits()} or {@code timeout < 0}
     */
    boolean tryAcquire(int n, long timeout, TimeUnit unit);

    /** Releases one permit held by this agent. */
    void release();

    /**
     * Releases {@code n} permits held by this agent.
     *
     * @throws IllegalArgumentException when {@code n < 1}
     * @throws IllegalMonitorStateException when this agent holds fewer than {@code n}
     */
    void release(int n);

    /** Permits not held by any agent now (a dead holder's count as held until a waiter returns them). */
    int availablePermits();

    /** Permits this agent holds. */
    int heldByCurrentAgent();

    /** The agents holding permits, with how many each. Allocates; reads /proc for liveness. */
    List<Holder> holders();
}
