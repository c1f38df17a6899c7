package io.slate.journal;

/**
 * A flyweight over one journal record, reused by its tailer: valid only until the tailer reads the next one.
 * Copy what you keep ({@link #toEntry()}, {@link #valueCopy()}).
 *
 * <p>Every record holds: its index (the single total order of all writes), the operation, the key, the key's
 * version after the write, the writing agent's id, the time, and the value.
 */
public interface JournalRecord {
    /** The journal index: strictly increasing in the order the writes were committed. */
    long index();

    Op op();

    /** Valid until the next read. */
    CharSequence key();

    /**
     * Whether this record's key is {@code key}: the same answer as {@code key().toString().equals(key.toString())} for
     * every key Slate writes, without decoding the key (a tailer that looks for one key among many records compares
     * bytes and allocates nothing).
     */
    default boolean keyEquals(final CharSequence key) {
        return io.slate.internal.Utf8.contentEquals(key(), key);
    }

    long version();

    /** The id of the agent that wrote it. Valid until the next read. */
    CharSequence agent();

    long timestampNanos();

    /** True when the key was removed by this record (a remove, or a revert to a tombstone). */
    boolean removed();

    /** For {@link Op#REVERT}: the index of the record undone; otherwise -1. */
    long revertedIndex();

    int valueLength();

    /** The buffer holding the value in {@code [0, valueLength())}; reused by the tailer. */
    byte[] valueBuffer();

    /** Allocates: a copy of the value. */
    byte[] valueCopy();

    /** Allocates: the value as UTF-8 text. */
    String valueAsString();

    /** Allocates: the key's entry as this record leaves it. */
    io.slate.kv.Entry toEntry();
}
