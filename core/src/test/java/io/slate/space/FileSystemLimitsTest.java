package io.slate.space;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.testing.ChildJvm;
import io.slate.testing.TestSpaces;
import io.slate.testing.Tmpfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Read-only and full file systems, on small tmpfs mounts of our own (skipped, with the reason, where mounting is not allowed). */
class FileSystemLimitsTest {
    private Path mountPoint;

    @BeforeEach
    void mount() throws Exception {
        mountPoint = TestSpaces.newDirectory("mnt");
        Files.createDirectories(mountPoint);
    }

    @AfterEach
    void unmount() throws Exception {
        Tmpfs.unmount(mountPoint.resolve("ro-view"));
        Tmpfs.unmount(mountPoint);
        TestSpaces.delete(mountPoint);
    }

    private static int run(final String... cmd) throws IOException, InterruptedException {
        return Tmpfs.run(cmd);
    }

    private void assumeMounted(final String size) throws Exception {
        Tmpfs.mountOrSkip(mountPoint, size);
    }

    @Test
    void readOnlyFileSystem() throws Exception {
        assumeMounted("64m");
        final Path existing = mountPoint.resolve("existing");
        try (Space s = Space.open(SpaceOptions.at(existing))) {
            s.kv().putString("k", "v");
        }
        // a read-only view of the same file system
        final Path view = mountPoint.resolve("ro-view");
        Files.createDirectories(view);
        assertEquals(0, run("mount", "--bind", mountPoint.toString(), view.toString()));
        assertEquals(0, run("mount", "-o", "remount,bind,ro", view.toString()));
        final Path fresh = view.resolve("fresh");
        final SpaceAccessException e = assertThrows(SpaceAccessException.class, () -> Space.open(SpaceOptions.at(fresh)));
        assertTrue(e.getMessage().contains(fresh.toString()) && e.getMessage().contains("read-only"), e.getMessage());
        final SpaceException e2 = assertThrows(SpaceException.class, () -> Space.open(SpaceOptions.at(view.resolve("existing"))));
        assertTrue(e2.getMessage().contains("read-only"), e2.getMessage());
        try (Space s = Space.open(SpaceOptions.at(existing))) {
            assertEquals("v", s.kv().get("k").valueAsString());
        }
    }

    @Test
    void fullFileSystemRefusesCreation() throws Exception {
        assumeMounted("64m");
        Files.write(mountPoint.resolve("filler"), new byte[40 << 20]);
        final Path space = mountPoint.resolve("s");
        final SpaceFullException e = assertThrows(SpaceFullException.class, () -> Space.open(SpaceOptions.at(space).maxEntries(1000)));
        assertTrue(e.getMessage().contains("full") && e.getMessage().contains(space.toString()), e.getMessage());
        Files.delete(mountPoint.resolve("filler"));
        try (Space s = Space.open(SpaceOptions.at(space).maxEntries(1000))) {
            assertEquals(1, s.kv().putString("k", "v"), "after room is freed the space works");
        }
    }

    /**
     * The file system fills up under the space's own writes (in a child JVM: a fault on a mapped page must not take
     * the test down). Writes are refused with a clear error while there is still room for the journal to finish what
     * it holds, every write is refused until room is freed, nothing acknowledged is lost (the map and the journal hold
     * every acknowledged write), and once a filler file is deleted, writes succeed and verify holds.
     */
    @Test
    void fullFileSystemRefusesWritesAndLosesNothing() throws Exception {
        assumeMounted("64m");
        final Path space = mountPoint.resolve("s");
        final Path filler = mountPoint.resolve("filler");
        final int valueBytes = 1000;
        final Map<String, long[]> acked = new HashMap<>();
        try (ChildJvm child = ChildJvm.start("fill", FillChild.class, space.toString(), filler.toString(), "40", Integer.toString(valueBytes))) {
            child.awaitLineStartingWith("FULL", 120, TimeUnit.SECONDS);
            Files.delete(filler);
            assertEquals(0, child.awaitExit(120, TimeUnit.SECONDS), child::stderr);
            final List<String> out = child.output();
            final String refused = line(out, "REFUSED ");
            assertTrue(refused.startsWith("REFUSED SpaceFullException " + space + ": file system is full: "), refused);
            assertTrue(refused.contains("a space needs at least " + (32 << 20)), refused);
            assertTrue(line(out, "STILL ").startsWith("STILL SpaceFullException " + space + ": file system is full"), out::toString);
            for (String l : out) {
                if (l.startsWith("ACKED ")) {
                    final String[] f = l.split(" ");
                    acked.put(f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                }
            }
            assertEquals(100, acked.size(), out::toString);
            assertEquals("AFTER 100", line(out, "AFTER "), "writes succeed once room is freed");
            assertTrue(line(out, "VERIFY ").startsWith("VERIFY true"), out::toString);
        }
        long ackedWrites = 0;
        try (Space s = Space.open(SpaceOptions.at(space))) {
            for (Map.Entry<String, long[]> a : acked.entrySet()) {
                final Entry e = s.kv().get(a.getKey());
                assertEquals(a.getValue()[0], e.version(), a.getKey());
                assertEquals(FillChild.value(a.getValue()[1], valueBytes), e.valueAsString(), a.getKey());
                ackedWrites += a.getValue()[0];
            }
            // the journal holds every acknowledged write of k0..k99, and each key's last record is its acknowledged one
            final Map<String, Long> lastInJournal = new HashMap<>();
            long records = 0;
            try (Tailer t = s.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.NANOSECONDS)) != null) {
                    if (acked.containsKey(r.key().toString())) {
                        lastInJournal.put(r.key().toString(), r.version());
                        records++;
                    }
                }
            }
            assertEquals(ackedWrites, records);
            acked.forEach((k, v) -> assertEquals(v[0], lastInJournal.get(k), k));
            assertTrue(s.journal().verify().ok());
            assertEquals(1, s.kv().putString("reopened", "yes"));
        }
        assertTrue(ackedWrites > 4096, "the writes went past at least one check of the free space: " + ackedWrites);
    }

    private static String line(final List<String> out, final String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no " + prefix + "line in " + out));
    }
}
