package io.slate.space;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key/value and journal guarantees with writers in separate JVMs. */
class MultiJvmKeyValueTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final io.slate.testing.Processes processes = new io.slate.testing.Processes();

    @Test
    void fourJvmsCasIncrementOneKeyExactly() throws Exception {
        final Path dir = processes.dir("cas4");
        final int perJvm = 5_000;
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"))) {
            final long startAt = System.currentTimeMillis() + 4_000;
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                cs.add(processes.child("cas-" + i, ChildMains.CasIncrementer.class, dir.toString(), "cas-" + i, Integer.toString(perJvm), Long.toString(startAt)));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            for (ChildJvm c : cs) {
                assertTrue(c.awaitLineStartingWith("DONE", 120, TimeUnit.SECONDS).startsWith("DONE"));
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
            }
            final Entry counter = space.kv().get("counter");
            assertEquals(4 * perJvm, counter.valueAsLong());
            assertEquals(4 * perJvm, counter.version());

            long expectedVersion = 1;
            long lastIndex = -1;
            final Map<String, Integer> perWriter = new HashMap<>();
            try (Tailer t = space.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    assertEquals("counter", r.key().toString());
                    assertEquals(Op.PUT, r.op());
                    assertEquals(expectedVersion, r.version(), "versions in journal order");
                    assertEquals(Long.toString(expectedVersion), r.valueAsString(), "each increment saw the previous value");
                    assertTrue(r.index() > lastIndex);
                    lastIndex = r.index();
                    perWriter.merge(r.agent().toString(), 1, Integer::sum);
                    expectedVersion++;
                }
            }
            assertEquals(4 * perJvm + 1, expectedVersion, "the journal holds exactly the successful CAS writes");
            for (int i = 0; i < 4; i++) {
                assertEquals(perJvm, perWriter.get("cas-" + i), "writes of cas-" + i);
            }
            assertTrue(space.journal().verify().ok());
        }
    }

    /**
     * A reader that spins on one key answers from what it read last while the key's segment is unchanged (see
     * {@code SegmentGuards#writesIfFree}): it must still see a writer in another JVM move the key, every entry it
     * returns must be whole (the value is the version), versions only grow, and it reaches the last one.
     */
    @Test
    void aReaderSpinningOnOneKeySeesAnotherJvmsWritesInOrderAndWhole() throws Exception {
        final Path dir = processes.dir("spin-read");
        final int count = 20_000;
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("reader"))) {
            final io.slate.kv.EntryBuffer buf = new io.slate.kv.EntryBuffer();
            assertEquals(io.slate.kv.KeyValue.ABSENT, space.kv().get("k", buf));
            final ChildJvm writer = processes.child("putter", ChildMains.VersionPutter.class, dir.toString(), "putter", "k",
                    Integer.toString(count));
            assertEquals("READY", writer.awaitLine(60, TimeUnit.SECONDS));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long last = 0;
            long distinct = 0;
            while (last < count) {
                final long v = space.kv().get("k", buf);
                if (v != io.slate.kv.KeyValue.ABSENT) {
                    assertEquals(v, buf.valueAsLong(), "the entry read is whole: its value is its version");
                    assertEquals("putter", buf.writer().toString());
                    assertTrue(v >= last, "version " + v + " after " + last);
                    if (v > last) {
                        distinct++;
                    }
                    last = v;
                }
                assertTrue(System.nanoTime() < deadline, "the reader saw version " + last + " of " + count + " after 120 s");
            }
            assertEquals("DONE", writer.awaitLine(60, TimeUnit.SECONDS));
            assertEquals(0, writer.awaitExit(30, TimeUnit.SECONDS), writer.stderr());
            assertTrue(distinct > 1, "the reader saw the key move more than once: " + distinct);
        }
    }

    @Test
    void threeWriterJvmsThenVerifyAndReplayIntoFreshSpace() throws Exception {
        final Path dir = processes.dir("writers3");
        final Path copy = processes.dir("replay");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"))) {
            final long startAt = System.currentTimeMillis() + 4_000;
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                cs.add(processes.child("writer-" + i, ChildMains.RandomWriter.class, dir.toString(), "writer-" + i, "4000", "300", Integer.toString(42 + i),
                        Long.toString(startAt)));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            for (ChildJvm c : cs) {
                c.awaitLineStartingWith("DONE", 120, TimeUnit.SECONDS);
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
            }
            final VerifyReport report = space.journal().verify();
            assertTrue(report.ok(), report.toString());
            assertTrue(report.journalComplete());
            assertTrue(report.recordsReplayed() >= 3 * 3000, "most operations write: " + report);

            try (Space target = Space.open(SpaceOptions.at(copy).agentId("replayer"))) {
                final long applied = space.journal().replayInto(target, Long.MAX_VALUE);
                assertEquals(report.recordsReplayed(), applied);
                final Map<String, Entry> original = new HashMap<>();
                space.kv().forEach(e -> original.put(e.key(), e));
                final Map<String, Entry> replayed = new HashMap<>();
                target.kv().forEach(e -> replayed.put(e.key(), e));
                assertEquals(original.keySet(), replayed.keySet());
                for (Entry e : original.values()) {
                    final Entry r = replayed.get(e.key());
                    assertEquals(e.version(), r.version(), e.key());
                    assertEquals(e.writer(), r.writer(), e.key());
                    assertEquals(e.timestampNanos(), r.timestampNanos(), e.key());
                    assertTrue(java.util.Arrays.equals(e.value(), r.value()), e.key());
                }
                assertTrue(target.journal().verify().ok(), "the replayed space verifies against its own journal");
            }
        }
    }

    @Test
    void lateTailerJvmReplaysEverythingInOrder() throws Exception {
        final Path dir = processes.dir("late");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"))) {
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                final String key = "key-" + (i % 37);
                final long v = space.kv().putString(key, "v" + i);
                expected.add(space.kv().get(key).journalIndex() + " " + key + " " + v);
            }
            final ChildJvm tailer = processes.child("late-tailer", ChildMains.TailerMain.class, dir.toString(), "late", "start", "1000000", "2000");
            assertEquals("READY", tailer.awaitLine(60, TimeUnit.SECONDS));
            tailer.awaitLineStartingWith("END", 60, TimeUnit.SECONDS);
            assertEquals(0, tailer.awaitExit(30, TimeUnit.SECONDS), tailer.stderr());
            final List<String> got = new ArrayList<>();
            for (String l : tailer.output()) {
                if (l.startsWith("R ")) {
                    got.add(l.substring(2));
                }
            }
            assertEquals(expected, got);
        }
    }

    @Test
    void namedTailerKilledAndRestartedResumesWithoutGapOrDuplicate() throws Exception {
        final Path dir = processes.dir("named");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"))) {
            final List<Long> all = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                space.kv().putLong("n", i);
                all.add(space.kv().get("n").journalIndex());
            }
            // 1: the tailer catches up, then is killed while idle inside next()
            final ChildJvm first = processes.child("named-1", ChildMains.TailerMain.class, dir.toString(), "t1", "named:audit", "1000000", "600000");
            assertEquals("READY", first.awaitLine(60, TimeUnit.SECONDS));
            final List<Long> seen = new ArrayList<>();
            while (seen.size() < 500) {
                seen.add(Long.parseLong(first.awaitLineStartingWith("R ", 60, TimeUnit.SECONDS).split(" ")[1]));
            }
            first.kill();
            assertEquals(all, seen);

            // 2: more records, a restarted tailer delivers exactly those; it is killed mid-stream this time
            for (int i = 0; i < 3_000; i++) {
                space.kv().putLong("n", i);
                all.add(space.kv().get("n").journalIndex());
            }
            final ChildJvm second = processes.child("named-2", ChildMains.TailerMain.class, dir.toString(), "t2", "named:audit", "1000000", "600000");
            assertEquals("READY", second.awaitLine(60, TimeUnit.SECONDS));
            final long firstResumed = Long.parseLong(second.awaitLineStartingWith("R ", 60, TimeUnit.SECONDS).split(" ")[1]);
            assertEquals(all.get(500), firstResumed, "resumes right after the last record delivered before the kill");
            second.kill();
            final List<Long> secondSeen = new ArrayList<>();
            secondSeen.add(firstResumed);
            for (String l : second.output()) {
                if (l.startsWith("R ")) {
                    final long idx = Long.parseLong(l.split(" ")[1]);
                    if (idx != firstResumed) {
                        secondSeen.add(idx);
                    }
                }
            }

            // 3: the third incarnation starts right after the position stored by the second
            final ChildJvm third = processes.child("named-3", ChildMains.TailerMain.class, dir.toString(), "t3", "named:audit", "1000000", "1000");
            assertEquals("READY", third.awaitLine(60, TimeUnit.SECONDS));
            third.awaitLineStartingWith("END", 60, TimeUnit.SECONDS);
            final List<Long> thirdSeen = new ArrayList<>();
            for (String l : third.output()) {
                if (l.startsWith("R ")) {
                    thirdSeen.add(Long.parseLong(l.split(" ")[1]));
                }
            }
            final long lastPrinted = secondSeen.get(secondSeen.size() - 1);
            final int posLastPrinted = all.indexOf(lastPrinted);
            // the kill can land after the position was stored but before the line was printed: then exactly one
            // record was delivered to the killed process and not printed by it; it is never delivered twice
            final int resumedAt = thirdSeen.isEmpty() ? all.size() : all.indexOf(thirdSeen.get(0));
            final List<String> tail = second.output();
            assertTrue(resumedAt == posLastPrinted + 1 || resumedAt == posLastPrinted + 2,
                    "third run resumes right after the second's last delivered record: last printed at " + posLastPrinted + ", resumed at "
                            + resumedAt + "; second printed " + secondSeen.size() + " records, last lines " + tail.subList(Math.max(0, tail.size() - 3), tail.size())
                            + "; second's stderr: " + second.stderr() + "; third's stderr: " + third.stderr() + "; journal indices around: " + all.subList(Math.max(0, posLastPrinted - 2), Math.min(all.size(), resumedAt + 2)));
            assertEquals(all.subList(resumedAt, all.size()), thirdSeen, "no gap, no duplicate after the resume point");
            assertEquals(all.subList(500, posLastPrinted + 1), secondSeen, "second run delivered in order without gaps");
        }
    }

    @Test
    void jvmsCreatingOneSpaceAtTheSameMomentShareIt() throws Exception {
        final Path dir = processes.dir("create");
        final long startAt = System.currentTimeMillis() + 5_000;
        final List<ChildJvm> cs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            cs.add(processes.child("creator-" + i, ChildMains.Creator.class, dir.toString(), "creator-" + i, Long.toString(startAt)));
        }
        for (ChildJvm c : cs) {
            assertEquals("OK 1", c.awaitLine(90, TimeUnit.SECONDS), c.stderr());
            assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
        }
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("checker"))) {
            assertEquals(4, space.kv().get("openers").valueAsLong());
            for (int i = 0; i < 4; i++) {
                assertNotNull(space.kv().get("hello/creator-" + i));
            }
            assertTrue(space.journal().verify().ok());
            assertEquals(5, space.agents().size(), space.agents().toString());
        }
    }

    @Test
    void agentsAreAliveClosedOrDeadExactly() throws Exception {
        final Path dir = processes.dir("agents");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("watcher"))) {
            final ChildJvm sleeper = processes.child("sleeper", ChildMains.Sleeper.class, dir.toString(), "sleepy");
            assertEquals("READY", sleeper.awaitLine(60, TimeUnit.SECONDS));
            final ChildJvm creator = processes.child("closer", ChildMains.Creator.class, dir.toString(), "tidy", "0");
            assertEquals("OK 1", creator.awaitLine(60, TimeUnit.SECONDS));
            assertEquals(0, creator.awaitExit(30, TimeUnit.SECONDS));
            assertEquals(io.slate.agent.AgentInfo.State.ALIVE, stateOf(space, "sleepy"));
            assertEquals(io.slate.agent.AgentInfo.State.CLOSED, stateOf(space, "tidy"));
            assertEquals(io.slate.agent.AgentInfo.State.ALIVE, stateOf(space, "watcher"));
            final long pid = sleeper.pid();
            sleeper.kill();
            assertEquals(io.slate.agent.AgentInfo.State.DEAD, stateOf(space, "sleepy"), "SIGKILL leaves the agent dead, seen at once");
            assertEquals(pid, space.agents().stream().filter(a -> a.id().equals("sleepy")).findFirst().get().pid());
        }
    }

    private static io.slate.agent.AgentInfo.State stateOf(final Space space, final String id) {
        return space.agents().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no agent " + id)).state();
    }
}
