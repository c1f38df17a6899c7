package io.slate.shm.sync;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What every primitive handle has and tells {@link ShmSync}: the sync file it lives in, its name, its kind, its
 * creation parameter and where its slot is.
 */
abstract class Primitive {
    final ShmSync sync;
    final UnsafeBuffer buffer;
    final String name;
    /** Offset of the primitive's slot in {@code sync.slate}. */
    final int slotOffset;
    private final int kind;
    private final long parameter;

    /**
     * @param kind      one of the {@code KIND_*} codes of {@link SyncDescriptor}
     * @param parameter permits, initial count or parties; 0 for a mutex or counter
     */
    Primitive(final ShmSync sync, final String name, final int slotOffset, final int kind, final long parameter) {
        this.sync = sync;
        this.buffer = sync.buffer();
        this.name = name;
        this.slotOffset = slotOffset;
        this.kind = kind;
        this.parameter = parameter;
    }

    /** The primitive's name (the public interfaces' {@code name()}). */
    public String name() {
        return name;
    }

    /** One of the {@code KIND_*} codes of {@link SyncDescriptor}. */
    final int kind() {
        return kind;
    }

    /** Permits, initial count or parties; 0 for a mutex or counter. */
    final long parameter() {
        return parameter;
    }

    /** Offset of the primitive's slot in {@code sync.slate}. */
    final int slotOffset() {
        return slotOffset;
    }
}
