package io.slate.spi;

/**
 * Layout of one journal record, the same on every backend: the payload of one Chronicle Queue document on the
 * shared-memory backend, the value of one journal key on a distributed one. Written by a backend's
 * {@link RecordLog#append}, read through {@link LogRecord}. Little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+  0
 *  |  magic 0x53   | format (1)    |   op code     |  flags        |
 *  +---------------+---------------+---------------+---------------+  4
 *  |                    version (8 bytes)                          |
 *  +---------------------------------------------------------------+ 12
 *  |                 timestamp, epoch nanos (8 bytes)              |
 *  +---------------------------------------------------------------+ 20
 *  |     reverted index (8 bytes; REVERT only, else -1)            |
 *  +---------------------------------------------------------------+ 28
 *  | key length (2) |  key, UTF-8 ...                              |
 *  +----------------+----------------------------------------------+
 *  | agent len (1)  |  agent id, UTF-8 ...                         |
 *  +----------------+----------------------------------------------+
 *  |            value length (4)   |  value bytes ...              |
 *  +-------------------------------+-------------------------------+
 * </pre>
 * Flags: bit 0 = the key is removed after this record. The document's queue index is the record's index; it is not
 * stored in the payload.
 *
 * <p><b>Format 2</b> (the compact record, written in spaces created in space format 1.4 and later): the same fields in
 * fewer bytes. The value's length is what the record has left after the other fields, the version is a zigzag LEB128
 * varint, and the reverted index is there only in a record that reverts one (flags bit 1):
 * <pre>
 *  +---------------+---------------+---------------+---------------+  0
 *  |  magic 0x53   | format (2)    |   op code     |  flags        |
 *  +---------------+---------------+---------------+---------------+  4
 *  |                 timestamp, epoch nanos (8 bytes)              |
 *  +----------------+----------------------------------------------+ 12
 *  | key length (2) |  key, UTF-8 ...                              |
 *  +----------------+----------------------------------------------+
 *  | agent len (1)  |  agent id, UTF-8 ...                         |
 *  +----------------+----------------------------------------------+
 *  | version: zigzag LEB128, 1-10 bytes                            |
 *  +---------------------------------------------------------------+
 *  | reverted index (8 bytes; only when flags bit 1 is set)        |
 *  +---------------------------------------------------------------+
 *  | value bytes: the rest of the record ...                       |
 *  +---------------------------------------------------------------+
 * </pre>
 * A reader accepts only magic 0x53 and formats 1 and 2: anything else is reported as a foreign record with its index,
 * never interpreted.
 */
public final class RecordDescriptor {
    public static final byte MAGIC = 0x53;
    public static final byte FORMAT = 1;
    public static final int HEADER_LENGTH = 28;
    public static final int FLAG_REMOVED = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_OFFSET = 1;
    public static final int OP_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int VERSION_OFFSET = 4;
    public static final int TIMESTAMP_OFFSET = 12;
    public static final int REVERTED_INDEX_OFFSET = 20;
    public static final int KEY_LENGTH_OFFSET = HEADER_LENGTH;
    public static final int KEY_OFFSET = KEY_LENGTH_OFFSET + 2;
    /** The smallest record: header, empty key, empty agent id, value length. */
    public static final int MIN_LENGTH = KEY_OFFSET + 1 + 4;
    /** The compact record ({@link #FORMAT_COMPACT}). */
    public static final byte FORMAT_COMPACT = 2;
    /** Format 2: where the timestamp is. */
    public static final int COMPACT_TIMESTAMP_OFFSET = 4;
    /** Format 2: where the key's length is; the key follows it. */
    public static final int COMPACT_KEY_LENGTH_OFFSET = 12;
    /**
     * Format 2: flags bit 1, the record carries a reverted index after its version. Reserved in both formats: a
     * caller's record flags may not set it.
     */
    public static final int FLAG_REVERTED_INDEX = 2;
    /** Format 2: the smallest record (empty key, empty agent id, a one-byte version, no value). */
    public static final int COMPACT_MIN_LENGTH = COMPACT_KEY_LENGTH_OFFSET + 2 + 1 + 1;
    /** Longest agent id a record can carry (its length is one byte). */
    public static final int MAX_AGENT_BYTES = 255;

    /** The most bytes one record can take with keys of at most {@code maxKeyBytes} and values of at most {@code maxValueBytes}. */
    public static long maxLength(final int maxKeyBytes, final int maxValueBytes) {
        return MIN_LENGTH + 3L * maxKeyBytes + MAX_AGENT_BYTES + maxValueBytes;
    }

    /** The bytes of a format 2 record of these fields (a value of {@code valueBytes}, no reverted index). */
    public static int compactLength(final int keyBytes, final int agentBytes, final int valueBytes, final long version) {
        return COMPACT_KEY_LENGTH_OFFSET + 2 + keyBytes + 1 + agentBytes + varintLength(zigzag(version)) + valueBytes;
    }

    /** Zigzag encoding: small negative and positive numbers become small unsigned ones (-1 is 1, 1 is 2). */
    public static long zigzag(final long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unzigzag(final long u) {
        return (u >>> 1) ^ -(u & 1);
    }

    /** Bytes of the unsigned LEB128 encoding of {@code u}: 7 bits a byte. */
    public static int varintLength(final long u) {
        return u == 0 ? 1 : (63 - Long.numberOfLeadingZeros(u)) / 7 + 1;
    }

    /**
     * Writes format 2's version at {@code at}: {@code v} zigzag-encoded, then LEB128 (seven bits a byte, low first, the
     * high bit set on every byte but the last). Returns the offset after it.
     */
    public static int putVersion(final org.agrona.MutableDirectBuffer b, final int at, final long v) {
        int n = at;
        long u = zigzag(v);
        while ((u & ~0x7FL) != 0) {
            b.putByte(n++, (byte) (u | 0x80));
            u >>>= 7;
        }
        b.putByte(n++, (byte) u);
        return n;
    }

    private RecordDescriptor() {
    }
}
