package io.slate.journal;

import io.slate.space.Space;

/**
 * The journal: every mutation of the space, in one total order. Its index is the commit order of all writes by
 * all agents; each key's records appear in version order.
 *
 * <p>Thread-safe as a factory; the tailers it makes are single-threaded.
 */
public interface Journal {
    /** A tailer that starts at the first retained record. */
    Tailer tailerFromStart();

    /** A tailer whose first record is the one at {@code index} (or the first after it when that index does not exist). */
    Tailer tailerFromIndex(long index);

    /** A tailer that sees only records written after this call. */
    Tailer tailerFromEnd();

    /**
     * A named tailer: resumes right after the last record it delivered under this name, in any process, also
     * after a crash; starts at the first retained record the first time. Retention keeps what it still needs.
     * One process at a time should use a name.
     */
    Tailer namedTailer(String name);

    /** Removes a named tailer's stored position, so retention no longer waits for it. */
    void deleteNamedTailer(String name);

    /** Index of the last record, or -1 when the journal is empty. */
    long lastIndex();

    /** Index of the first retained record, or -1 when the journal is empty. */
    long firstIndex();

    /**
     * Runs {@code handler} on a new daemon thread for every record whose key starts with {@code keyPrefix}, in
     * journal order, starting after {@code afterIndex} ({@code -1}: from the end, i.e. only new records; {@code 0}:
     * from the start).
     */
    Subscription subscribe(String keyPrefix, long afterIndex, RecordHandler handler);

    /**
     * Rebuilds a key/value map from the journal into {@code target} (a fresh, empty space): every record is
     * applied in order, keeping its version, writer and time. Returns the number of records applied.
     *
     * @param toIndex apply records up to and including this index ({@code Long.MAX_VALUE}: all)
     * @throws io.slate.space.CorruptSpaceException at a record that is not a Slate record (naming its index)
     * @throws IllegalStateException when retention removed the start of the journal (saying so, with the first index kept)
     */
    long replayInto(Space target, long toIndex);

    /**
     * Compares the key/value map with a replay of the journal. Records that cannot be read are listed among the
     * differences (with their index) and the replay goes on; map entries written beyond the journal's last record
     * (records the journal lost) are differences too.
     */
    VerifyReport verify();
}
