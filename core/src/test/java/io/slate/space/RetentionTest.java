package io.slate.space;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.SpaceDescriptor;
import io.slate.journal.Tailer;
import io.slate.testing.Tmpfs;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Old journal cycles are retired once no named tailer needs them, so /dev/shm does not fill up. */
class RetentionTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final io.slate.testing.Processes processes = new io.slate.testing.Processes();

    private static long cycleFiles(final Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    /** Writes for about {@code seconds} seconds, one put every 20 ms, so the secondly journal rolls each second. */
    private static void writeForSeconds(final Space s, final int seconds) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int i = 0;
        while (System.nanoTime() < end) {
            s.kv().putLong("tick", i++);
            Thread.sleep(20);
        }
    }

    /** {@code stats()} counts every retained record across cycles, a cycle without a file (an idle second) included. */
    @Test
    void statsCountRecordsAcrossCyclesAndGaps() throws Exception {
        final Path d = processes.dir("count");
        try (Space s = Space.open(SpaceOptions.at(d).rollCycle(JournalRollCycle.SECONDLY))) {
            long written = 0;
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 10; i++) {
                    s.kv().putLong("k" + i, round);
                    written++;
                }
                Thread.sleep(round == 0 ? 2_100 : 1_100); // the first pause leaves a cycle with no file
            }
            assertTrue(cycleFiles(d.resolve(SpaceDescriptor.JOURNAL_DIR_NAME)) >= 3);
            assertEquals(written, s.stats().journalRecords(), s.stats()::toString);
        }
    }

    @Test
    void oldCyclesAreDeletedOrArchivedButNotWhileANamedTailerNeedsThem() throws Exception {
        final Path d = processes.dir("retain");
        final Path archive = processes.dir("archive");
        try (Space s = Space.open(SpaceOptions.at(d).rollCycle(JournalRollCycle.SECONDLY).retainCycles(2).archiveDirectory(archive))) {
            final Path journal = d.resolve(SpaceDescriptor.JOURNAL_DIR_NAME);
            // a named tailer that read one record holds everything from there on
            try (Tailer t = s.journal().namedTailer("slow")) {
                s.kv().putLong("tick", -1);
                assertNotNull(t.next(1, TimeUnit.SECONDS));
                writeForSeconds(s, 4);
                assertTrue(cycleFiles(journal) >= 4, "the named tailer still needs every cycle: " + cycleFiles(journal));
                assertEquals(0, cycleFiles(archive));
                assertTrue(s.journal().verify().journalComplete());
                // it catches up: now retention may retire the old cycles
                while (t.next(0, TimeUnit.SECONDS) != null) {
                    // drain
                }
            }
            s.journal().deleteNamedTailer("slow");
            writeForSeconds(s, 3);
            assertTrue(cycleFiles(journal) <= 3, "at most the retained cycles (+1 rolling): " + cycleFiles(journal));
            assertTrue(cycleFiles(archive) >= 3, "retired cycles were moved to the archive: " + cycleFiles(archive));
            assertFalse(s.journal().verify().journalComplete(), "verify knows the journal was truncated");
            assertTrue(s.journal().verify().ok(), "the retained journal still agrees with the map");
            // a tailer from the start begins at the first retained record
            try (Tailer t = s.journal().tailerFromStart()) {
                assertNotNull(t.next(1, TimeUnit.SECONDS));
            }
            assertEquals(s.journal().firstIndex() >= 0, true);
        }
    }

    /**
     * Continuous writing keeps the journal's memory bounded: on a tmpfs of our own (so the file system's used bytes are
     * exactly what the space allocated), a writer keeps writing across many secondly cycles with retainCycles(2).
     * After every write batch the used bytes stay under the space's size before writing plus 4 cycles' worth (what one
     * cycle can hold: the bytes written in the busiest cycle, plus 1 MiB for Chronicle's index and headers), while the
     * writer writes more than that bound in all: keeping every cycle would have crossed it.
     */
    @Test
    void continuousWritingStaysBounded() throws Exception {
        final Path mount = processes.dir("retain-mount");
        Files.createDirectories(mount);
        try {
            Tmpfs.mountOrSkip(mount, "512m");
            final int retain = 2;
            final int cyclesToSee = 12;
            final FileStore fs = Files.getFileStore(mount);
            final Path d = mount.resolve("s");
            try (Space s = Space.open(SpaceOptions.at(d).maxEntries(1000).rollCycle(JournalRollCycle.SECONDLY).retainCycles(retain))) {
                final RollCycle rollCycle = ((ChronicleSpace) s).queue().rollCycle();
                final Path journal = d.resolve(SpaceDescriptor.JOURNAL_DIR_NAME);
                final long baseline = fs.getTotalSpace() - fs.getUsableSpace();
                final byte[] value = new byte[1024];
                final Map<Integer, Long> bytesPerCycle = new HashMap<>();
                long written = 0;
                long maxUsed = 0;
                long maxCycleFiles = 0;
                long bound = Long.MAX_VALUE;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; bytesPerCycle.size() < cyclesToSee; i++) {
                    assertTrue(System.nanoTime() < deadline, "the journal did not roll " + cyclesToSee + " times within 60 s");
                    for (int k = 0; k < 8; k++) {
                        s.kv().put("k" + (i * 8 + k) % 100, value);
                        // the cycle of the write: Chronicle's secondly cycles follow the same clock
                        final int cycle = (int) (System.currentTimeMillis() / rollCycle.lengthInMillis());
                        bytesPerCycle.merge(cycle, (long) value.length + 64, Long::sum);
                        written += value.length + 64;
                    }
                    final long used = fs.getTotalSpace() - fs.getUsableSpace() - baseline;
                    final long busiest = bytesPerCycle.values().stream().mapToLong(Long::longValue).max().orElse(0);
                    bound = (retain + 2) * (busiest + (1 << 20));
                    assertTrue(used <= bound, "the journal uses " + used + " bytes, over " + bound + " (cycles written: " + bytesPerCycle + ")");
                    maxUsed = Math.max(maxUsed, used);
                    maxCycleFiles = Math.max(maxCycleFiles, cycleFiles(journal));
                    Thread.sleep(1); // several MB a second: every cycle holds far more than Chronicle's own overhead
                }
                assertTrue(maxCycleFiles <= retain + 1, "at most the retained cycles and the one rolling in: " + maxCycleFiles);
                assertTrue(written > bound, "the writer wrote " + written + " bytes, more than the bound " + bound
                        + ": keeping every cycle would have crossed it (it peaked at " + maxUsed + ")");
            }
        } finally {
            Tmpfs.unmount(mount);
        }
    }
}
