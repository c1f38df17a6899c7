package io.slate.tuple;

/**
 * A tuple taken by {@link TupleSpace#inWithAck} and not yet acknowledged. Until {@link #ack()} nobody else can take
 * or read it; if the taking process dies first, the tuple returns to the space (no loss), as it does on
 * {@link #release()}. Use it in try-with-resources: {@link #close()} releases a take that was neither acknowledged
 * nor released, e.g. when processing threw.
 *
 * <pre>{@code
 * try (Taken t = jobs.inWithAck(Template.of("job", Template.ANY_LONG), 1, TimeUnit.SECONDS)) {
 *     if (t != null) {
 *         process(t.tuple());
 *         t.ack();
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe (it acts through its thread-safe {@link TupleSpace} handle).
 */
public interface Taken extends AutoCloseable {
    /** The tuple taken. */
    Tuple tuple();

    /** The tuple's id: the journal index of the record that wrote it. */
    long id();

    /**
     * Makes the take final: the tuple is gone for good. Returns {@code true} when it is; {@code false} when the take had
     * already been undone by someone else (only possible if this agent's space was being closed meanwhile, which lets
     * others consider the taker gone).
     *
     * @throws IllegalStateException when already acknowledged or released, or the handle or space is closed
     */
    boolean ack();

    /**
     * Puts the tuple back: it is available again, in its original place (still the oldest it was).
     *
     * @throws IllegalStateException when already acknowledged or released, or the handle or space is closed
     */
    void release();

    /** True until {@link #ack()} or {@link #release()} (or {@link #close()}). */
    boolean isOpen();

    /** Releases the tuple if it is still open; does nothing otherwise, or when the space is already closed. */
    @Override
    void close();
}
