package io.slate.tuple;

import java.util.concurrent.TimeUnit;

/**
 * The tuples written to a tuple space that match a template, read from the journal in order: made by
 * {@link TupleSpace#watch(Template, long)} (from a journal index) or {@link TupleSpace#watch(String, Template)}
 * (named: resumes after a restart and misses nothing).
 *
 * <p>Delivery of a named watch is at-least-once for the last tuple only: its position is stored (a release store in
 * the space's named tailer file) once a tuple has been handled, that is when {@link #poll}'s handler returns, or at the
 * next call after {@link #next} returned it, or on {@link #commit()} or {@link #close()}. A process killed while
 * handling a tuple sees that tuple again when it restarts the watch; it never misses one.
 *
 * <p>Single-threaded: use a watch from one thread only. Reading allocates nothing in steady state: the tuple handed
 * out is one reused {@link TupleBuffer}.
 */
public interface TupleWatch extends AutoCloseable {
    /**
     * Hands the next matching tuple to {@code handler} if one has been written; returns whether it did. A named watch
     * stores its position after the handler returns.
     */
    boolean poll(TupleHandler handler);

    /**
     * The next matching tuple, waiting up to the timeout with the space's idle strategy; {@code null} on timeout. The
     * buffer is valid until the next call; a named watch stores the tuple as handled at the next call.
     *
     * @throws IllegalArgumentException when {@code timeout < 0}
     */
    TupleBuffer next(long timeout, TimeUnit unit);

    /** Stores the tuple last returned by {@link #next} as handled (a named watch then resumes after it). */
    void commit();

    /** The id of the last tuple delivered, or -1. */
    long lastId();

    /** For a named watch its name, otherwise {@code null}. */
    String name();

    /** Commits and stops the watch. Idempotent. */
    @Override
    void close();
}
