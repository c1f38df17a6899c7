package io.slate.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable copy of one key's state. */
public final class Entry {
    private final String key;
    private final byte[] value;
    private final long version;
    private final String writer;
    private final long timestampNanos;
    private final long journalIndex;
    private final boolean removed;

    public Entry(final String key, final byte[] value, final long version, final String writer, final long timestampNanos,
                 final long journalIndex, final boolean removed) {
        this.key = key;
        this.value = value;
        this.version = version;
        this.writer = writer;
        this.timestampNanos = timestampNanos;
        this.journalIndex = journalIndex;
        this.removed = removed;
    }

    public String key() {
        return key;
    }

    /** The value bytes (a copy owned by this entry; empty for a removed key). */
    public byte[] value() {
        return value;
    }

    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The value as a decimal long. @throws IllegalArgumentException if it is not one */
    public long valueAsLong() {
        return Values.parseDecimal(key, value, 0, value.length);
    }

    public long version() {
        return version;
    }

    /** The id of the agent that wrote this version. */
    public String writer() {
        return writer;
    }

    /** When this version was written, in nanoseconds since the epoch. */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** The journal index of the record that wrote this version. */
    public long journalIndex() {
        return journalIndex;
    }

    /** True for the tombstone a removal leaves. */
    public boolean isRemoved() {
        return removed;
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof Entry)) {
            return false;
        }
        final Entry e = (Entry) o;
        return version == e.version && timestampNanos == e.timestampNanos && journalIndex == e.journalIndex && removed == e.removed
                && key.equals(e.key) && writer.equals(e.writer) && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return key + "@" + version + (removed ? " (removed)" : "=" + Values.display(value)) + " by " + writer;
    }
}
