package io.slate.shm.sync;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Acquisition of one owner word in {@code sync.slate} (a mutex's lock word, a semaphore's guard word): compare-and-set
 * from 0 to this agent's owner word, waiting when another agent holds it, and taking it over when that agent is dead.
 *
 * <p>The waiting protocol: spin {@value #SPINS} times re-reading the word (a release by a holder on another core is
 * seen within a few hundred nanoseconds), then idle with the space's idle strategy. Once the call has waited
 * {@link ShmSync#LIVENESS_CHECK_NANOS}, and every such interval after, check the current owner's liveness
 * exactly ({@link ShmSync#isOwnerAlive(long)}, a few microseconds of /proc); when it is dead, compare-and-set
 * from <em>its exact word</em> to ours. Owner words are never reused (they carry the owner's incarnation), so of any
 * number of survivors that found the same owner dead, exactly one compare-and-set succeeds, and a word that changed
 * since the check (released, or already taken over) makes it fail. A live owner is never replaced.
 *
 * <p>A word held only for short stretches (a segment guard, held for one map operation) is waited for with
 * {@link #yieldFirst}: after spinning, the waiter yields its CPU up to {@value #YIELDS} times before the idle
 * strategy takes over. With more busy threads than CPUs, the holder is most likely waiting for a CPU, and a waiter
 * that busy-spins through its time slice (the space's idle strategy may be a busy spin) keeps it from finishing:
 * four writer JVMs on two CPUs put 100 times fewer keys a second than one alone before this.
 *
 * <p>Results: {@link #ACQUIRED}; a positive dead owner word when the word was taken over from that owner;
 * {@link #TIMED_OUT}; {@link #INTERRUPTED}. Not thread-confined; the only mutable field is a rate limit.
 */
public final class OwnerLock {
    public static final long ACQUIRED = 0;
    public static final long TIMED_OUT = -1;
    public static final long INTERRUPTED = -2;
    /** Re-reads of the word before the idle strategy takes over. */
    static final int SPINS = 200;
    /** Yields, after spinning, before the idle strategy, for words held only briefly ({@link #yieldFirst}). */
    static final int YIELDS = 1000;
    /** A timeout that means "wait as long as it takes, not interruptibly". */
    public static final long FOREVER = Long.MAX_VALUE;

    private final ShmSync sync;
    private final UnsafeBuffer buffer;
    private final int offset;
    private final long me;
    private final boolean yieldFirst;
    /** Earliest time a zero-timeout attempt may check liveness again (racy by design: at worst one extra check). */
    private long nextQuickCheckNanos;

    OwnerLock(final ShmSync sync, final int offset) {
        this(sync, sync.buffer(), offset, false);
    }

    /**
     * A word at {@code offset} of another mapped file, owned by this space's agents as identified by {@code sync}'s
     * agent table (owner words and their exact liveness). {@code yieldFirst}: the word is held only briefly, and a
     * waiter yields its CPU before it idles (see the class comment).
     */
    public OwnerLock(final ShmSync sync, final UnsafeBuffer buffer, final int offset, final boolean yieldFirst) {
        this.sync = sync;
        this.buffer = buffer;
        this.offset = offset;
        this.yieldFirst = yieldFirst;
        this.me = sync.ownerWord();
        this.nextQuickCheckNanos = System.nanoTime();
    }

    /** This agent's owner word (the value the word holds while this agent holds it). */
    public long ownerWord() {
        return me;
    }

    /** Whether the agent named by an owner word is alive (exactly; a few microseconds of /proc). */
    public boolean isAlive(final long ownerWord) {
        return sync.isOwnerAlive(ownerWord);
    }

    /** One compare-and-set from free to ours: the uncontended path. */
    public boolean tryFast() {
        return buffer.compareAndSetLong(offset, 0, me);
    }

    /** Releases a word this agent holds (release store: what was written under it is visible to the next owner). */
    public void releaseOrdered() {
        buffer.putLongOrdered(offset, 0);
    }

    /**
     * Acquires, waiting at most {@code timeoutNanos} ({@link #FOREVER}: uninterruptibly, as long as it takes; 0: one
     * attempt, with a liveness check at most every {@link ShmSync#LIVENESS_CHECK_NANOS} per handle).
     */
    public long acquire(final long timeoutNanos) {
        if (timeoutNanos == 0) {
            return tryOnce();
        }
        final long start = System.nanoTime();
        long nextCheck = start + ShmSync.LIVENESS_CHECK_NANOS;
        Waiter waiter = null;
        int spins = 0;
        int yields = yieldFirst ? 0 : YIELDS;
        try {
            while (true) {
                final long w = buffer.getLongVolatile(offset);
                if (w == 0) {
                    if (buffer.compareAndSetLong(offset, 0, me)) {
                        return ACQUIRED;
                    }
                    continue;
                }
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                    continue;
                }
                final long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    nextCheck = now + ShmSync.LIVENESS_CHECK_NANOS;
                    // w == me: another thread of this agent holds it, alive by definition
                    if (w != me && !sync.isOwnerAlive(w) && buffer.compareAndSetLong(offset, w, me)) {
                        return w; // CAS from the dead owner's exact word: of all survivors, one wins
                    }
                }
                if (yields < YIELDS) {
                    yields++;
                    Thread.yield();
                    continue;
                }
                if (waiter == null) {
                    waiter = new Waiter(sync, start, timeoutNanos);
                }
                final int paused = waiter.pause();
                if (paused == Waiter.TIMED_OUT) {
                    return TIMED_OUT;
                }
                if (paused == Waiter.INTERRUPTED) {
                    return INTERRUPTED;
                }
            }
        } finally {
            if (waiter != null) {
                waiter.restoreInterrupt();
            }
        }
    }

    private long tryOnce() {
        final long w = buffer.getLongVolatile(offset);
        if (w == 0) {
            return buffer.compareAndSetLong(offset, 0, me) ? ACQUIRED : TIMED_OUT;
        }
        if (w == me) {
            return TIMED_OUT;
        }
        final long now = System.nanoTime();
        if (now - nextQuickCheckNanos < 0) {
            return TIMED_OUT;
        }
        nextQuickCheckNanos = now + ShmSync.LIVENESS_CHECK_NANOS;
        if (!sync.isOwnerAlive(w) && buffer.compareAndSetLong(offset, w, me)) {
            return w;
        }
        return TIMED_OUT;
    }
}
