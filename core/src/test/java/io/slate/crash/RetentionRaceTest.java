package io.slate.crash;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.FaultPoints;
import io.slate.space.JournalRollCycle;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention runs after a committed append, so it must never make that append fail: not when another agent, rolling at
 * the same moment, retires the same cycle first (found by the soak: "cannot retire journal cycle" reached a tuple
 * {@code out}), and not when a cycle cannot be retired at all.
 */
class RetentionRaceTest {
    @RegisterExtension
    final Processes processes = new Processes();

    /** args: dir — writes for 3 s over one-second cycles; each time it is about to retire a cycle, the cycle vanishes. */
    static final class RacingRetirer {
        public static void main(final String[] args) throws Exception {
            Victims.enableFaultPoints();
            final int[] raced = {0};
            FaultPoints.install(point -> {
                if (point.equals(FaultPoints.JOURNAL_RETIRING)) {
                    // what another agent retiring the same cycle does between our check and our delete
                    try (java.util.stream.Stream<Path> files = Files.list(Paths.get(args[0], "journal"))) {
                        files.filter(f -> f.toString().endsWith(".cq4")).sorted().limit(1).forEach(f -> f.toFile().delete());
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                    raced[0]++;
                }
            });
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])).rollCycle(JournalRollCycle.SECONDLY).retainCycles(1))) {
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                long v = 0;
                while (System.nanoTime() < end) {
                    v = s.kv().put("k", new byte[8]);
                    Thread.sleep(1);
                }
                System.out.println("OK " + v + " " + raced[0] + " " + s.journal().verify().ok());
            }
        }
    }

    @Test
    void aCycleRetiredByAnotherAgentFirstIsNotAnError() throws Exception {
        final ChildJvm c = processes.child("retirer", RacingRetirer.class, processes.dir("retention-race").toString());
        final String line = c.awaitLineStartingWith("OK", 60, TimeUnit.SECONDS);
        final String[] f = line.split(" ");
        assertTrue(Long.parseLong(f[1]) > 100, line);
        assertTrue(Integer.parseInt(f[2]) >= 1, "the race was provoked at least once: " + line);
        assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
    }

    @Test
    void aCycleThatCannotBeRetiredNeverFailsTheAppend() throws Exception {
        final Path dir = processes.dir("retention-fails");
        final Path notADirectory = dir.resolveSibling(dir.getFileName() + ".archive-is-a-file");
        Files.writeString(notADirectory, "not a directory");
        try (Space s = Space.open(SpaceOptions.at(dir).rollCycle(JournalRollCycle.SECONDLY).retainCycles(1).archiveDirectory(notADirectory))) {
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            long v = 0;
            while (System.nanoTime() < end) {
                v = s.kv().put("k", new byte[8]);
                Thread.sleep(1);
            }
            assertTrue(v > 100);
            assertEquals(v, s.kv().get("k").version());
            final String problem = ((ChronicleSpace) s).chronicleJournal().retentionProblem();
            assertNotNull(problem, "retention could not archive, and says so");
            assertTrue(problem.contains("cannot retire journal cycle"), problem);
            assertTrue(s.journal().verify().ok());
        } finally {
            Files.deleteIfExists(notADirectory);
        }
    }
}
