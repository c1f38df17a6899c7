package io.slate.spi;

import io.slate.journal.Op;

/**
 * The ordered record log of a space: every write of every feature is one record, in one total order. The commit
 * point of a write is its append. Indices increase strictly with commit order; they are dense on the shared-memory
 * backend and may have gaps on a distributed one (an etcd revision), so engines compare indices and never count them.
 *
 * <p>Thread-safe: any thread may append (each thread appends through its own appender); the cursors it makes are
 * single-threaded.
 */
public interface RecordLog {
    /**
     * Appends one record written by this agent and returns its index. {@code key} names what the record is about
     * (a key, a tuple space, a lock, a blackboard); {@code value} is the feature's own encoding. Allocation-free.
     *
     * @throws IllegalArgumentException when the key is longer than the space allows
     * @throws io.slate.space.SpaceFullException when the space has no room for it (nothing was appended)
     */
    long append(Op op, int flags, long version, CharSequence key, byte[] value, int offset, int length);

    /** A new raw cursor, positioned before the first retained record. Close it when done. */
    RecordCursor cursor();

    /** Index of the first retained record, or -1 when the journal is empty. */
    long firstIndex();

    /** Index of the last record, or -1 when the journal is empty. */
    long lastIndex();

    /** True while no record was ever removed by retention (a replay from the start sees the whole history). */
    boolean complete();

    /** The durable position stored under {@code name}, claimed when it does not exist yet. */
    NamedPosition namedPosition(String name);

    /** Removes the position stored under {@code name} (nothing when there is none). */
    void deleteNamedPosition(String name);

    /** Where the journal is, for messages: a directory, or an address. */
    String location();

    /**
     * The error for a record that cannot be read, naming its index and where the journal is:
     * {@code "<journal>: journal record at index N (0x...): <problem>"}.
     */
    io.slate.space.CorruptSpaceException foreignRecord(long index, String problem);
}
