package io.slate.shm.sync;

import io.slate.journal.Op;
import io.slate.sync.CountDownLatch;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A latch on one slot of {@code sync.slate}: the slot's state word is the count, set to the initial count when the
 * slot is claimed and decremented by compare-and-set, never below zero. Waiters spin, then idle, until it reads 0.
 */
final class LatchImpl extends Primitive implements CountDownLatch {
    private final int countOffset;
    private final int initialCount;

    LatchImpl(final ShmSync sync, final String name, final int slotOffset, final int initialCount) {
        super(sync, name, slotOffset, SyncDescriptor.KIND_LATCH, initialCount);
        this.countOffset = slotOffset + SyncDescriptor.STATE_OFFSET;
        this.initialCount = initialCount;
    }

    @Override
    public int initialCount() {
        return initialCount;
    }

    @Override
    public void countDown() {
        sync.ensureOpen();
        while (true) {
            final long c = buffer.getLongVolatile(countOffset);
            if (c <= 0) {
                return;
            }
            if (buffer.compareAndSetLong(countOffset, c, c - 1)) {
                if (sync.journaling(slotOffset)) {
                    sync.journal(Op.LATCH_COUNT_DOWN, c - 1, name);
                }
                return;
            }
        }
    }

    @Override
    public long getCount() {
        return buffer.getLongVolatile(countOffset);
    }

    @Override
    public void await() {
        sync.ensureOpen();
        waitForZero(OwnerLock.FOREVER);
    }

    @Override
    public boolean await(final long timeout, final TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (timeout < 0) {
            throw new IllegalArgumentException("latch await timeout must be >= 0, got " + timeout + " " + unit);
        }
        sync.ensureOpen();
        return waitForZero(Math.min(unit.toNanos(timeout), OwnerLock.FOREVER - 1));
    }

    private boolean waitForZero(final long timeoutNanos) {
        if (buffer.getLongVolatile(countOffset) <= 0) {
            return true;
        }
        if (timeoutNanos == 0) {
            return false;
        }
        final long start = System.nanoTime();
        Waiter waiter = null;
        int spins = 0;
        try {
            while (buffer.getLongVolatile(countOffset) > 0) {
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
                    return false;
                }
                if (paused == Waiter.INTERRUPTED) {
                    return false;
                }
            }
            return true;
        } finally {
            if (waiter != null) {
                waiter.restoreInterrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "CountDownLatch{" + name + ", count=" + getCount() + '}';
    }
}
