package io.slate.tuple;

/**
 * Receives tuples from {@link TupleSpace#rdAll(Template, int, TupleHandler)} and {@link TupleWatch#poll}, on the calling
 * thread, one at a time.
 */
@FunctionalInterface
public interface TupleHandler {
    /** One tuple, in a buffer reused for the next: copy what you keep ({@link TupleBuffer#toTuple()}). */
    void onTuple(TupleBuffer tuple);
}
