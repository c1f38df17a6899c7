package io.slate.space;

import io.slate.internal.SpaceDescriptor;
import io.slate.journal.Tailer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
