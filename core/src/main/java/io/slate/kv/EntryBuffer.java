package io.slate.kv;

import java.nio.charset.StandardCharsets;

/**
 * A caller-owned, reusable holder for one entry, for the allocation-free {@link KeyValue#get(CharSequence, EntryBuffer)}.
 * Its value buffer grows when a value does not fit and is then reused. Not thread-safe: one per thread.
 */
public final class EntryBuffer {
    private byte[] value;
    private int length;
    private long version;
    private long timestampNanos;
    private long journalIndex;
    private boolean removed;
    private final StringBuilder writer = new StringBuilder(32);

    public EntryBuffer() {
        this(256);
    }

    public EntryBuffer(final int initialCapacity) {
        value = new byte[initialCapacity];
    }

    /** The buffer holding the value in {@code [0, length())}. The array may be replaced when a value does not fit. */
    public byte[] buffer() {
        return value;
    }

    public int length() {
        return length;
    }

    public long version() {
        return version;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    public long journalIndex() {
        return journalIndex;
    }

    /** True when the last fill found a removed key's tombstone (the allocation-free get then returns ABSENT). */
    public boolean isRemoved() {
        return removed;
    }

    /** For the implementation: marks the filled entry as a tombstone or not. */
    public void removed(final boolean tombstone) {
        this.removed = tombstone;
    }

    /** The writer's agent id; valid until the next fill. */
    public CharSequence writer() {
        return writer;
    }

    /** The value as a decimal long. @throws IllegalArgumentException if it is not one */
    public long valueAsLong() {
        return Values.parseDecimal("", value, 0, length);
    }

    /** Allocates: the value as text. */
    public String valueAsString() {
        return new String(value, 0, length, StandardCharsets.UTF_8);
    }

    /** For the implementation: makes room for {@code n} bytes and sets the metadata. */
    public byte[] prepare(final int n, final long version, final long timestampNanos, final long journalIndex) {
        if (value.length < n) {
            value = new byte[Math.max(n, value.length * 2)];
        }
        this.length = n;
        this.version = version;
        this.timestampNanos = timestampNanos;
        this.journalIndex = journalIndex;
        writer.setLength(0);
        return value;
    }

    /** For the implementation: the writer id to fill. */
    public StringBuilder writerBuilder() {
        return writer;
    }
}
