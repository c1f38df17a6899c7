package io.slate.snapshot;

import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.engine.tuple.TupleSnapshots;
import io.slate.shm.ChronicleSpace;
import io.slate.shm.FaultPoints;
import io.slate.space.JournalRollCycle;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.spi.BackendSpace;
import io.slate.spi.SnapshotStore;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.slate.tuple.Template.ANY_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tuple spaces and blackboards survive retention through snapshots, with one-second journal cycles and a budget that
 * keeps only the current cycle: every pass retires everything before it. What is checked is seen by handles opened
 * afterwards in other JVMs, and {@code verify} holds throughout.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SnapshotRetentionTest {
    static final Template OLD = Template.of("job", "old", ANY_LONG);
    static final Template LEASED = Template.of("job", "leased", ANY_LONG);
    static final Template TAKEN = Template.of("job", "taken", ANY_LONG);
    static final Template MINE = Template.of("job", "mine", ANY_LONG);

    @RegisterExtension
    final Processes processes = new Processes();

    /** One-second cycles, and a budget so small that each retention pass retires every cycle but the current one. */
    static SpaceOptions tiny(final Path dir) {
        return SpaceOptions.at(dir).rollCycle(JournalRollCycle.SECONDLY).retainBytes(1);
    }

    /**
     * Writes filler records until retention has run at least {@code passes} times after this call and retired every
     * record up to {@code index}; checks verify on the way.
     */
    static void retireThrough(final Space s, final long index, final int passes) throws InterruptedException {
        final ChronicleSpace cs = (ChronicleSpace) s;
        final long startPasses = cs.chronicleJournal().retentionPasses();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        final byte[] filler = new byte[64];
        int rounds = 0;
        while (s.journal().firstIndex() <= index || cs.chronicleJournal().retentionPasses() - startPasses < passes) {
            assertTrue(System.nanoTime() < deadline, "retention did not retire index " + index + " within 90 s: first retained "
                    + s.journal().firstIndex() + ", passes " + (cs.chronicleJournal().retentionPasses() - startPasses) + ", problem "
                    + cs.chronicleJournal().retentionProblem());
            s.kv().put("filler", filler);
            Thread.sleep(2);
            if (++rounds % 500 == 0) {
                assertTrue(s.journal().verify().ok(), "verify during retention");
            }
        }
        assertFalse(s.journal().verify().journalComplete(), "records were retired");
        assertTrue(s.journal().verify().ok(), "verify after retention");
    }

    /** args: dir entryId — opens the tuple space and the blackboard and prints what it sees. */
    static final class Reader {
        public static void main(final String[] args) {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])));
                 TupleSpace ts = TupleSpace.of(s, "jobs");
                 Blackboard bb = Blackboard.of(s, "board")) {
                final Tuple old = ts.rdp(OLD);
                final Tuple leased = ts.rdp(LEASED);
                final Tuple taken = ts.rdp(TAKEN);
                final BlackboardEntry e = bb.entry(Long.parseLong(args[1]));
                System.out.println("SEEN " + (old == null ? "-" : old.getLong(2)) + " " + (leased == null ? "-" : leased.getLong(2)) + " "
                        + (taken == null ? "-" : taken.getLong(2)) + " " + (e == null ? "-" : e.attributes().getLong("x")) + " "
                        + s.journal().verify().ok() + " " + s.journal().firstIndex());
            }
        }
    }

    @Test
    void aLongAgoTupleALeaseAnUnacknowledgedTakeAndAnEntrySurviveManyRetentionPasses() throws Exception {
        final Path dir = processes.dir("snap-survive");
        try (Space s = Space.open(tiny(dir)); TupleSpace ts = TupleSpace.of(s, "jobs"); Blackboard bb = Blackboard.of(s, "board", "signal", "plan")) {
            ts.out(Tuple.of("job", "old", 1L));
            ts.out(Tuple.of("job", "leased", 2L), 10, TimeUnit.MINUTES);
            ts.out(Tuple.of("job", "taken", 3L));
            final Taken take = ts.inWithAck(TAKEN, 5, TimeUnit.SECONDS);
            assertNotNull(take);
            final long entry = bb.post("signal", Attributes.of("x", 7L), 0.5);
            final long setupEnd = s.journal().lastIndex();
            retireThrough(s, setupEnd, 5);
            final long first = s.journal().firstIndex();
            assertTrue(first > setupEnd);

            final ChildJvm reader = processes.child("reader", Reader.class, dir.toString(), Long.toString(entry));
            final String seen = reader.awaitLineStartingWith("SEEN", 60, TimeUnit.SECONDS);
            assertEquals(0, reader.awaitExit(30, TimeUnit.SECONDS), reader.stderr());
            final String[] f = seen.split(" ");
            assertEquals("1", f[1], "the tuple written long ago: " + seen);
            assertEquals("2", f[2], "the tuple whose lease is running: " + seen);
            assertEquals("-", f[3], "the taken tuple is pending, not available: " + seen);
            assertEquals("7", f[4], "the blackboard entry: " + seen);
            assertEquals("true", f[5], "verify in the other JVM: " + seen);
            assertTrue(Long.parseLong(f[6]) >= first, seen);

            // time travel to before the oldest retained record says that retention removed it
            final IllegalArgumentException tooOld = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Blackboard.replay(s, "board", setupEnd));
            assertTrue(tooOld.getMessage().contains("retention removed the journal before index"), tooOld.getMessage());
            assertEquals(7L, Blackboard.replay(s, "board", Long.MAX_VALUE).entry(entry).attributes().getLong("x"));
            try (Space target = Space.open(SpaceOptions.at(processes.dir("snap-replay-target")))) {
                final IllegalStateException noStart = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                        () -> s.journal().replayInto(target, Long.MAX_VALUE));
                assertTrue(noStart.getMessage().contains("retention removed the journal's records before index"), noStart.getMessage());
            }

            // the take itself survived: its acknowledgement counts, everywhere
            assertTrue(take.ack(), "the take outlived its record");
            try (TupleSpace fresh = TupleSpace.of(s, "jobs")) {
                assertNull(fresh.rdp(TAKEN));
                assertNotNull(fresh.rdp(OLD));
            }
            assertTrue(s.journal().verify().ok());
        }
    }

    /** args: dir — takes the "mine" tuple with acknowledgement, prints "TAKEN id", and waits to be killed. */
    static final class Taker {
        public static void main(final String[] args) throws Exception {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0]))); TupleSpace ts = TupleSpace.of(s, "jobs")) {
                final Taken t = ts.inWithAck(MINE, 30, TimeUnit.SECONDS);
                System.out.println("TAKEN " + (t == null ? -1 : t.id()) + " " + s.journal().lastIndex());
                System.out.flush();
                Thread.sleep(600_000);
            }
        }
    }

    @Test
    void aTakerKilledAfterItsTakesRecordWasRetiredStillHasItsTupleReturned() throws Exception {
        final Path dir = processes.dir("snap-taker");
        try (Space s = Space.open(tiny(dir)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            final long id = ts.out(Tuple.of("job", "mine", 42L));
            final ChildJvm taker = processes.child("taker", Taker.class, dir.toString());
            final String line = taker.awaitLineStartingWith("TAKEN", 60, TimeUnit.SECONDS);
            assertEquals(id, Long.parseLong(line.split(" ")[1]), line);
            final long takeIndex = Long.parseLong(line.split(" ")[2]);
            assertNull(ts.rdp(MINE), "taken, not acknowledged");
            retireThrough(s, takeIndex, 3);
            taker.kill();
            // a handle opened now starts from a snapshot holding the pending take of a dead agent
            try (TupleSpace fresh = TupleSpace.of(s, "jobs")) {
                final Tuple back = fresh.in(MINE, 30, TimeUnit.SECONDS);
                assertEquals(Tuple.of("job", "mine", 42L), back, "the dead taker's tuple is returned");
            }
            assertTrue(s.journal().verify().ok());
        }
    }

    /** args: dir — stops inside the write of a tuple space's snapshot, half of it written, and waits to be killed. */
    static final class SnapshotVictim {
        public static void main(final String[] args) throws Exception {
            System.setProperty("slate.faultPoints", "true");
            FaultPoints.install(p -> {
                if (p.equals(FaultPoints.SNAPSHOT_WRITING)) {
                    System.out.println("INSIDE " + p);
                    System.out.flush();
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
                TupleSnapshots.write(BackendSpace.of(s, "test"), "jobs");
                System.out.println("WROTE");
            }
        }
    }

    @Test
    void aSnapshotWriterKilledMidSnapshotLeavesThePreviousSnapshotInForce() throws Exception {
        final Path dir = processes.dir("snap-kill");
        // an unbounded journal: no snapshot duty, so the snapshots here are exactly the ones this test writes
        try (Space s = Space.open(SpaceOptions.at(dir).retainBytes(0).retainCycles(0)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            final BackendSpace b = BackendSpace.of(s, "test");
            for (int i = 0; i < 3; i++) {
                ts.out(Tuple.of("job", "n", (long) i));
            }
            final long first = TupleSnapshots.write(b, "jobs");
            assertEquals(first, b.snapshots().newest("tuples/jobs").index());
            ts.out(Tuple.of("job", "n", 3L));
            ts.out(Tuple.of("job", "n", 4L));

            final ChildJvm victim = processes.child("snapshot-victim", SnapshotVictim.class, dir.toString());
            victim.awaitLineStartingWith("INSIDE " + FaultPoints.SNAPSHOT_WRITING, 60, TimeUnit.SECONDS);
            victim.kill();
            assertFalse(victim.output().contains("WROTE"));
            final Path snapshots = dir.resolve("snapshots");
            try (Stream<Path> files = Files.list(snapshots)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith(".tmp-")), "the victim died with half a snapshot written");
            }
            assertEquals(first, b.snapshots().newest("tuples/jobs").index(), "the previous snapshot is in force");
            try (TupleSpace fresh = TupleSpace.of(s, "jobs")) {
                assertEquals(5, fresh.count(Template.of("job", "n", ANY_LONG)));
            }

            // a torn newest snapshot (its bytes damaged after it was published) is never used: the previous one is
            ts.out(Tuple.of("job", "n", 5L));
            final long second = TupleSnapshots.write(b, "jobs");
            assertTrue(second > first);
            final List<Path> files;
            try (Stream<Path> l = Files.list(snapshots)) {
                files = l.filter(f -> f.getFileName().toString().endsWith(".snap")).sorted().collect(Collectors.toList());
            }
            final Path newest = files.get(files.size() - 1);
            final byte[] bytes = Files.readAllBytes(newest);
            Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            final SnapshotStore.Snapshot in = b.snapshots().newest("tuples/jobs");
            assertEquals(first, in.index(), "the torn snapshot is skipped");
            try (TupleSpace fresh = TupleSpace.of(s, "jobs")) {
                assertEquals(6, fresh.count(Template.of("job", "n", ANY_LONG)));
            }
            assertTrue(s.journal().verify().ok());
        }
    }

    @Test
    void aNamedTailerOrWatchThatFellBehindTheBudgetFailsNamingWhatItLost() throws Exception {
        final Path dir = processes.dir("snap-lost");
        try (Space s = Space.open(tiny(dir)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            s.kv().put("a", new byte[8]);
            ts.out(Tuple.of("job", "n", 1L));
            ts.out(Tuple.of("job", "n", 2L));
            final io.slate.journal.Tailer slow = s.journal().namedTailer("slow");
            assertNotNull(slow.next(5, TimeUnit.SECONDS));
            final io.slate.tuple.TupleWatch watch = ts.watch("w", Template.of("job", "n", ANY_LONG));
            assertNotNull(watch.next(5, TimeUnit.SECONDS));
            watch.commit();
            // the budget (1 byte) lets no named position hold a cycle back: both fall behind and lose records
            retireThrough(s, s.journal().lastIndex(), 2);
            final io.slate.space.SpaceException e = org.junit.jupiter.api.Assertions.assertThrows(io.slate.space.SpaceException.class, () -> {
                while (slow.next(100, TimeUnit.MILLISECONDS) != null) {
                    // reads on until the gap: never past it
                }
            });
            assertTrue(e.getMessage().contains("named tailer or watch 'slow' lost journal records"), e.getMessage());
            slow.close();
            final io.slate.space.SpaceException resumed = org.junit.jupiter.api.Assertions.assertThrows(io.slate.space.SpaceException.class,
                    () -> s.journal().namedTailer("slow"));
            assertTrue(resumed.getMessage().contains("retention removed the records after it"), resumed.getMessage());
            final io.slate.space.SpaceException w = org.junit.jupiter.api.Assertions.assertThrows(io.slate.space.SpaceException.class, () -> {
                while (watch.next(100, TimeUnit.MILLISECONDS) != null) {
                    watch.commit();
                }
            });
            assertTrue(w.getMessage().contains("lost journal records"), w.getMessage());
            watch.close();
            s.journal().deleteNamedTailer("slow");
            try (io.slate.journal.Tailer again = s.journal().namedTailer("slow")) {
                assertNotNull(again.next(5, TimeUnit.SECONDS), "a deleted name starts again from the first retained record");
            }
        }
    }
}
