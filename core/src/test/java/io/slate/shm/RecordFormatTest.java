package io.slate.shm;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordDescriptor;
import io.slate.testing.TestSpaces;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal records in format 2 (a space created in space format 1.4): every field reads back as written, in fewer bytes
 * than format 1; a space of an earlier minor goes on writing format 1, which reads back the same; and a damaged format 2
 * record is reported, never read past its end.
 */
@Timeout(60)
class RecordFormatTest {
    private final Path dir = TestSpaces.newDirectory("record-format");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    /** Format byte and length of every document in the journal, in order. */
    private static List<int[]> documents(final Space s) {
        final List<int[]> docs = new ArrayList<>();
        try (ExcerptTailer t = ((ChronicleSpace) s).queue().createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (dc.isMetaData()) {
                        continue;
                    }
                    final net.openhft.chronicle.bytes.Bytes<?> b = dc.wire().bytes();
                    docs.add(new int[] {b.readByte(b.readPosition() + 1), (int) b.readRemaining()});
                }
            }
        }
        return docs;
    }

    /** Writes one record of each shape and reads every field back: through the journal, the map and a reopened space. */
    private void writeAndReadBack(final int expectedFormat) {
        final byte[] v = "value-bytes".getBytes(StandardCharsets.UTF_8);
        final long first;
        final long big = Long.MAX_VALUE - 1;
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("fmt-agent"))) {
            final ChronicleJournal j = ((ChronicleSpace) s).chronicleJournal();
            s.kv().put("k\u00e9y", v);
            first = s.journal().lastIndex();
            s.kv().put("k\u00e9y", new byte[0]);
            s.kv().remove("k\u00e9y");
            j.append(Op.COUNTER_ADD, 0, big, "counter", v, 0, v.length);
            j.append(Op.COUNTER_ADD, 0, -5, "counter", v, 0, 3);
            // a REVERT as the key/value store writes one: the key's state, and the index it undoes
            final WriterContext w = ((ChronicleSpace) s).chronicleKv().writer();
            final byte[] key = "gone".getBytes(StandardCharsets.UTF_8);
            j.append(w, Op.REVERT, RecordDescriptor.FLAG_REMOVED, -1, 77L, first, key, key.length, new byte[0], new byte[0], 0, 0);
            for (int[] d : documents(s)) {
                assertEquals(expectedFormat, d[0]);
            }
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("reader"))) {
            final List<JournalRecord> got = new ArrayList<>();
            final List<String> shown = new ArrayList<>();
            try (Tailer t = s.journal().tailerFromIndex(first)) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.NANOSECONDS)) != null) {
                    shown.add(r.op().label() + " " + r.key() + " v" + r.version() + " removed " + r.removed() + " agent " + r.agent()
                            + " value " + new String(r.valueCopy(), StandardCharsets.UTF_8) + " reverts " + r.revertedIndex()
                            + " at " + (r.timestampNanos() > 0));
                    got.add(r);
                }
            }
            assertEquals(List.of(
                    "put k\u00e9y v1 removed false agent fmt-agent value value-bytes reverts -1 at true",
                    "put k\u00e9y v2 removed false agent fmt-agent value  reverts -1 at true",
                    "remove k\u00e9y v3 removed true agent fmt-agent value  reverts -1 at true",
                    "counter-add counter v" + big + " removed false agent fmt-agent value value-bytes reverts -1 at true",
                    "counter-add counter v-5 removed false agent fmt-agent value val reverts -1 at true",
                    "revert gone v-1 removed true agent  value  reverts " + first + " at true"), shown);
            final Entry e = ((ChronicleSpace) s).chronicleKv().getIncludingRemoved("k\u00e9y");
            assertEquals(3, e.version());
            assertTrue(e.isRemoved());
        }
    }

    @Test
    void aNewSpaceWritesFormat2AndReadsEveryFieldBack() {
        writeAndReadBack(RecordDescriptor.FORMAT_COMPACT);
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            // the same record in format 1 would be 35 bytes of fixed fields: format 2 takes 12 (version 1 in one byte)
            final List<int[]> docs = documents(s);
            final int keyBytes = "k\u00e9y".getBytes(StandardCharsets.UTF_8).length;
            assertEquals(RecordDescriptor.compactLength(keyBytes, "fmt-agent".length(), "value-bytes".length(), 1), docs.get(0)[1]);
            assertEquals(RecordDescriptor.MIN_LENGTH + keyBytes + "fmt-agent".length() + "value-bytes".length() - 19, docs.get(0)[1]);
        }
    }

    @Test
    void aCallerCannotSetTheJournalsOwnFlag() {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            final ChronicleJournal j = ((ChronicleSpace) s).chronicleJournal();
            final byte[] v = {1, 2, 3};
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> j.append(Op.COUNTER_ADD, RecordDescriptor.FLAG_REVERTED_INDEX, 1, "c", v, 0, v.length));
            assertTrue(e.getMessage().contains("bit 1 is the journal's own"), e.getMessage());
            assertEquals(-1, s.journal().lastIndex(), "nothing was appended");
        }
    }

    @Test
    void aSpaceOfAnEarlierMinorKeepsWritingFormat1() throws Exception {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            assertEquals(SpaceDescriptor.FORMAT_MINOR, s.stats().formatMinor());
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(SpaceDescriptor.FILE_NAME), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 3), SpaceDescriptor.FORMAT_MINOR_OFFSET);
        }
        writeAndReadBack(RecordDescriptor.FORMAT);
    }

    @Test
    void aDamagedFormat2RecordIsReportedNotReadPastItsEnd() {
        final LogRecord r = new LogRecord();
        // key "k", agent "a", version 1, value "xy"
        final byte[] good = {0x53, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'k', 1, 'a', 2, 'x', 'y'};
        assertNull(r.wrap(7, new UnsafeBuffer(good), 0, good.length));
        assertEquals(1, r.version());
        assertEquals(2, r.valueLength());
        assertEquals(-1, r.revertedIndex());
        assertArrayEquals(new byte[] {'x', 'y'}, new byte[] {good[r.valueOffset()], good[r.valueOffset() + 1]});
        // the version's varint runs off the end
        final byte[] unended = {0x53, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 'k', 1, 'a', (byte) 0x80, (byte) 0x80};
        assertEquals("record ends inside its version", r.wrap(7, new UnsafeBuffer(unended), 0, unended.length));
        // eleven bytes of version: more than 64 bits
        final byte[] tooLong = new byte[28];
        System.arraycopy(good, 0, tooLong, 0, 17);
        for (int i = 17; i < 27; i++) {
            tooLong[i] = (byte) 0xFF;
        }
        assertEquals("version does not fit in 64 bits", r.wrap(7, new UnsafeBuffer(tooLong), 0, tooLong.length));
        // flagged as carrying a reverted index it does not have room for
        final byte[] noRevert = good.clone();
        noRevert[3] = RecordDescriptor.FLAG_REVERTED_INDEX;
        assertEquals("record ends before its reverted index", r.wrap(7, new UnsafeBuffer(noRevert), 0, noRevert.length));
        // an agent id longer than the record
        final byte[] agent = good.clone();
        agent[15] = 9;
        assertEquals("text field of 9 bytes exceeds the record", r.wrap(7, new UnsafeBuffer(agent), 0, agent.length));
        // a format this build does not know
        final byte[] three = good.clone();
        three[1] = 3;
        assertEquals("record format 3 is not one this build reads (1 or 2)", r.wrap(7, new UnsafeBuffer(three), 0, three.length));
    }

    @Test
    void versionsRoundTripThroughTheVarint() {
        final long[] versions = {0, 1, -1, 63, 64, -64, -65, 127, 128, 1L << 35, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long v : versions) {
            final byte[] rec = new byte[64];
            final UnsafeBuffer b = new UnsafeBuffer(rec);
            b.putByte(0, RecordDescriptor.MAGIC);
            b.putByte(1, RecordDescriptor.FORMAT_COMPACT);
            b.putByte(2, (byte) 1);
            b.putShort(12, (short) 0, ByteOrder.LITTLE_ENDIAN);
            final int n = RecordDescriptor.putVersion(b, 15, v); // after an empty key and an empty agent
            if (v == -1) {
                assertEquals(16, n);
                assertEquals(0x01, rec[15]); // zigzag(-1) = 1
            } else if (v == 64) {
                assertEquals(17, n);
                assertEquals((byte) 0x80, rec[15]); // zigzag(64) = 128: low seven bits 0, more to come
                assertEquals(0x01, rec[16]);
            }
            assertEquals(RecordDescriptor.compactLength(0, 0, 0, v), n, "length of " + v);
            final LogRecord r = new LogRecord();
            assertNull(r.wrap(0, b, 0, n));
            assertEquals(v, r.version());
            assertEquals(0, r.valueLength());
        }
    }

    /**
     * A version followed by a value (its varint then read as one word when eight bytes remain) reads back the same at
     * every varint length, one to ten bytes (the eight-byte boundary at 2^55 included), wherever the record starts in
     * its buffer; and the value is what follows the varint.
     */
    @Test
    void versionsFollowedByAValueRoundTrip() {
        final long[] versions = {0, 1, -1, 63, 64, 8191, 8192, (1L << 27) - 1, 1L << 27, (1L << 48) + 5, (1L << 55) - 1, 1L << 55,
                -(1L << 55), -(1L << 55) - 1, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long v : versions) {
            for (int at : new int[] {0, 3}) {
                final byte[] rec = new byte[96];
                final UnsafeBuffer b = new UnsafeBuffer(rec);
                b.putByte(at, RecordDescriptor.MAGIC);
                b.putByte(at + 1, RecordDescriptor.FORMAT_COMPACT);
                b.putByte(at + 2, (byte) 1);
                b.putShort(at + 12, (short) 1, ByteOrder.LITTLE_ENDIAN);
                b.putByte(at + 14, (byte) 'k');
                b.putByte(at + 15, (byte) 0); // an empty agent id
                int n = RecordDescriptor.putVersion(b, at + 16, v);
                for (int i = 0; i < 9; i++) {
                    rec[n++] = (byte) ('a' + i);
                }
                final LogRecord r = new LogRecord();
                assertNull(r.wrap(0, b, at, n - at), "version " + v + " at " + at);
                assertEquals(v, r.version(), "version " + v + " at " + at);
                assertEquals(9, r.valueLength(), "version " + v + " at " + at);
                assertEquals('a', rec[r.valueOffset()]);
                assertTrue(r.keyEquals(new byte[] {'k'}) && !r.keyEquals(new byte[] {'j'}) && !r.keyEquals(new byte[] {'k', 'a'}));
            }
        }
    }

    /**
     * {@code LogRecord.keyEquals} compares the same over a buffer that wraps part of an array (its index not the
     * array's), over one that wraps a whole array, and over one that wraps no array (direct memory).
     */
    @Test
    void keyEqualsIsTheSameOverEveryKindOfBuffer() {
        final byte[] good = {0x53, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 'k', 'e', 'y', 1, 'a', 2, 'x', 'y'};
        final byte[] padded = new byte[good.length + 5];
        System.arraycopy(good, 0, padded, 5, good.length);
        final ByteBuffer direct = ByteBuffer.allocateDirect(good.length);
        direct.put(good);
        final UnsafeBuffer[] buffers = {new UnsafeBuffer(good), new UnsafeBuffer(padded, 5, good.length), new UnsafeBuffer(direct)};
        for (UnsafeBuffer b : buffers) {
            final LogRecord r = new LogRecord();
            assertNull(r.wrap(1, b, 0, good.length));
            assertTrue(r.keyEquals("key".getBytes(StandardCharsets.UTF_8)));
            assertTrue(r.keyEquals("keyz".getBytes(StandardCharsets.UTF_8), 3), "the first three bytes");
            assertTrue(!r.keyEquals("kez".getBytes(StandardCharsets.UTF_8)) && !r.keyEquals("ke".getBytes(StandardCharsets.UTF_8))
                    && !r.keyEquals(new byte[0]) && !r.keyEquals("keyz".getBytes(StandardCharsets.UTF_8)));
        }
    }
}
