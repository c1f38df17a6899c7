package io.slate.internal.sync;

/** What every primitive handle tells {@link ChronicleSync}: its kind, its creation parameter and where its slot is. */
interface Primitive {
    /** One of the {@code KIND_*} codes of {@link SyncDescriptor}. */
    int kind();

    /** Permits, initial count or parties; 0 for a mutex or counter. */
    long parameter();

    /** Offset of the primitive's slot in {@code sync.slate}. */
    int slotOffset();
}
