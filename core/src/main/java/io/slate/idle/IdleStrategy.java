package io.slate.idle;

/**
 * What a waiting thread does when it found no work: spin, yield or park. Deployment picks one; code that
 * waits (blocking tailers, watches, locks) takes it as a parameter.
 *
 * <p>Implementations are stateful (a backoff remembers how long it has waited) and must be confined to one
 * thread; create one per waiting thread.
 */
public interface IdleStrategy {
    /**
     * Called after every unit of polling.
     *
     * @param workCount how much work the last poll did; {@code > 0} resets the strategy, {@code 0} idles.
     */
    default void idle(final int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    /** Idle once, escalating according to the strategy. */
    void idle();

    /** Work was found: start again from the cheapest step. */
    void reset();

    /** The name the command line and options use for this strategy ({@code spin}, {@code yield}, {@code backoff}). */
    String alias();
}
