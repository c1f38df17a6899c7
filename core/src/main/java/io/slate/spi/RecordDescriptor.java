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
 * stored in the payload. A reader accepts only magic 0x53 and format 1: anything else is reported as a foreign record
 * with its index, never interpreted.
 */
public final class RecordDescriptor {
    public static final byte MAGIC = 0x53;
    public static final byte FORMAT = 1;
    public static final int HEADER_LENGTH = 28;
    public static final int FLAG_REMOVED = 1;
    public static final int OP_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int VERSION_OFFSET = 4;
    public static final int TIMESTAMP_OFFSET = 12;
    public static final int REVERTED_INDEX_OFFSET = 20;
    public static final int KEY_LENGTH_OFFSET = HEADER_LENGTH;
    public static final int KEY_OFFSET = KEY_LENGTH_OFFSET + 2;
    /** The smallest record: header, empty key, empty agent id, value length. */
    public static final int MIN_LENGTH = KEY_OFFSET + 1 + 4;
    /** Longest agent id a record can carry (its length is one byte). */
    public static final int MAX_AGENT_BYTES = 255;

    /** The most bytes one record can take with keys of at most {@code maxKeyBytes} and values of at most {@code maxValueBytes}. */
    public static long maxLength(final int maxKeyBytes, final int maxValueBytes) {
        return MIN_LENGTH + 3L * maxKeyBytes + MAX_AGENT_BYTES + maxValueBytes;
    }

    private RecordDescriptor() {
    }
}
