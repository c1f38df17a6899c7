package io.slate.spi;

import io.slate.journal.Op;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

import static io.slate.spi.RecordDescriptor.FLAGS_OFFSET;
import static io.slate.spi.RecordDescriptor.KEY_LENGTH_OFFSET;
import static io.slate.spi.RecordDescriptor.MIN_LENGTH;
import static io.slate.spi.RecordDescriptor.OP_OFFSET;
import static io.slate.spi.RecordDescriptor.REVERTED_INDEX_OFFSET;
import static io.slate.spi.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.slate.spi.RecordDescriptor.VERSION_OFFSET;

/**
 * A flyweight over one raw journal record ({@link RecordDescriptor} layout, format 1 or 2) as a backend's {@link RecordCursor}
 * hands it out: offsets into a buffer the cursor owns and reuses, so it is valid only until the cursor's next read.
 * Nothing is decoded or copied until asked for; the feature engines filter on {@link #opCode()} and
 * {@link #keyEquals(byte[])} before they look at a value. Single-threaded, like its cursor.
 */
public final class LogRecord {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;
    private int length;
    private long index;
    private int keyLength;
    private int keyOffset;
    /** Where {@link #readKeyAndAgent} stopped, relative to the record. */
    private int afterAgent;
    private int timestampOffset;
    private int flagsMask;
    private long version;
    private long revertedIndex;
    private int agentOffset;
    private int agentLength;
    private int valueOffset;
    private int valueLength;

    /**
     * Points this flyweight at the record of {@code length} bytes at {@code offset} in {@code buffer}, the record at
     * journal index {@code index}. Returns {@code null} when it is a well-formed Slate record (its op code is not
     * checked: {@link #op()} is null for a code this build does not know), otherwise what is wrong with it (the caller
     * reports it with the index and where the journal is). Allocation-free for a well-formed record.
     */
    public String wrap(final long index, final DirectBuffer buffer, final int offset, final int length) {
        this.index = index;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        if (length < RecordDescriptor.COMPACT_MIN_LENGTH) {
            return "record of " + length + " bytes is shorter than a Slate record header";
        }
        final byte magic = buffer.getByte(offset);
        if (magic != RecordDescriptor.MAGIC) {
            return "record does not start with the Slate magic byte (found 0x" + Integer.toHexString(magic & 0xFF) + ")";
        }
        final byte format = buffer.getByte(offset + 1);
        if (format == RecordDescriptor.FORMAT_COMPACT) {
            return wrapCompact();
        }
        if (format != RecordDescriptor.FORMAT) {
            return "record format " + format + " is not one this build reads (" + RecordDescriptor.FORMAT + " or "
                    + RecordDescriptor.FORMAT_COMPACT + ")";
        }
        if (length < MIN_LENGTH) {
            return "record of " + length + " bytes is shorter than a Slate record header";
        }
        flagsMask = 0xFF;
        timestampOffset = offset + TIMESTAMP_OFFSET;
        version = buffer.getLong(offset + VERSION_OFFSET, LE);
        revertedIndex = buffer.getLong(offset + REVERTED_INDEX_OFFSET, LE);
        final String text = readKeyAndAgent(KEY_LENGTH_OFFSET);
        if (text != null) {
            return text;
        }
        int p = afterAgent;
        if (p + 4 > length) {
            return "record ends before its value length";
        }
        valueLength = buffer.getInt(offset + p, LE);
        p += 4;
        if (valueLength < 0 || valueLength > length - p) {
            return "value length " + valueLength + " exceeds the record's remaining " + (length - p) + " bytes";
        }
        valueOffset = offset + p;
        return null;
    }

    /**
     * Reads the key (its 2-byte length at {@code keyLengthAt}) and the agent id after it, the same in both formats;
     * leaves the record-relative position after the agent id in {@link #afterAgent}. Returns what is wrong, or null.
     */
    private String readKeyAndAgent(final int keyLengthAt) {
        keyOffset = offset + keyLengthAt + 2;
        keyLength = buffer.getShort(offset + keyLengthAt, LE) & 0xFFFF;
        int p = keyLengthAt + 2 + keyLength;
        if (p + 1 > length) {
            return "text field of " + keyLength + " bytes exceeds the record";
        }
        agentLength = buffer.getByte(offset + p) & 0xFF;
        agentOffset = offset + p + 1;
        p += 1 + agentLength;
        if (p > length) {
            return "text field of " + agentLength + " bytes exceeds the record";
        }
        afterAgent = p;
        return null;
    }

    /** Format 2 ({@link RecordDescriptor}): the version a varint, the reverted index only when flagged, the value to the end. */
    private String wrapCompact() {
        flagsMask = 0xFF & ~RecordDescriptor.FLAG_REVERTED_INDEX;
        timestampOffset = offset + RecordDescriptor.COMPACT_TIMESTAMP_OFFSET;
        final String text = readKeyAndAgent(RecordDescriptor.COMPACT_KEY_LENGTH_OFFSET);
        if (text != null) {
            return text;
        }
        int p = afterAgent;
        if (p + 8 <= length) {
            // the common case: the varint within the next 8 bytes, read as one word (no bounds check per byte)
            final long w = buffer.getLong(offset + p, LE);
            long u = 0;
            for (int i = 0; i < 8; i++) {
                final long b = (w >>> (8 * i)) & 0xFF;
                u |= (b & 0x7F) << (7 * i);
                if ((b & 0x80) == 0) {
                    return afterVersion(p + i + 1, u);
                }
            }
            // longer than 8 bytes (a version of 2^55 or more): byte by byte below
        }
        long u = 0;
        for (int i = 0; ; i++) {
            if (p >= length) {
                return "record ends inside its version";
            }
            final int b = buffer.getByte(offset + p++) & 0xFF;
            if (i == 9 && b > 1) {
                return "version does not fit in 64 bits";
            }
            u |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return afterVersion(p, u);
    }

    /** The rest of {@link #wrapCompact} once the version's varint ({@code u}) ended before {@code p}. */
    private String afterVersion(final int at, final long u) {
        int p = at;
        version = RecordDescriptor.unzigzag(u);
        if ((buffer.getByte(offset + FLAGS_OFFSET) & RecordDescriptor.FLAG_REVERTED_INDEX) != 0) {
            if (p + 8 > length) {
                return "record ends before its reverted index";
            }
            revertedIndex = buffer.getLong(offset + p, LE);
            p += 8;
        } else {
            revertedIndex = -1;
        }
        valueOffset = offset + p;
        valueLength = length - p;
        return null;
    }

    /** The journal index: strictly increasing in commit order (dense on one host, with gaps on a distributed backend). */
    public long index() {
        return index;
    }

    /** The operation's code as stored. */
    public int opCode() {
        return buffer.getByte(offset + OP_OFFSET) & 0xFF;
    }

    /** The operation, or {@code null} for a code this build does not know. */
    public Op op() {
        return Op.ofCode(opCode());
    }

    public int flags() {
        return buffer.getByte(offset + FLAGS_OFFSET) & flagsMask;
    }

    public long version() {
        return version;
    }

    public long timestampNanos() {
        return buffer.getLong(timestampOffset, LE);
    }

    /** The index of the record a REVERT undoes; -1 in any other record. */
    public long revertedIndex() {
        return revertedIndex;
    }

    /** The buffer the record is in; the offsets below point into it. */
    public DirectBuffer buffer() {
        return buffer;
    }

    public int keyOffset() {
        return keyOffset;
    }

    public int keyLength() {
        return keyLength;
    }

    /** True when the key's UTF-8 bytes are exactly {@code utf8}. Allocation-free. */
    public boolean keyEquals(final byte[] utf8) {
        return keyEquals(utf8, utf8.length);
    }

    /**
     * True when the key's UTF-8 bytes are exactly the first {@code length} bytes of {@code utf8}. Allocation-free.
     * Over a buffer that wraps an array (every cursor's copy of a record) one vectorized comparison of the two arrays.
     */
    public boolean keyEquals(final byte[] utf8, final int length) {
        if (length != keyLength) {
            return false;
        }
        final int k = keyOffset;
        final byte[] array = buffer.byteArray();
        if (array != null) {
            final int from = (int) (buffer.wrapAdjustment() + k);
            return Arrays.equals(array, from, from + length, utf8, 0, length);
        }
        for (int i = 0; i < keyLength; i++) {
            if (buffer.getByte(k + i) != utf8[i]) {
                return false;
            }
        }
        return true;
    }

    public int agentOffset() {
        return agentOffset;
    }

    public int agentLength() {
        return agentLength;
    }

    public int valueOffset() {
        return valueOffset;
    }

    public int valueLength() {
        return valueLength;
    }

    @Override
    public String toString() {
        final Op op = op();
        return "LogRecord{" + index + " " + (op == null ? "op " + opCode() : op.label()) + " v" + version() + '}';
    }
}
