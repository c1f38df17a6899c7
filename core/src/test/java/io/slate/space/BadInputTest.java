package io.slate.space;

import io.slate.agent.AgentInfo;
import io.slate.shm.SpaceDescriptor;
import io.slate.kv.KeyValue;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input gets a clear error naming the thing and the problem, and loses nothing acknowledged before. */
class BadInputTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final io.slate.testing.Processes processes = new io.slate.testing.Processes();

    private static void assertMessage(final Throwable t, final String... parts) {
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "message '" + t.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void directoryThatIsNotASpace() throws IOException {
        final Path d = processes.dir("foreign");
        Files.createDirectories(d);
        Files.writeString(d.resolve("notes.txt"), "hello");
        final NotASpaceException e = assertThrows(NotASpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, d.toString(), "not a Slate space");
        assertEquals("hello", Files.readString(d.resolve("notes.txt")), "a foreign directory is left as it was");
        assertTrue(!Files.exists(d.resolve(".lock")), "not even a lock file is left in it");
        assertTrue(!Space.exists(d));
    }

    @Test
    void fileWhereTheSpaceShouldBe() throws IOException {
        final Path d = processes.dir("file");
        Files.createDirectories(d.getParent());
        Files.writeString(d, "x");
        final SpaceException e = assertThrows(SpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, d.toString());
        Files.delete(d);
    }

    @Test
    void headerOfAnotherKind() throws IOException {
        final Path d = processes.dir("badmagic");
        Files.createDirectories(d);
        Files.write(d.resolve(SpaceDescriptor.FILE_NAME), new byte[4096]);
        final NotASpaceException e = assertThrows(NotASpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, SpaceDescriptor.FILE_NAME, "bad magic");
    }

    @Test
    void formatVersionFromTheFuture() throws IOException {
        final Path d = processes.dir("future");
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("keep", "me");
        }
        setHeaderInt(d, SpaceDescriptor.FORMAT_MAJOR_OFFSET, 99);
        final IncompatibleFormatException e = assertThrows(IncompatibleFormatException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, "format version 99." + SpaceDescriptor.FORMAT_MINOR, "reads format 1");
        setHeaderInt(d, SpaceDescriptor.FORMAT_MAJOR_OFFSET, SpaceDescriptor.FORMAT_MAJOR);
        try (Space s = Space.open(SpaceOptions.at(d))) {
            assertEquals("me", s.kv().get("keep").valueAsString(), "nothing was lost by the refused open");
        }
    }

    @Test
    void truncatedFiles() throws IOException {
        final Path d = processes.dir("trunc");
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("k", "v");
        }
        truncate(d.resolve(SpaceDescriptor.AGENTS_FILE_NAME), 100);
        final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, SpaceDescriptor.AGENTS_FILE_NAME, "truncated");

        truncate(d.resolve(SpaceDescriptor.FILE_NAME), 8);
        final CorruptSpaceException h = assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(h, SpaceDescriptor.FILE_NAME, "truncated");
    }

    @Test
    void interruptedCreationIsRedone() throws IOException {
        final Path d = processes.dir("halfmade");
        try (Space s = Space.open(SpaceOptions.at(d).agentId("first"))) {
            assertEquals(1, s.agents().size());
        }
        // as if the creator died before publishing "ready": it made every file, but no record can have been journaled
        setHeaderInt(d, SpaceDescriptor.READY_OFFSET, 0);
        try (Space s = Space.open(SpaceOptions.at(d).agentId("second"))) {
            assertEquals(List.of("second"), s.agents().stream().map(AgentInfo::id).toList(), "an unfinished space is created afresh");
            assertEquals(1, s.kv().putString("k", "v"));
        }
    }

    @Test
    void damagedReadyWordDoesNotWipeRecords() throws IOException {
        final Path d = processes.dir("notready");
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("keep", "me");
        }
        // records are journaled only once a space is ready: a ready word of 0 beside records is damage, not a dead creator
        setHeaderInt(d, SpaceDescriptor.READY_OFFSET, 0);
        final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, SpaceDescriptor.FILE_NAME, "never finished", "journal holds records", "not wiping");
        setHeaderInt(d, SpaceDescriptor.READY_OFFSET, SpaceDescriptor.READY);
        try (Space s = Space.open(SpaceOptions.at(d))) {
            assertEquals("me", s.kv().get("keep").valueAsString(), "nothing was wiped");
        }
    }

    @Test
    void impossibleHeaderSettings() throws IOException {
        final Path d = processes.dir("settings");
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("keep", "me");
        }
        setHeaderInt(d, SpaceDescriptor.MAX_AGENTS_OFFSET, -7);
        final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d)));
        assertMessage(e, SpaceDescriptor.FILE_NAME, "impossible setting", "maxAgents", "-7");
        setHeaderInt(d, SpaceDescriptor.MAX_AGENTS_OFFSET, SpaceOptions.DEFAULT_MAX_AGENTS);
        setHeaderInt(d, SpaceDescriptor.ROLL_CYCLE_OFFSET, 99);
        assertMessage(assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d))), "unknown journal roll cycle 99");
    }

    @Test
    void symbolicLinksAreRefused() throws IOException {
        final Path d = processes.dir("links");
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("k", "v");
        }
        final Path agents = d.resolve(SpaceDescriptor.AGENTS_FILE_NAME);
        final Path elsewhere = d.resolveSibling(d.getFileName() + "-elsewhere");
        Files.move(agents, elsewhere);
        try {
            Files.createSymbolicLink(agents, elsewhere);
            final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d)));
            assertMessage(e, SpaceDescriptor.AGENTS_FILE_NAME, "symbolic link");
        } finally {
            Files.deleteIfExists(elsewhere);
        }
        final Path link = processes.dir("link-to-space");
        Files.createSymbolicLink(link, d);
        assertMessage(assertThrows(NotASpaceException.class, () -> Space.open(SpaceOptions.at(link))), link.toString(), "symbolic link");
        Files.delete(link);
    }

    @Test
    void keysAndValuesOverTheLimit() {
        final Path d = processes.dir("limits");
        try (Space s = Space.open(SpaceOptions.at(d).maxKeyBytes(16).maxValueBytes(64))) {
            final KeyValue kv = s.kv();
            kv.putString("ok", "fine");
            final IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> kv.putString("k".repeat(17), "v"));
            assertMessage(k, "kkkkkkkkkkkkkkkkk", "17 UTF-8 bytes", "at most 16", d.toString());
            final IllegalArgumentException multi = assertThrows(IllegalArgumentException.class, () -> kv.putString("é".repeat(9), "v"));
            assertMessage(multi, "18 UTF-8 bytes");
            final IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> kv.put("ok", new byte[65]));
            assertMessage(v, "'ok'", "65 bytes", "at most 64");
            assertThrows(IllegalArgumentException.class, () -> kv.putString("", "v"));
            final IllegalArgumentException read = assertThrows(IllegalArgumentException.class, () -> kv.get("k".repeat(17)));
            assertMessage(read, "at most 16");
            final IllegalArgumentException lone = assertThrows(IllegalArgumentException.class, () -> kv.putString("a\uD800", "v"));
            assertMessage(lone, "unpaired surrogate");
            assertThrows(IllegalArgumentException.class, () -> kv.compareAndSet("ok", -5, new byte[1]));
            assertEquals("fine", kv.get("ok").valueAsString());
            assertEquals(1, kv.version("ok"), "refused writes changed nothing");
            assertEquals(1, s.stats().journalRecords(), "and journaled nothing");
        }
    }

    @Test
    void mapFullIsAClearErrorAndKeepsEverything() {
        final Path d = processes.dir("full");
        try (Space s = Space.open(SpaceOptions.at(d).maxEntries(50))) {
            final KeyValue kv = s.kv();
            for (int i = 0; i < 50; i++) {
                kv.putLong("key" + i, i);
            }
            final SpaceFullException e = assertThrows(SpaceFullException.class, () -> kv.putLong("one-too-many", 1));
            assertMessage(e, "full", "50", "maxEntries", "one-too-many");
            assertEquals(2, kv.putLong("key3", 3), "existing keys can still be updated");
            for (int i = 0; i < 50; i++) {
                assertEquals(i, kv.get("key" + i).valueAsLong());
            }
            assertTrue(s.journal().verify().ok());
        }
    }

    @Test
    void agentIdTakenOrTooLong() {
        final Path d = processes.dir("ids");
        try (Space s = Space.open(SpaceOptions.at(d).agentId("same"))) {
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> Space.open(SpaceOptions.at(d).agentId("same")));
            assertMessage(e, "'same'", "already attached");
            final IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> Space.open(SpaceOptions.at(d).agentId("x".repeat(65))));
            assertMessage(l, "65");
            assertEquals(1, s.agents().size(), "refused agents leave no trace");
        }
    }

    @Test
    void badOptions() {
        assertThrows(IllegalArgumentException.class, () -> SpaceOptions.of(""));
        assertThrows(IllegalArgumentException.class, () -> SpaceOptions.of("x").maxEntries(0));
        assertThrows(IllegalArgumentException.class, () -> SpaceOptions.of("x").retainCycles(-1));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> SpaceOptions.of("x").maxKeyBytes(65536)), "maxKeyBytes", "1 to 65535", "65536");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> SpaceOptions.of("x").maxAgents(Integer.MAX_VALUE)), "maxAgents", "1 to 65536");
        assertEquals(Path.of("/dev/shm/slate/demo"), SpaceOptions.of("demo").directory());
        assertEquals(Path.of("/tmp/x"), SpaceOptions.of("/tmp/x").directory());
    }

    static void setHeaderInt(final Path d, final int offset, final int value) throws IOException {
        try (FileChannel ch = FileChannel.open(d.resolve(SpaceDescriptor.FILE_NAME), StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value);
            b.flip();
            ch.write(b, offset);
        }
    }

    static void truncate(final Path f, final long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
    }
}
