package io.slate.shm.sync;

import io.slate.journal.Op;
import io.slate.sync.Holder;
import io.slate.sync.Semaphore;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A semaphore on one slot of {@code sync.slate}: the slot's state word is a guard (an owner word, like a mutex's,
 * held for a few dozen nanoseconds), and the holder table records, per agent, its owner word and the permits it holds.
 * There is no separate "available" count: available = permits - sum of the table's permits, computed under the guard.
 *
 * <p>Every change to the table is made under the guard and is a sequence of single 8-byte release stores, each of
 * which leaves the table consistent: claiming an entry stores the owner, then the permits (a crash in between leaves
 * an owner holding 0); a release stores the smaller count, then 0 as owner when nothing is left; returning a dead
 * holder's permits stores 0 permits, then 0 owner. So an agent killed at any point, the guard included, leaves a
 * table whose sum is exactly what its holders hold, and whoever takes the dead agent's guard over (exactly one
 * survivor, see {@link OwnerLock}) has nothing to repair.
 *
 * <p>A dead holder's permits are returned by a waiter: every {@link ShmSync#LIVENESS_CHECK_NANOS} while it
 * waits it checks each holder's liveness (outside the guard), and for a dead one takes the guard and clears the entry
 * if it still holds that owner's word. Owner words are never reused, so a word still there is still the dead agent's,
 * and two survivors cannot both return the same permits (the second finds the entry cleared).
 */
final class SemaphoreImpl extends Primitive implements Semaphore {
    /** The longest a zero-timeout attempt waits for the guard (held for nanoseconds by live agents). */
    private static final long GUARD_MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int holdersOffset;
    private final int permits;
    private final long me;
    private final OwnerLock guard;
    /** Earliest time a zero-timeout attempt may check holders' liveness again (racy by design). */
    private long nextQuickCheckNanos = System.nanoTime();

    SemaphoreImpl(final ShmSync sync, final String name, final int slotOffset, final int permits) {
        super(sync, name, slotOffset, SyncDescriptor.KIND_SEMAPHORE, permits);
        this.holdersOffset = slotOffset + SyncDescriptor.HOLDERS_OFFSET;
        this.permits = permits;
        this.me = sync.ownerWord();
        this.guard = new OwnerLock(sync, slotOffset + SyncDescriptor.STATE_OFFSET);
    }

    private int ownerOffset(final int entry) {
        return holdersOffset + entry * SyncDescriptor.HOLDER_LENGTH + SyncDescriptor.HOLDER_OWNER_OFFSET;
    }

    private int permitsOffset(final int entry) {
        return holdersOffset + entry * SyncDescriptor.HOLDER_LENGTH + SyncDescriptor.HOLDER_PERMITS_OFFSET;
    }

    @Override
    public int permits() {
        return permits;
    }

    @Override
    public void acquire() {
        acquire(1);
    }

    @Override
    public void acquire(final int n) {
        checkCount(n);
        sync.ensureOpen();
        if (!tryFast(n)) {
            acquireSlow(n, OwnerLock.FOREVER);
        }
        acquired(n);
    }

    @Override
    public boolean tryAcquire(final int n, final long timeout, final TimeUnit unit) {
        checkCount(n);
        Objects.requireNonNull(unit, "unit");
        if (timeout < 0) {
            throw new IllegalArgumentException("tryAcquire timeout must be >= 0, got " + timeout + " " + unit);
        }
        sync.ensureOpen();
        if (tryFast(n) || acquireSlow(n, Math.min(unit.toNanos(timeout), OwnerLock.FOREVER - 1))) {
            acquired(n);
            return true;
        }
        return false;
    }

    private void checkCount(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("semaphore '" + name + "': permits to acquire must be >= 1, got " + n);
        }
        if (n > permits) {
            throw new IllegalArgumentException("semaphore '" + name + "' has " + permits + " permits; " + n + " can never be acquired at once");
        }
    }

    /** Uncontended path: one CAS for the guard, a scan of the table, a store or two, a release store. */
    private boolean tryFast(final int n) {
        if (!guard.tryFast()) {
            return false;
        }
        try {
            return takeUnderGuard(n);
        } finally {
            guard.releaseOrdered();
        }
    }

    /** Takes {@code n} permits if they are free and this agent has (or can claim) an entry. Under the guard. */
    private boolean takeUnderGuard(final int n) {
        long held = 0;
        int mine = -1;
        int free = -1;
        for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
            final long w = buffer.getLong(ownerOffset(i)); // plain: under the guard, after its acquiring CAS
            held += buffer.getLong(permitsOffset(i));
            if (w == me) {
                mine = i;
            } else if (w == 0 && free < 0) {
                free = i;
            }
        }
        if (permits - held < n) {
            return false;
        }
        if (mine >= 0) {
            buffer.putLongOrdered(permitsOffset(mine), buffer.getLong(permitsOffset(mine)) + n);
            return true;
        }
        if (free < 0) {
            return false; // MAX_HOLDERS other agents hold permits: wait as if none were free
        }
        buffer.putLongOrdered(ownerOffset(free), me); // owner first: a crash here leaves an owner holding 0
        buffer.putLongOrdered(permitsOffset(free), n);
        return true;
    }

    /** Waits for permits; returns false on timeout or interrupt (timed waits only). */
    private boolean acquireSlow(final int n, final long timeoutNanos) {
        final boolean forever = timeoutNanos == OwnerLock.FOREVER;
        final long start = System.nanoTime();
        long nextCheck = start + ShmSync.LIVENESS_CHECK_NANOS;
        boolean quickRetry = false;
        Waiter waiter = null;
        try {
            while (true) {
                final long guardWait = forever ? OwnerLock.FOREVER : Math.max(timeoutNanos - (System.nanoTime() - start), GUARD_MIN_WAIT_NANOS);
                final long g = guard.acquire(guardWait);
                if (g == OwnerLock.TIMED_OUT || g == OwnerLock.INTERRUPTED) {
                    return false; // an interrupt's flag was set again by the guard's wait
                }
                final boolean ok;
                try {
                    ok = takeUnderGuard(n);
                } finally {
                    guard.releaseOrdered();
                }
                if (ok) {
                    return true;
                }
                final long now = System.nanoTime();
                if (timeoutNanos == 0) {
                    if (quickRetry || now - nextQuickCheckNanos < 0) {
                        return false;
                    }
                    nextQuickCheckNanos = now + ShmSync.LIVENESS_CHECK_NANOS;
                    quickRetry = true;
                    if (returnDeadHoldersPermits() > 0) {
                        continue;
                    }
                    return false;
                }
                if (now - nextCheck >= 0) {
                    nextCheck = now + ShmSync.LIVENESS_CHECK_NANOS;
                    if (returnDeadHoldersPermits() > 0) {
                        continue;
                    }
                }
                if (waiter == null) {
                    waiter = new Waiter(sync, start, timeoutNanos);
                }
                final int paused = waiter.pause();
                if (paused == Waiter.TIMED_OUT) {
                    return false;
                }
                if (paused == Waiter.INTERRUPTED) {
                    return false;
                }
            }
        } finally {
            if (waiter != null) {
                waiter.restoreInterrupt();
            }
        }
    }

    /**
     * Clears the entries of dead holders, returning their permits; returns the number of entries cleared. Liveness
     * is checked outside the guard; the entry is cleared under it only if it still holds the dead owner's word.
     */
    private int returnDeadHoldersPermits() {
        int cleared = 0;
        for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
            final long w = buffer.getLongVolatile(ownerOffset(i));
            if (w == 0 || w == me || sync.isOwnerAlive(w)) {
                continue;
            }
            long returned = -1;
            guard.acquire(OwnerLock.FOREVER); // live agents hold it for nanoseconds; a dead one is taken over
            try {
                if (buffer.getLongVolatile(ownerOffset(i)) == w) { // still the dead agent's: words are never reused
                    returned = buffer.getLong(permitsOffset(i));
                    buffer.putLongOrdered(permitsOffset(i), 0); // permits first: a crash here leaves an owner holding 0
                    buffer.putLongOrdered(ownerOffset(i), 0);
                }
            } finally {
                guard.releaseOrdered();
            }
            if (returned >= 0) {
                cleared++;
                if (returned > 0 && sync.journaling(slotOffset)) {
                    sync.journalRecovery(Op.SEM_RECOVERED, returned, name, w);
                }
            }
        }
        return cleared;
    }

    /** Journals an acquisition; on a journal failure gives the permits back (the caller never learns it holds them). */
    private void acquired(final int n) {
        if (sync.journaling(slotOffset)) {
            try {
                sync.journal(Op.SEM_ACQUIRE, n, name);
            } catch (RuntimeException | Error e) {
                giveBack(n);
                throw e;
            }
        }
    }

    @Override
    public void release() {
        release(1);
    }

    @Override
    public void release(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("semaphore '" + name + "': permits to release must be >= 1, got " + n);
        }
        sync.ensureOpen();
        final long had = giveBack(n);
        if (had < n) {
            throw new IllegalMonitorStateException("semaphore '" + name + "': agent '" + sync.space().agentId() + "' holds " + had
                    + (had == 1 ? " permit" : " permits") + ", cannot release " + n);
        }
        if (sync.journaling(slotOffset)) {
            sync.journal(Op.SEM_RELEASE, n, name);
        }
    }

    /** Gives back {@code n} of this agent's permits if it holds that many; returns how many it held. */
    private long giveBack(final int n) {
        if (!guard.tryFast()) {
            guard.acquire(OwnerLock.FOREVER);
        }
        try {
            for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
                if (buffer.getLong(ownerOffset(i)) == me) {
                    final long held = buffer.getLong(permitsOffset(i));
                    if (held >= n) {
                        buffer.putLongOrdered(permitsOffset(i), held - n);
                        if (held == n) {
                            buffer.putLongOrdered(ownerOffset(i), 0); // after the count: a crash between leaves us holding 0
                        }
                    }
                    return held;
                }
            }
            return 0;
        } finally {
            guard.releaseOrdered();
        }
    }

    @Override
    public int availablePermits() {
        long held = 0;
        for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
            held += buffer.getLongVolatile(permitsOffset(i));
        }
        return (int) Math.max(0, permits - held);
    }

    @Override
    public int heldByCurrentAgent() {
        for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
            if (buffer.getLongVolatile(ownerOffset(i)) == me) {
                return (int) buffer.getLongVolatile(permitsOffset(i));
            }
        }
        return 0;
    }

    @Override
    public List<Holder> holders() {
        final List<Holder> list = new ArrayList<>();
        for (int i = 0; i < SyncDescriptor.HOLDERS; i++) {
            final long w = buffer.getLongVolatile(ownerOffset(i));
            final long p = buffer.getLongVolatile(permitsOffset(i));
            if (w != 0 && p > 0) {
                list.add(sync.holder(w, (int) p));
            }
        }
        return list;
    }

    @Override
    public String toString() {
        return "Semaphore{" + name + ", permits=" + permits + ", available=" + availablePermits() + '}';
    }
}
