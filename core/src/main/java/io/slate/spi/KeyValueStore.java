package io.slate.spi;

import io.slate.journal.JournalRecord;
import io.slate.kv.Entry;
import io.slate.kv.KeyValue;

import java.util.function.Consumer;

/**
 * The versioned key/value commit of a backend: the public {@link KeyValue} (check the version, append the record,
 * apply it) plus what replay, verify and the consistency views need.
 */
public interface KeyValueStore extends KeyValue {
    /** Journal index of the calling thread's last successful write, or -1. */
    long lastWriteIndex();

    /** The key's entry, tombstones included, or {@code null} when it never existed. */
    Entry getIncludingRemoved(CharSequence key);

    /** Every entry, tombstones included (for verify). */
    void forEachIncludingRemoved(Consumer<Entry> visitor);

    /** Journals and applies exactly the state a replayed record carries (its version, writer and time). */
    void applyReplayed(JournalRecord record);
}
