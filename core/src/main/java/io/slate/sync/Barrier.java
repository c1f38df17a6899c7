package io.slate.sync;

import java.util.concurrent.TimeUnit;

/**
 * A cyclic barrier shared by the agents of a space: {@link #parties()} parties, in any processes and threads, wait
 * in {@link #await()} until all of them have arrived; then all pass and the barrier starts its next generation.
 *
 * <p>A party that times out withdraws its arrival (unless the barrier tripped meanwhile, in which case it passed),
 * so the others keep waiting for a full set; the barrier never breaks. A party counts once it has arrived: if its
 * process then dies, the generation still completes when the others arrive. The barrier does not know who the
 * parties are, so a party that dies before arriving leaves the others waiting: use the timed {@code await}.
 *
 * <p>Thread-safe; the untimed {@code await} allocates nothing.
 */
public interface Barrier {
    /** {@link #await(long, TimeUnit)} result: the timeout passed; this party's arrival was withdrawn. */
    int TIMED_OUT = -1;
    /** {@link #await(long, TimeUnit)} result: the thread was interrupted (its flag stays set); the arrival was withdrawn. */
    int INTERRUPTED = -2;

    /** The barrier's name. */
    String name();

    /** The number of parties, fixed at creation. */
    int parties();

    /**
     * Arrives and waits until every party has arrived (not interruptible; the interrupt flag is set again on return).
     *
     * @return the arrival index: {@code parties() - 1} for the first to arrive, 0 for the last (which trips the barrier)
     */
    int await();

    /**
     * Arrives and waits at most the timeout.
     *
     * @return the arrival index ({@code >= 0}), or {@link #TIMED_OUT}, or {@link #INTERRUPTED}
     * @throws IllegalArgumentException when {@code timeout <= 0}
     */
    int await(long timeout, TimeUnit unit);

    /** The number of completed generations (it wraps at 2^32). */
    long generation();

    /** Parties that have arrived in the current generation. */
    int arrived();
}
