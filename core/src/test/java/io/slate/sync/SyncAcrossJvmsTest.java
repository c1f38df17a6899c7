package io.slate.sync;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mutex, semaphore, counter, latch and barrier with their users in separate JVMs. */
class SyncAcrossJvmsTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final io.slate.testing.Processes processes = new io.slate.testing.Processes();
    private static final long WAIT_SECONDS = 120;





    private static Space open(final Path dir, final String agent) {
        return Space.open(SpaceOptions.at(dir).agentId(agent));
    }

    @Test
    void threeJvmsLockTwoThousandTimesEachWithDistinctIncreasingTokens() throws Exception {
        final Path dir = processes.dir("mutex3");
        final int perJvm = 2_000;
        try (Space space = open(dir, "parent")) {
            final Sync sync = Sync.of(space);
            sync.mutex("m", Journaling.ON);
            final long startAt = System.currentTimeMillis() + 4_000;
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                cs.add(processes.child("hammer-" + i, SyncChildMains.MutexHammer.class, dir.toString(), "hammer-" + i, Integer.toString(perJvm),
                        Long.toString(startAt)));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            final Map<String, long[]> tokensByAgent = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                final ChildJvm c = cs.get(i);
                final String tokens = c.awaitLineStartingWith("TOKENS", WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals("DONE 0", c.awaitLineStartingWith("DONE", 30, TimeUnit.SECONDS), "mutual exclusion was violated in hammer-" + i);
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                final String[] parts = tokens.substring("TOKENS ".length()).split(" ");
                assertEquals(perJvm, parts.length);
                final long[] ts = new long[perJvm];
                for (int k = 0; k < perJvm; k++) {
                    ts[k] = Long.parseLong(parts[k]);
                    if (k > 0) {
                        assertTrue(ts[k] > ts[k - 1], "tokens of one JVM increase: " + ts[k - 1] + " then " + ts[k]);
                    }
                }
                tokensByAgent.put("hammer-" + i, ts);
            }
            // every acquisition got its own token, and no token was skipped or repeated
            final Set<Long> all = new TreeSet<>();
            tokensByAgent.values().forEach(ts -> {
                for (long t : ts) {
                    assertTrue(all.add(t), "token " + t + " handed out twice");
                }
            });
            assertEquals(3 * perJvm, all.size());
            assertEquals(1L, (long) ((TreeSet<Long>) all).first());
            assertEquals(3L * perJvm, (long) ((TreeSet<Long>) all).last());
            assertEquals(3L * perJvm, space.kv().get("plain").valueAsLong(), "the non-atomic increments under the mutex all count");
            assertEquals(3L * perJvm, sync.mutex("m").lastToken());

            // the journal is the acquisition order: lock(t) unlock(t) lock(t') ... with t' > t, by the agent that logged t
            final Map<Long, String> holderOf = new HashMap<>();
            tokensByAgent.forEach((agent, ts) -> {
                for (long t : ts) {
                    holderOf.put(t, agent);
                }
            });
            long last = 0;
            int locks = 0;
            Long open = null;
            try (Tailer t = space.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    if (r.op() == Op.LOCK) {
                        assertEquals("m", r.key().toString());
                        assertEquals(null, open, "a lock record while the mutex was held, at index " + r.index());
                        assertTrue(r.version() > last, "tokens in journal order: " + last + " then " + r.version());
                        assertEquals(holderOf.get(r.version()), r.agent().toString(), "token " + r.version() + " went to its logger");
                        last = r.version();
                        open = r.version();
                        locks++;
                    } else if (r.op() == Op.UNLOCK) {
                        assertEquals(open, (Long) r.version(), "unlock of the token that is held");
                        assertEquals(holderOf.get(r.version()), r.agent().toString());
                        open = null;
                    } else {
                        assertTrue(r.op() == Op.PUT, "only locks, unlocks and the puts of 'plain': " + r.op());
                    }
                }
            }
            assertEquals(3 * perJvm, locks);
        }
    }

    @Test
    void killedHolderIsRecoveredWithinOneSecondButALiveSlowOneIsNotRobbed() throws Exception {
        final Path dir = processes.dir("kill1");
        try (Space space = open(dir, "parent")) {
            final Sync sync = Sync.of(space);
            final ChildJvm holder = processes.child("holder", SyncChildMains.HoldAndSleep.class, dir.toString(), "holder");
            final String ready = holder.awaitLineStartingWith("READY", 60, TimeUnit.SECONDS);
            final long deadToken = Long.parseLong(ready.substring("READY ".length()));
            final Mutex m = sync.mutex("m");
            final Semaphore s = sync.semaphore("s", 3);
            assertEquals("holder", m.owner().agentId());
            assertTrue(m.owner().isAlive());
            assertEquals(1, s.availablePermits());

            // alive but asleep: never robbed, however long we wait
            long t0 = System.nanoTime();
            assertEquals(Mutex.TIMED_OUT, m.tryLock(2, TimeUnit.SECONDS));
            System.out.printf("tryLock against a live sleeping holder gave up after %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            assertTrue(!s.tryAcquire(2, 2, TimeUnit.SECONDS), "the holder's 2 permits are not taken while it lives");
            assertTrue(s.tryAcquire(1, 0, TimeUnit.SECONDS), "the free permit can be had");
            s.release();
            assertEquals("holder", m.owner().agentId());

            holder.kill();
            t0 = System.nanoTime();
            final long token = m.tryLock(1, TimeUnit.SECONDS);
            final long mutexMicros = (System.nanoTime() - t0) / 1_000;
            assertTrue(token > deadToken, "recovered within 1 s with a greater token: " + token + " vs dead holder's " + deadToken);
            assertEquals(token, m.lastRecoveredToken());
            t0 = System.nanoTime();
            assertTrue(s.tryAcquire(3, 1, TimeUnit.SECONDS), "all 3 permits, the dead holder's 2 included, within 1 s");
            final long semMicros = (System.nanoTime() - t0) / 1_000;
            System.out.printf("recovery after SIGKILL: mutex %d us, semaphore %d us%n", mutexMicros, semMicros);
            assertEquals(3, s.heldByCurrentAgent());
            s.release(3);
            m.unlock();

            final Map<Op, Integer> ops = new HashMap<>();
            String recoveredValue = null;
            try (Tailer t = space.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    ops.merge(r.op(), 1, Integer::sum);
                    if (r.op() == Op.LOCK_RECOVERED) {
                        assertEquals(token, r.version());
                        assertEquals("parent", r.agent().toString());
                        recoveredValue = r.valueAsString();
                    }
                    if (r.op() == Op.SEM_RECOVERED) {
                        assertEquals(2, r.version(), "the dead holder's permits");
                    }
                }
            }
            assertEquals(1, ops.get(Op.LOCK_RECOVERED), ops::toString);
            assertEquals(1, ops.get(Op.SEM_RECOVERED), ops::toString);
            assertEquals(1, ops.get(Op.LOCK), ops::toString); // the holder's own acquisition
            assertTrue(recoveredValue.contains("holder") && recoveredValue.contains(Long.toString(holder.pid())), recoveredValue);
        }
    }

    @Test
    void twoSurvivorsNeverBothReclaim() throws Exception {
        final Path dir = processes.dir("kill2");
        try (Space space = open(dir, "parent")) {
            final Sync sync = Sync.of(space);
            final ChildJvm holder = processes.child("holder", SyncChildMains.HoldAndSleep.class, dir.toString(), "holder");
            final long deadToken = Long.parseLong(holder.awaitLineStartingWith("READY", 60, TimeUnit.SECONDS).substring("READY ".length()));
            final List<ChildJvm> survivors = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                survivors.add(processes.child("survivor-" + i, SyncChildMains.Survivor.class, dir.toString(), "survivor-" + i));
            }
            for (ChildJvm c : survivors) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            Thread.sleep(200); // both are waiting, checking the holder's liveness
            holder.kill();
            int recovered = 0;
            final Set<Long> tokens = new HashSet<>();
            for (ChildJvm c : survivors) {
                final String[] got = c.awaitLineStartingWith("GOT", WAIT_SECONDS, TimeUnit.SECONDS).split(" ");
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                final long token = Long.parseLong(got[1]);
                assertTrue(token > deadToken);
                assertTrue(tokens.add(token));
                if (got[2].equals("recovered")) {
                    recovered++;
                }
                assertEquals("0", got[3], "mutual exclusion between survivors");
            }
            assertEquals(1, recovered, "exactly one survivor took the mutex over from the dead holder");
            int recoveredRecords = 0;
            try (Tailer t = space.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    if (r.op() == Op.LOCK_RECOVERED) {
                        recoveredRecords++;
                    }
                }
            }
            assertEquals(1, recoveredRecords);
            assertEquals(null, sync.mutex("m").owner());
        }
    }

    @Test
    void semaphorePermitsNeverExceededAndCounterSumsExactly() throws Exception {
        final Path dir = processes.dir("sem3");
        final int perJvm = 3_000;
        try (Space space = open(dir, "parent")) {
            final Sync sync = Sync.of(space);
            final long startAt = System.currentTimeMillis() + 4_000;
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                cs.add(processes.child("sem-" + i, SyncChildMains.SemaphoreHammer.class, dir.toString(), "sem-" + i, Integer.toString(perJvm),
                        Long.toString(startAt)));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            long expectedSum = 0;
            long maxInUse = 0;
            for (ChildJvm c : cs) {
                final String[] done = c.awaitLineStartingWith("DONE", WAIT_SECONDS, TimeUnit.SECONDS).split(" ");
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                assertEquals("0", done[1], "more than 2 permits in use at once");
                maxInUse = Math.max(maxInUse, Long.parseLong(done[2]));
                expectedSum += Long.parseLong(done[3]);
            }
            System.out.println("semaphore of 2 permits: at most " + maxInUse + " in use at once");
            assertEquals(expectedSum, sync.counter("sum").get());
            assertEquals(0, sync.counter("inUse").get());
            assertEquals(2, sync.semaphore("s", 2).availablePermits());
            assertTrue(sync.semaphore("s", 2).holders().isEmpty());
        }
    }

    @Test
    void latchAndBarrierAcrossThreeJvms() throws Exception {
        final Path dir = processes.dir("barrier3");
        final int generations = 5;
        try (Space space = open(dir, "parent")) {
            final Sync sync = Sync.of(space);
            final CountDownLatch start = sync.latch("start", 1);
            final CountDownLatch done = sync.latch("done", 3);
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                cs.add(processes.child("party-" + i, SyncChildMains.BarrierParty.class, dir.toString(), "party-" + i, Integer.toString(generations)));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            assertEquals(0, sync.counter("arrivals").get(), "nobody passes the start latch before it opens");
            start.countDown();
            assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "all three parties counted down 'done'");
            final Map<Integer, Set<Integer>> indices = new HashMap<>();
            for (ChildJvm c : cs) {
                assertEquals("DONE 0", c.awaitLineStartingWith("DONE", 30, TimeUnit.SECONDS), "a party passed before all arrived");
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                for (String line : c.output()) {
                    if (line.startsWith("GEN ")) {
                        final String[] p = line.split(" ");
                        indices.computeIfAbsent(Integer.parseInt(p[1]), g -> new HashSet<>()).add(Integer.parseInt(p[2]));
                    }
                }
            }
            for (int g = 0; g < generations; g++) {
                assertEquals(Set.of(0, 1, 2), indices.get(g), "arrival indices of generation " + g);
            }
            final Barrier b = sync.barrier("b", 3);
            assertEquals(generations, b.generation());
            assertEquals(0, b.arrived());
            assertEquals(0, done.getCount());
        }
    }
}
