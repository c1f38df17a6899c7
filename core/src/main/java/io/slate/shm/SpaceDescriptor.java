package io.slate.shm;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Layout of {@code space.slate}, the header of a space: format version, sizing chosen at creation, and a few
 * space-wide counters. The file is {@link #LENGTH} bytes; integers are in native (little-endian) order.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                    magic "SLATESPC" (8 bytes)                 |
 *  +---------------------------------------------------------------+  8
 *  |         format major          |         format minor          |
 *  +---------------------------------------------------------------+ 16
 *  |    ready (0 creating, 1 ready)|     journal roll cycle        |
 *  +---------------------------------------------------------------+ 24
 *  |                  created (epoch millis, 8 bytes)              |
 *  +---------------------------------------------------------------+ 32
 *  |                  max entries (8 bytes)                        |
 *  +---------------------------------------------------------------+ 40
 *  |      average key bytes        |     average value bytes       |
 *  +---------------------------------------------------------------+ 48
 *  |        max key bytes          |       max value bytes         |
 *  +---------------------------------------------------------------+ 56
 *  |          max agents           |        retain cycles          |
 *  +---------------------------------------------------------------+ 64
 *  |      flags (1: group shared)  |        (reserved)             |
 *  +---------------------------------------------------------------+ 72
 *  |     retain bytes (8 bytes; 0: no size limit; format 1.1)      |
 *  +---------------------------------------------------------------+ 80
 *  | journal epoch, epoch millis (8 bytes; 0 before format 1.2)    |
 *  +---------------------------------------------------------------+ 88 .. 128 reserved
 *  +---------------------------------------------------------------+ 128
 *  |       agent sequence (8 bytes, own cache line, CAS)           |
 *  +---------------------------------------------------------------+ 192
 *  |  first retained cycle (8 bytes, raised by retention, CAS-max) |
 *  +---------------------------------------------------------------+ 256
 *  |  archive dir length  |  archive dir, UTF-8 (up to 1020 bytes) |
 *  +---------------------------------------------------------------+ 1280 .. 4096 reserved
 * </pre>
 *
 * <p>Creation writes every field, then the ready word last with a release store; an opener that finds ready = 0
 * while holding the creation lock knows the creator died and starts over. An opener rejects another format major.
 */
public final class SpaceDescriptor {
    public static final String FILE_NAME = "space.slate";
    public static final String LOCK_FILE_NAME = ".lock";
    public static final String MAP_FILE_NAME = "kv.cm3";
    public static final String JOURNAL_DIR_NAME = "journal";
    public static final String AGENTS_FILE_NAME = "agents.slate";
    public static final String TAILERS_FILE_NAME = "tailers.slate";

    public static final long MAGIC = 0x4350_5345_5441_4C53L; // "SLATESPC" little-endian
    public static final int FORMAT_MAJOR = 1;
    /**
     * 3: the key/value map of a space created in format 1.3 keeps no Chronicle Map entry checksums (its header says
     * {@code checksumEntries: false}); a space of an earlier minor keeps them, and is opened and written as before.
     */
    public static final int FORMAT_MINOR = 4;
    /**
     * 4: the journal of a space created in format 1.4 is written in the compact record format (record format 2, see
     * {@link io.slate.spi.RecordDescriptor}); a space of an earlier minor keeps writing format 1. A build before 1.4
     * opens a 1.4 space but reports its records as foreign ("record format 2 is not one this build reads").
     */
    public static final int COMPACT_RECORDS_MINOR = 4;
    public static final int LENGTH = 4096;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_MAJOR_OFFSET = 8;
    public static final int FORMAT_MINOR_OFFSET = 12;
    public static final int READY_OFFSET = 16;
    public static final int ROLL_CYCLE_OFFSET = 20;
    public static final int CREATED_MILLIS_OFFSET = 24;
    public static final int MAX_ENTRIES_OFFSET = 32;
    public static final int AVG_KEY_OFFSET = 40;
    public static final int AVG_VALUE_OFFSET = 44;
    public static final int MAX_KEY_OFFSET = 48;
    public static final int MAX_VALUE_OFFSET = 52;
    public static final int MAX_AGENTS_OFFSET = 56;
    public static final int RETAIN_CYCLES_OFFSET = 60;
    public static final int FLAGS_OFFSET = 64;
    /** Added in format 1.1; a 1.0 space has zero here, which means no size limit (what it was created with). */
    public static final int RETAIN_BYTES_OFFSET = 72;
    /**
     * Added in format 1.2: the instant the journal's cycles count from (midnight UTC of the day the space was
     * created), so that journal indices ({@code cycle << 32 | sequence}) stay small: below 2^53 for about twenty
     * years of five-minute cycles, where counting from 1970 they would already pass it. Clients in languages whose
     * numbers are doubles (JavaScript) read indices and tuple ids exactly. A space of format 1.0/1.1 has zero here,
     * which is the epoch it was created with.
     */
    public static final int JOURNAL_EPOCH_OFFSET = 80;
    public static final int AGENT_SEQUENCE_OFFSET = 128;
    public static final int FIRST_RETAINED_CYCLE_OFFSET = 192;
    public static final int ARCHIVE_LENGTH_OFFSET = 256;
    public static final int ARCHIVE_OFFSET = 260;
    public static final int ARCHIVE_MAX_BYTES = 1020;

    public static final int FLAG_GROUP_SHARED = 1;
    public static final int READY = 1;

    private SpaceDescriptor() {
    }

    public static String archiveDirectory(final UnsafeBuffer b) {
        final int len = b.getInt(ARCHIVE_LENGTH_OFFSET);
        if (len <= 0 || len > ARCHIVE_MAX_BYTES) {
            return null;
        }
        final byte[] bytes = new byte[len];
        b.getBytes(ARCHIVE_OFFSET, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static void archiveDirectory(final UnsafeBuffer b, final String dir) {
        if (dir == null) {
            b.putInt(ARCHIVE_LENGTH_OFFSET, 0);
            return;
        }
        final byte[] bytes = dir.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > ARCHIVE_MAX_BYTES) {
            throw new IllegalArgumentException("archive directory path is " + bytes.length + " bytes, at most " + ARCHIVE_MAX_BYTES + ": " + dir);
        }
        b.putBytes(ARCHIVE_OFFSET, bytes);
        b.putInt(ARCHIVE_LENGTH_OFFSET, bytes.length);
    }
}
