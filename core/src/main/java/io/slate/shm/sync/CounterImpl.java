package io.slate.shm.sync;

import io.slate.journal.Op;
import io.slate.sync.AtomicCounter;

/** A counter on one slot of {@code sync.slate}: the slot's state word is the value, changed by atomic instructions. */
final class CounterImpl extends Primitive implements AtomicCounter {
    private final int valueOffset;

    CounterImpl(final ShmSync sync, final String name, final int slotOffset) {
        super(sync, name, slotOffset, SyncDescriptor.KIND_COUNTER, 0);
        this.valueOffset = slotOffset + SyncDescriptor.STATE_OFFSET;
    }

    @Override
    public long get() {
        return buffer.getLongVolatile(valueOffset);
    }

    @Override
    public long add(final long delta) {
        sync.ensureOpen();
        final long value = buffer.getAndAddLong(valueOffset, delta) + delta;
        if (sync.journaling(slotOffset)) {
            sync.journal(Op.COUNTER_ADD, value, name, delta);
        }
        return value;
    }

    @Override
    public boolean compareAndSet(final long expected, final long value) {
        sync.ensureOpen();
        if (!buffer.compareAndSetLong(valueOffset, expected, value)) {
            return false;
        }
        if (sync.journaling(slotOffset)) {
            sync.journal(Op.COUNTER_ADD, value, name, value - expected);
        }
        return true;
    }

    @Override
    public String toString() {
        return "AtomicCounter{" + name + '=' + get() + '}';
    }
}
