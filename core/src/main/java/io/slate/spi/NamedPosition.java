package io.slate.spi;

/**
 * A durable position in the journal under a name (a named tailer, a named watch): the index of the last record
 * delivered under that name. Survives the process that wrote it; retention keeps every record after the lowest
 * position. One process at a time should use a name.
 */
public interface NamedPosition {
    /** The name it is stored under. */
    String name();

    /** The index of the last record delivered under this name, or 0 when nothing was delivered yet. */
    long get();

    /** Stores {@code index} as the last record delivered. Allocation-free. */
    void set(long index);
}
