package io.slate.spi;

/**
 * A durable position in the journal under a name (a named tailer, a named watch): the index of the last record
 * delivered under that name. Survives the process that wrote it; retention keeps every record after the lowest
 * position. One process at a time should use a name.
 */
public interface NamedPosition {
    /** The name it is stored under. */
    String name();

    /** The index of the last record delivered under this name, 0 when nothing was delivered yet, negative when {@link #lost()}. */
    long get();

    /** Stores {@code index} as the last record delivered. Allocation-free. */
    void set(long index);

    /**
     * Stores {@code index} as the last record delivered if the stored position is still {@code expected}; false when
     * it is not: retention marked it {@link #lost()} (or another process uses the name). Allocation-free.
     */
    boolean advance(long expected, long index);

    /**
     * True when retention removed records after this position that it had not delivered (the position fell behind
     * the journal's budget, see {@code SpaceOptions.retainBytes}). A tailer or watch under this name then fails with
     * an error naming what was lost, never skips it; delete the name and start again.
     */
    boolean lost();
}
