package io.slate.tuple;

import io.slate.spi.BackendSpace;
import io.slate.engine.tuple.JournalTupleSpace;
import io.slate.space.Space;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A named Linda tuple space inside a {@link Space}, shared by every agent on the host:
 * {@code TupleSpace jobs = TupleSpace.of(space, "jobs")}. Agents {@link #out} tuples; others read ({@link #rd},
 * {@link #rdp}) or take ({@link #in}, {@link #inp}) the oldest tuple that matches a {@link Template}.
 *
 * <p><b>Guarantees.</b> A tuple is taken at most once across all processes (exactly once when its taker completes);
 * among the tuples that match, the oldest is taken (or read) first. A tuple taken with {@link #inWithAck} returns to
 * the space if its taker dies before acknowledging it (decided exactly from the agent registry and {@code /proc}, never
 * by a timeout), or when the taker {@linkplain Taken#release() releases} it. A tuple written with a time to live is
 * gone for everyone once it expires. Every operation is a record in the space's journal (see {@code docs/tuples.md}).
 *
 * <p><b>Results, not exceptions.</b> A timeout or no match returns {@code null} ({@code false}, an empty list);
 * exceptions are for bad arguments ({@link IllegalArgumentException}) and for a space that cannot be used
 * ({@link io.slate.space.SpaceException}, {@link IllegalStateException} once closed).
 *
 * <p><b>Threads.</b> A handle is thread-safe: it keeps a local index of the tuple space fed from the journal, guarded
 * by one lock; {@code out} does not take the lock, blocking calls wait outside it. A handle reads the journal from its
 * start when opened (about a microsecond per tuple it finds), so open one per process and keep it. Close it when done
 * (closing the space closes it too): takes it still holds unacknowledged are returned to the space.
 */
public interface TupleSpace extends AutoCloseable {
    /** Longest name of a tuple space, in UTF-8 bytes. */
    int MAX_NAME_BYTES = 48;

    /**
     * The tuple space {@code name} in {@code space} (it exists as soon as a tuple is written to it).
     *
     * @throws IllegalArgumentException when the name is empty, longer than {@value #MAX_NAME_BYTES} UTF-8 bytes (or the
     *                                  space's key limit) or holds control characters
     */
    static TupleSpace of(final Space space, final String name) {
        return JournalTupleSpace.open(BackendSpace.of(space, "tuple spaces"), name);
    }

    /** This tuple space's name. */
    String name();

    // ---------------------------------------------------------------- out

    /** Writes {@code tuple}; it stays until taken. Returns its id (the journal index of its record). */
    long out(Tuple tuple);

    /**
     * Writes {@code tuple} with a lease: it is gone for everyone once {@code ttl} has passed. Returns its id.
     *
     * @throws IllegalArgumentException when {@code ttl <= 0}
     */
    long out(Tuple tuple, long ttl, TimeUnit unit);

    /** Writes the tuple held in {@code buffer} (allocation-free); returns its id. @throws IllegalArgumentException when it is empty */
    long out(TupleBuffer buffer);

    /** Writes the tuple held in {@code buffer} with a lease; returns its id. @throws IllegalArgumentException when empty or {@code ttl <= 0} */
    long out(TupleBuffer buffer, long ttl, TimeUnit unit);

    // ---------------------------------------------------------------- read

    /** The oldest tuple matching {@code template}, or {@code null} when none does now. */
    Tuple rdp(Template template);

    /** Allocation-free {@link #rdp(Template)}: copies the oldest match into {@code into}; false when none. */
    boolean rdp(Template template, TupleBuffer into);

    /**
     * The oldest tuple matching {@code template}, waiting up to the timeout (with the space's idle strategy) for one to
     * be written; {@code null} on timeout, or early when the thread is interrupted (its interrupt status stays set).
     *
     * @throws IllegalArgumentException when {@code timeout < 0}
     */
    Tuple rd(Template template, long timeout, TimeUnit unit);

    /** Up to {@code max} tuples matching {@code template}, oldest first. @throws IllegalArgumentException when {@code max < 0} */
    List<Tuple> rdAll(Template template, int max);

    /**
     * Hands up to {@code max} tuples matching {@code template} to {@code handler}, oldest first, in a buffer reused for
     * each (with its id and times). Returns how many. The handle's lock is held meanwhile: do not call the tuple space
     * from the handler.
     *
     * @throws IllegalArgumentException when {@code max < 0}
     */
    int rdAll(Template template, int max, TupleHandler handler);

    /** The number of tuples matching {@code template} now. */
    long count(Template template);

    // ---------------------------------------------------------------- take

    /** Takes the oldest tuple matching {@code template} (for good), or returns {@code null} when none does now. */
    Tuple inp(Template template);

    /** Allocation-free {@link #inp(Template)}: takes the oldest match into {@code into}; false when none. */
    boolean inp(Template template, TupleBuffer into);

    /**
     * Takes the oldest tuple matching {@code template} (for good), waiting up to the timeout for one; {@code null} on
     * timeout, or early when the thread is interrupted (its interrupt status stays set).
     *
     * @throws IllegalArgumentException when {@code timeout < 0}
     */
    Tuple in(Template template, long timeout, TimeUnit unit);

    /** Takes up to {@code max} tuples matching {@code template} (for good), oldest first. @throws IllegalArgumentException when {@code max < 0} */
    List<Tuple> inAll(Template template, int max);

    /**
     * Takes the oldest tuple matching {@code template} until acknowledged, waiting up to the timeout; {@code null} on
     * timeout. {@link Taken#ack()} makes the take final; if this process dies first, or {@link Taken#release()} is
     * called, the tuple returns to the space, where others can take it.
     *
     * @throws IllegalArgumentException when {@code timeout < 0}
     */
    Taken inWithAck(Template template, long timeout, TimeUnit unit);

    // ---------------------------------------------------------------- watch

    /**
     * Watches the tuples written to this tuple space that match {@code template}, from the journal, starting after the
     * record at {@code afterIndex} ({@code -1}: only tuples written from now on; {@code 0}: from the start). Every
     * written tuple is delivered, whether or not it has been taken since.
     *
     * @throws IllegalArgumentException when {@code afterIndex} names no record of the journal
     */
    TupleWatch watch(Template template, long afterIndex);

    /**
     * A named, durable watch: it resumes after the last tuple it delivered under this name, in any process and after
     * a crash, and misses nothing (the tuple being handled when a process dies is delivered again). The first time, it
     * starts at the beginning of the journal. Retention keeps the journal it has not read yet. One process at a time
     * should use a name.
     *
     * @throws IllegalArgumentException when the name is empty, longer than {@value #MAX_NAME_BYTES} UTF-8 bytes, or holds
     *                                  a '/' or a control character
     */
    TupleWatch watch(String watchName, Template template);

    /** Forgets a named watch's position (so retention no longer keeps the journal for it). */
    void deleteWatch(String watchName);

    /** Returns the unacknowledged takes of this handle to the space and releases the handle. Idempotent. */
    @Override
    void close();
}
