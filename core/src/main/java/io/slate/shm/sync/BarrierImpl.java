package io.slate.shm.sync;

import io.slate.journal.Op;
import io.slate.sync.Barrier;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A cyclic barrier on one slot of {@code sync.slate}: the slot's state word is {@code generation << 32 | arrived}.
 * A party arrives by compare-and-set of {@code arrived + 1}; the last party instead sets {@code (generation + 1) << 32}
 * (arrived back to 0), which releases everyone waiting for the generation to change. A timed-out party withdraws by
 * compare-and-set of {@code arrived - 1} in the same generation; if the generation changed first, it passed.
 */
final class BarrierImpl extends Primitive implements Barrier {
    private static final long LOW = 0xFFFF_FFFFL;

    private final int stateOffset;
    private final int parties;

    BarrierImpl(final ShmSync sync, final String name, final int slotOffset, final int parties) {
        super(sync, name, slotOffset, SyncDescriptor.KIND_BARRIER, parties);
        this.stateOffset = slotOffset + SyncDescriptor.STATE_OFFSET;
        this.parties = parties;
    }

    @Override
    public int parties() {
        return parties;
    }

    @Override
    public int await() {
        sync.ensureOpen();
        return arriveAndWait(OwnerLock.FOREVER);
    }

    @Override
    public int await(final long timeout, final TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (timeout <= 0) {
            throw new IllegalArgumentException("barrier await timeout must be > 0 (the other parties need time to arrive), got "
                    + timeout + " " + unit);
        }
        sync.ensureOpen();
        return arriveAndWait(Math.min(unit.toNanos(timeout), OwnerLock.FOREVER - 1));
    }

    private int arriveAndWait(final long timeoutNanos) {
        final long generation;
        final int index;
        while (true) {
            final long w = buffer.getLongVolatile(stateOffset);
            final long gen = w >>> 32;
            final long arrived = w & LOW;
            if (arrived + 1 >= parties) {
                if (buffer.compareAndSetLong(stateOffset, w, ((gen + 1) & LOW) << 32)) { // trips: the next generation starts empty
                    if (sync.journaling(slotOffset)) {
                        sync.journal(Op.BARRIER_TRIP, gen + 1, name);
                    }
                    return 0;
                }
            } else if (buffer.compareAndSetLong(stateOffset, w, w + 1)) {
                generation = gen;
                index = (int) (parties - 1 - arrived);
                break;
            }
        }
        final long start = System.nanoTime();
        Waiter waiter = null;
        int spins = 0;
        try {
            while (buffer.getLongVolatile(stateOffset) >>> 32 == generation) {
                if (spins < OwnerLock.SPINS) {
                    spins++;
                    Thread.onSpinWait();
                    continue;
                }
                if (waiter == null) {
                    waiter = new Waiter(sync, start, timeoutNanos);
                }
                final int paused = waiter.pause();
                if (paused == Waiter.TIMED_OUT) {
                    return withdraw(generation, index, TIMED_OUT);
                }
                if (paused == Waiter.INTERRUPTED) {
                    return withdraw(generation, index, INTERRUPTED);
                }
            }
            return index;
        } finally {
            if (waiter != null) {
                waiter.restoreInterrupt();
            }
        }
    }

    /** Takes back this party's arrival, unless the barrier tripped meanwhile (then the party passed). */
    private int withdraw(final long generation, final int index, final int code) {
        while (true) {
            final long w = buffer.getLongVolatile(stateOffset);
            if (w >>> 32 != generation) {
                return index;
            }
            if (buffer.compareAndSetLong(stateOffset, w, w - 1)) { // our arrival is still counted: arrived >= 1
                return code;
            }
        }
    }

    @Override
    public long generation() {
        return buffer.getLongVolatile(stateOffset) >>> 32;
    }

    @Override
    public int arrived() {
        return (int) (buffer.getLongVolatile(stateOffset) & LOW);
    }

    @Override
    public String toString() {
        return "Barrier{" + name + ", parties=" + parties + ", generation=" + generation() + ", arrived=" + arrived() + '}';
    }
}
