package io.slate.shm;

/**
 * Layout of one journal record: the payload of one Chronicle Queue document, written by
 * {@link ChronicleJournal#append} and read by {@link RecordView}. Little-endian.
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

    private RecordDescriptor() {
    }
}
