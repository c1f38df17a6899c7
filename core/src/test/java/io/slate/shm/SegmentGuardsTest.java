package io.slate.shm;

import io.slate.internal.Utf8;
import io.slate.shm.sync.SyncDescriptor;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The segment guards' own rules: a key's segment is Chronicle Map's, and a dead waiting writer does not stall readers. */
class SegmentGuardsTest {
    private final Path dir = TestSpaces.newDirectory("guards");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void theSegmentOfAKeyIsChronicleMapsSegment() {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            final ChronicleSpace cs = (ChronicleSpace) s;
            final SegmentGuards g = cs.chronicleKv().guards();
            final Random random = new Random(7);
            final byte[] utf8 = new byte[4 * 64];
            for (int i = 0; i < 20_000; i++) {
                final StringBuilder key = RandomKeys.next(random);
                final int n = Utf8.encode(key, utf8);
                try (ExternalMapQueryContext<CharSequence, ?, ?> c = cs.map().queryContext(key)) {
                    assertEquals(c.segmentIndex(), g.segmentOf(key, utf8, n), key::toString);
                }
            }
            // end to end: the write path checks the segment against Chronicle Map's on every write
            assertEquals(1, s.kv().putString("mood/\uD83D\uDE00/\u00E9t\u00E9", "ok"));
            assertEquals("ok", new String(s.kv().get("mood/\uD83D\uDE00/\u00E9t\u00E9").value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aWaitingWriterThatDiedIsClearedByTheNextReader() {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            s.kv().putString("k", "v");
            final SegmentGuards g = ((ChronicleSpace) s).chronicleKv().guards();
            final byte[] utf8 = "k".getBytes(StandardCharsets.UTF_8);
            final int waiting = SegmentGuards.HEADER_LENGTH + g.segmentOf("k", utf8, utf8.length) * SegmentGuards.SLOT_LENGTH
                    + SegmentGuards.WAITING_WRITER_OFFSET;
            // incarnation 1,000,000 in slot 3: no agent of this space has it, so it names a dead agent
            g.buffer().putLongVolatile(waiting, SyncDescriptor.ownerWord(1_000_000, 3));
            assertNotNull(s.kv().get("k"));
            assertEquals(0, g.buffer().getLongVolatile(waiting), "the dead writer's word was cleared");
            assertEquals(2, s.kv().putString("k", "w"));
        }
    }

    /** A thread that read a key keeps what it read only until another thread writes the key's segment. */
    @Test
    void aReaderThatKeptAnEntrySeesAnotherThreadsWrite() throws Exception {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            s.kv().putString("k", "one");
            final java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                assertEquals("one", reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals("one", reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(2, s.kv().putString("k", "two"));
                assertEquals("two", reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(3, s.kv().remove("k"));
                assertEquals(null, reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
            } finally {
                reader.shutdownNow();
            }
        }
    }

    /**
     * A repair changes the map like a write: a reader that kept the key's entry from before the dead writer's write
     * must read the repaired entry. (The dead writer: a committed record of the key's next version, the segment's
     * guard held by a dead agent's word with that record pending; another thread takes the guard over and repairs.)
     */
    @Test
    void aReaderThatKeptAnEntrySeesTheRepairOfADeadWritersWrite() throws Exception {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            s.kv().putString("k", "before");
            final ChronicleSpace cs = (ChronicleSpace) s;
            final SegmentGuards g = cs.chronicleKv().guards();
            final java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                assertEquals("before", reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals("before", reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
                final byte[] utf8 = "k".getBytes(StandardCharsets.UTF_8);
                final int slot = SegmentGuards.HEADER_LENGTH + g.segmentOf("k", utf8, utf8.length) * SegmentGuards.SLOT_LENGTH;
                final byte[] value = "dead writer's".getBytes(StandardCharsets.UTF_8);
                final long index = cs.chronicleJournal().append(io.slate.journal.Op.PUT, 0, 2, "k", value, 0, value.length);
                g.buffer().putLongVolatile(slot + SegmentGuards.PENDING_OFFSET, index);
                g.buffer().putLongVolatile(slot + SegmentGuards.OWNER_OFFSET, SyncDescriptor.ownerWord(1_000_000, 3));
                assertEquals("dead writer's", text(s, "k"), "this thread took the guard over and repaired");
                assertEquals(1, g.repairs());
                assertEquals("dead writer's", reader.submit(() -> text(s, "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
            } finally {
                reader.shutdownNow();
            }
        }
    }

    /**
     * A guards file of format 1 (made by a build whose writers do not count their writes) is used as before: every
     * read takes the guard. One of a format this build does not know is refused, naming the file.
     */
    @Test
    void formatOneGuardsAreReadWithoutKeepingAndUnknownFormatsAreRefused() throws Exception {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            s.kv().putString("k", "v");
        }
        final Path file = dir.resolve(SegmentGuards.FILE_NAME);
        setMajor(file, 1);
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            final SegmentGuards g = ((ChronicleSpace) s).chronicleKv().guards();
            assertEquals(false, g.countsWrites());
            assertEquals("v", text(s, "k"));
            assertEquals(2, s.kv().putString("k", "w"));
            assertEquals("w", text(s, "k"));
        }
        setMajor(file, 3);
        final io.slate.space.IncompatibleFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.slate.space.IncompatibleFormatException.class, () -> {
                    try (Space s = Space.open(SpaceOptions.at(dir))) {
                        s.kv().get("k");
                    }
                });
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(SegmentGuards.FILE_NAME)
                && e.getMessage().contains("format 3.0"), e.getMessage());
    }

    private static String text(final Space s, final String key) {
        final io.slate.kv.Entry e = s.kv().get(key);
        return e == null ? null : new String(e.value(), StandardCharsets.UTF_8);
    }

    private static void setMajor(final Path file, final int major) throws java.io.IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(0, major);
            ch.write(b, SegmentGuards.FORMAT_MAJOR_OFFSET);
        }
    }

    /**
     * What a process killed inside Chronicle Map's insert can leave: the tier's entry counter one ahead of its entries
     * (Chronicle Map's iteration then fails with "Size diverged"). The survivor that takes the guard over from the dead
     * owner sets the counter to the entries there are, and iteration and verify work again.
     */
    @Test
    void aDeadOwnersHalfDoneInsertIsRepairedBeforeTheSegmentIsUsed() {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            for (int i = 0; i < 200; i++) {
                s.kv().putString("key-" + i, "v" + i);
            }
            final ChronicleSpace cs = (ChronicleSpace) s;
            final SegmentGuards g = cs.chronicleKv().guards();
            final byte[] utf8 = "key-7".getBytes(StandardCharsets.UTF_8);
            final int segment = g.segmentOf("key-7", utf8, utf8.length);
            final long header = ((net.openhft.chronicle.hash.impl.VanillaChronicleHash<?, ?, ?, ?>) cs.map()).segmentHeaderAddress(segment);
            final net.openhft.chronicle.hash.impl.BigSegmentHeader h = net.openhft.chronicle.hash.impl.BigSegmentHeader.INSTANCE;
            // the dead process counted an entry it never linked, and still holds the segment's guard and write lock
            h.entries(header, h.entries(header) + 1);
            h.writeLock(header);
            g.buffer().putLongVolatile(SegmentGuards.HEADER_LENGTH + segment * SegmentGuards.SLOT_LENGTH, SyncDescriptor.ownerWord(1_000_000, 3));
            final long[] live = {0};
            s.kv().forEach(e -> live[0]++);
            assertEquals(200, live[0]);
            assertEquals(1, g.repairs());
            assertEquals(1, g.structureRepairs(), "the entry counter was set back to the entries there are");
            assertEquals(true, s.journal().verify().ok());
            assertEquals(2, s.kv().putString("key-7", "again"));
        }
    }
}
