package io.slate.sync;

import io.slate.spi.BackendSpace;
import io.slate.space.Space;

import java.util.List;

/**
 * Synchronization primitives shared by every agent of a space, across processes: {@link Mutex} (with fencing
 * tokens), {@link Semaphore}, {@link AtomicCounter}, {@link CountDownLatch} and a cyclic {@link Barrier}.
 *
 * <p>Each primitive has a name (1 to {@value #MAX_NAME_BYTES} UTF-8 bytes) and a type. The first agent to ask for a
 * name creates the primitive with the parameters it gives (permits, count, parties); every later agent gets that same
 * primitive, and asking with other parameters or as another type fails with {@link IllegalArgumentException}.
 * A space holds at most {@value #MAX_PRIMITIVES} primitives; they live as long as the space (there is no delete).
 *
 * <p>What an agent holds (a mutex, semaphore permits) belongs to the agent, that is to the process that opened the
 * space, not to a thread. When that process dies, even by SIGKILL, or closes its space while holding something, the
 * next waiter takes it over: liveness on one host is exact (PID and process start time), so a live holder, however
 * slow, is never robbed, and there are no leases or timeouts on holders. See {@code docs/sync.md}.
 *
 * <p>The state lives in the file {@code sync.slate} of the space's directory, created the first time any agent calls
 * {@link #of(Space)} for the space. Thread-safe: one {@code Sync} per space handle, shared by its threads; the
 * primitives it returns are cached, so asking again by name returns the same object without allocating.
 */
public interface Sync {
    /** The longest name of a primitive, in UTF-8 bytes. */
    int MAX_NAME_BYTES = 64;
    /** How many primitives one space holds. */
    int MAX_PRIMITIVES = 1024;

    /**
     * The sync primitives of {@code space}, creating the space's {@code sync.slate} on first use. Returns the same
     * object for the same space handle until it is closed.
     *
     * @throws IllegalArgumentException when the space was not opened by {@link Space#open}
     * @throws IllegalStateException when the space is closed
     * @throws io.slate.space.CorruptSpaceException when {@code sync.slate} is truncated or not a sync file
     */
    static Sync of(final Space space) {
        return BackendSpace.of(space, "Sync.of").sync();
    }

    /** True when some agent has already used sync primitives in this space (its {@code sync.slate} exists); creates nothing. */
    static boolean exists(final Space space) {
        return BackendSpace.of(space, "Sync.exists").syncExists();
    }

    /** The mutex with this name, created if needed. Journaling stays as it is (off for a new mutex). */
    Mutex mutex(String name);

    /**
     * The mutex with this name, created if needed, with journaling of its events switched as asked. Journaling is a
     * property of the primitive, shared by every agent: the last request wins.
     */
    Mutex mutex(String name, Journaling journaling);

    /**
     * The semaphore with this name. A new one is created with {@code permits} permits; an existing one must have
     * been created with the same number.
     *
     * @throws IllegalArgumentException when {@code permits < 1}, or the semaphore exists with another number of permits
     */
    Semaphore semaphore(String name, int permits);

    /** {@link #semaphore(String, int)} with journaling switched as asked. */
    Semaphore semaphore(String name, int permits, Journaling journaling);

    /** The counter with this name, created at 0 if needed. */
    AtomicCounter counter(String name);

    /** {@link #counter(String)} with journaling switched as asked. */
    AtomicCounter counter(String name, Journaling journaling);

    /**
     * The latch with this name. A new one starts at {@code count}; an existing one must have been created with the
     * same count (it may since have been counted down).
     *
     * @throws IllegalArgumentException when {@code count < 0}, or the latch exists with another initial count
     */
    CountDownLatch latch(String name, int count);

    /** {@link #latch(String, int)} with journaling switched as asked. */
    CountDownLatch latch(String name, int count, Journaling journaling);

    /**
     * The cyclic barrier with this name for {@code parties} parties. An existing one must have the same number.
     *
     * @throws IllegalArgumentException when {@code parties < 1}, or the barrier exists with another number of parties
     */
    Barrier barrier(String name, int parties);

    /** {@link #barrier(String, int)} with journaling switched as asked. */
    Barrier barrier(String name, int parties, Journaling journaling);

    /** Every primitive of the space with its state and holders, in creation order. Allocates; for tools. */
    List<PrimitiveInfo> primitives();
}
