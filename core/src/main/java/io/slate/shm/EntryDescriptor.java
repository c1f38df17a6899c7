package io.slate.shm;

/**
 * Layout of a value stored in the Chronicle Map file: our header, then the user's value. Little-endian.
 *
 * <pre>
 *  +---------------------------------------------------------------+  0
 *  |                    version (8 bytes)                          |
 *  +---------------------------------------------------------------+  8
 *  |                 timestamp, epoch nanos (8 bytes)              |
 *  +---------------------------------------------------------------+ 16
 *  |       journal index of the record that wrote it (8 bytes)     |
 *  +---------------+---------------+-------------------------------+ 24
 *  | flags         | agent len (1) | agent id, UTF-8 ...           |
 *  +---------------+---------------+-------------------------------+ 26 + agent len
 *  |  value bytes, to the end of the map value                     |
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: bit 0 = tombstone (the key was removed; the value is empty, the version still counts).
 */
public final class EntryDescriptor {
    public static final int VERSION_OFFSET = 0;
    public static final int TIMESTAMP_OFFSET = 8;
    public static final int INDEX_OFFSET = 16;
    public static final int FLAGS_OFFSET = 24;
    public static final int AGENT_LENGTH_OFFSET = 25;
    public static final int AGENT_OFFSET = 26;
    public static final int FLAG_TOMBSTONE = 1;

    private EntryDescriptor() {
    }
}
