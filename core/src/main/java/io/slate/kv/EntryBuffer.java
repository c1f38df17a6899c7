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
    /** The writer's id as stored (UTF-8), decoded into {@link #writer} only when asked for. */
    private final byte[] writerBytes = new byte[64];
    private int writerLength;
    private boolean writerDecoded = true;
    private boolean writerBytesValid = true;

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

    /** The writer's agent id; valid until the next fill. Decoded on first use after a fill. */
    public CharSequence writer() {
        if (!writerDecoded) {
            writer.setLength(0);
            for (int i = 0; i < writerLength; i++) {
                final byte b = writerBytes[i];
                if (b < 0) {
                    writer.setLength(0);
                    writer.append(new String(writerBytes, 0, writerLength, StandardCharsets.UTF_8));
                    break;
                }
                writer.append((char) b);
            }
            writerDecoded = true;
        }
        return writer;
    }

    /** For the implementation: the buffer to copy the writer's UTF-8 id into (64 bytes), then {@link #writerLength(int)}. */
    public byte[] writerBytes() {
        return writerBytes;
    }

    /** For the implementation: the length of the writer's UTF-8 id in {@link #writerBytes()} (encoding it first if needed). */
    public int writerByteLength() {
        if (!writerBytesValid) {
            final byte[] b = writer.toString().getBytes(StandardCharsets.UTF_8);
            final int n = Math.min(b.length, writerBytes.length);
            System.arraycopy(b, 0, writerBytes, 0, n);
            writerLength = n;
            writerBytesValid = true;
        }
        return writerLength;
    }

    /** For the implementation: sets the length of the id copied into {@link #writerBytes()}. */
    public void writerLength(final int n) {
        writerLength = n;
        writerBytesValid = true;
        writerDecoded = false;
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
        writerDecoded = true;
        writerBytesValid = false;
        return value;
    }

    /** Makes this buffer hold a copy of {@code other}'s entry (value, version, time, index, tombstone, writer). */
    public void copyFrom(final EntryBuffer other) {
        final int n = other.length;
        System.arraycopy(other.value, 0, prepare(n, other.version, other.timestampNanos, other.journalIndex), 0, n);
        removed = other.removed;
        final int w = other.writerByteLength();
        System.arraycopy(other.writerBytes, 0, writerBytes, 0, w);
        writerLength(w);
    }

    /** For the implementation: the writer id to fill directly (instead of {@link #writerBytes()}). */
    public StringBuilder writerBuilder() {
        writerDecoded = true;
        writerBytesValid = false;
        return writer;
    }
}
