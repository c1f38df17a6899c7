package io.slate.sync;

import java.util.concurrent.TimeUnit;

/**
 * A mutual-exclusion lock shared by the agents of a space, with a fencing token on every acquisition.
 *
 * <p><b>Owned by the agent, not by a thread.</b> The owner is the agent (the process and its space handle) that
 * acquired it. Any thread of the owning agent may {@link #unlock()} it; an agent that does not hold it gets an
 * {@link IllegalMonitorStateException}. Threads of one agent still exclude each other: a second thread calling
 * {@link #lock()} while another thread of the same agent holds the mutex waits like any other waiter. The mutex is
 * <b>not re-entrant</b>: the thread that acquired it calling {@code lock()} or {@code tryLock} again gets an
 * {@link IllegalStateException} (a self-deadlock, reported instead of hanging).
 *
 * <p><b>Fencing tokens.</b> Every acquisition returns a token, {@code >= 1}, strictly greater than the token of every
 * earlier acquisition of this mutex by any agent in any process, including acquisitions that took the mutex over
 * from a dead owner. Pass it to the resources the mutex protects so they can refuse a stale holder.
 *
 * <p><b>Dead owners.</b> When the owner's process dies (even by SIGKILL) or closes its space while holding the
 * mutex, a waiter takes it over within milliseconds: waiters check the owner's liveness, exactly (PID and process
 * start time), every {@value #LIVENESS_CHECK_MILLIS} ms. Exactly one waiter takes it over (by compare-and-set from
 * the dead owner's word); the data the dead owner was changing may be half-written, so a taker can ask
 * {@link #lastRecoveredToken()}. A live owner is never robbed, however long it holds the mutex.
 *
 * <p>Contention is a return value ({@link #TIMED_OUT}, {@link #INTERRUPTED}), not an exception. The uncontended
 * {@code lock()}/{@code unlock()} pair is two compare-and-sets on shared memory and allocates nothing. Waiters spin
 * briefly, then follow the space's idle strategy ({@link io.slate.space.SpaceOptions#idleStrategy}).
 *
 * <p>Thread-safe.
 */
public interface Mutex {
    /** {@link #tryLock} result: the timeout passed without acquiring. */
    long TIMED_OUT = -1;
    /** {@link #tryLock} result: the calling thread was interrupted while waiting (its interrupt flag stays set). */
    long INTERRUPTED = -2;
    /** How often, while waiting, a waiter checks that the owner is still alive. */
    long LIVENESS_CHECK_MILLIS = 2;

    /** The mutex's name. */
    String name();

    /**
     * Acquires the mutex, waiting as long as it takes. Not interruptible: an interrupt is remembered and the flag is
     * set again on return.
     *
     * @return the fencing token of this acquisition, {@code >= 1}
     * @throws IllegalStateException when the calling thread already holds it (not re-entrant), or the space is closed
     */
    long lock();

    /**
     * Acquires the mutex if it becomes free (or its owner is found dead) within the timeout. A timeout of 0 makes one
     * attempt (which also takes over from a dead owner, checking liveness at most every
     * {@value #LIVENESS_CHECK_MILLIS} ms).
     *
     * @return the fencing token ({@code >= 1}), or {@link #TIMED_OUT}, or {@link #INTERRUPTED}
     * @throws IllegalArgumentException when {@code timeout < 0}
     * @throws IllegalStateException when the calling thread already holds it, or the space is closed
     */
    long tryLock(long timeout, TimeUnit unit);

    /**
     * Releases the mutex.
     *
     * @throws IllegalMonitorStateException when this agent does not hold it; the message names the owner, if any
     */
    void unlock();

    /** True when this agent (any of its threads) holds the mutex. */
    boolean isHeldByCurrentAgent();

    /** Who holds the mutex now, or {@code null} when it is free. Allocates; reads /proc for liveness. */
    Holder owner();

    /** The token of the latest acquisition by any agent (0 before the first). */
    long lastToken();

    /**
     * The token of the latest acquisition that took the mutex over from a dead owner, or 0 if that never happened.
     * After {@code long t = lock()}, {@code lastRecoveredToken() == t} tells the new owner that the previous one died
     * holding the mutex, so what it protects may need repair.
     */
    long lastRecoveredToken();
}
