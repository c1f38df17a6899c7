package io.slate.crash;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.FaultPoints;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.TupleSpace;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #6's chaos test: three JVMs keep working (puts, a contended compare-and-set counter, tuples taken with ack, a
 * mutex, a semaphore) while a fourth JVM doing the same flat out is killed with SIGKILL, 50 times in a row, a new fourth
 * JVM each time. The kills cycle through: inside Chronicle Map's segment lock before the journal append, between the
 * append and the map update, inside the journal's write lock with an uncommitted record, and at a random moment.
 *
 * <p>After every kill: each survivor completes a full round of its loop (which touches the counter, the tuple space,
 * the mutex and the semaphore the victim may have held) within {@link #PROGRESS_BOUND_NANOS}; no survivor reports an
 * error; every write the victim saw acknowledged is in the journal and the map holds that version or a later one.
 * Every tenth kill and at the end, verify holds. At the end: every job tuple written was acknowledged exactly once
 * (the victims' unacknowledged ones came back and were taken again), and the mutex and both permits can be taken.
 */
class ChaosTest {
    static final int KILLS = Integer.getInteger("slate.chaos.kills", 50);
    static final long PROGRESS_BOUND_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String[] TARGETS = {FaultPoints.KV_LOCKED, FaultPoints.KV_APPENDED, FaultPoints.JOURNAL_WRITING, null};
    private static final int SURVIVORS = 3;

    @RegisterExtension
    final Processes processes = new Processes();

    /** The test's view of the journal: every key/value record written by a victim, as "key@version". */
    private final Set<String> victimRecords = new HashSet<>();
    private Tailer journalTail;

    @Test
    void survivorsKeepWorkingThroughFiftyKills() throws Exception {
        final Path dir = processes.dir("chaos");
        final Random random = new Random(6);
        final Map<String, Integer> landed = new LinkedHashMap<>();
        long worstRecovery = 0;
        long ackedChecked = 0;
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("chaos-test").retainCycles(0))) {
            journalTail = space.journal().tailerFromStart();
            final List<ChildJvm> survivors = new ArrayList<>();
            final int[] seen = new int[SURVIVORS];
            for (int i = 0; i < SURVIVORS; i++) {
                final ChildJvm c = processes.child("survivor-" + i, ChaosWorker.class, dir.toString(), "survivor-" + i, "survivor", Integer.toString(i));
                survivors.add(c);
            }
            for (ChildJvm c : survivors) {
                c.awaitLineStartingWith("P ", 60, TimeUnit.SECONDS);
            }
            final long started = System.nanoTime();
            ChildJvm next = startVictim(dir, 0, random);
            for (int k = 0; k < KILLS; k++) {
                final long killStart = System.nanoTime();
                final String target = TARGETS[k % TARGETS.length];
                final ChildJvm victim = next;
                victim.awaitLineStartingWith("READY", 60, TimeUnit.SECONDS);
                Files.createFile(dir.resolve("go-victim-" + k));
                // the next one starts its JVM and opens the space while this one works, dies and is checked
                next = k + 1 < KILLS ? startVictim(dir, k + 1, random) : null;
                if (target != null) {
                    victim.awaitLineStartingWith("INSIDE " + target, 60, TimeUnit.SECONDS);
                } else {
                    Thread.sleep(50 + random.nextInt(400));
                }
                final long killedAt = System.nanoTime();
                victim.kill();
                final List<String> out = victim.output();
                final String last = out.isEmpty() ? "" : out.get(out.size() - 1);
                landed.merge(last.startsWith("INSIDE ") ? last.substring(7) : "elsewhere", 1, Integer::sum);
                for (String line : out) {
                    if (line.startsWith("ERROR")) {
                        fail("victim " + k + " failed before it was killed: " + String.join("\n", out));
                    }
                }
                // every survivor finishes a round it started after the kill, within the bound
                for (int i = 0; i < SURVIVORS; i++) {
                    final long recovered = awaitRoundAfter(survivors.get(i), killedAt, "kill " + k + " (" + last + ")");
                    worstRecovery = Math.max(worstRecovery, recovered - killedAt);
                }
                // every write the victim saw acknowledged is in the journal, and the map has it or a later version
                for (String line : out) {
                    if (line.startsWith("A ")) {
                        final String[] f = line.split(" ");
                        final String key = f[1];
                        final long version = Long.parseLong(f[2]);
                        awaitInJournal(key + "@" + version, "kill " + k);
                        final Entry e = space.kv().get(key);
                        assertTrue(e != null && e.version() >= version, "kill " + k + ": acknowledged " + key + " v" + version + " but the map has " + e);
                        ackedChecked++;
                    }
                }
                if (k % 10 == 9) {
                    final VerifyReport r = space.journal().verify();
                    assertTrue(r.ok(), "after kill " + k + ": " + r);
                }
                System.out.printf("chaos: kill %d (%s) landed in '%s', round took %.0f ms%n", k, target, last, (System.nanoTime() - killStart) / 1e6);
            }
            Files.createFile(dir.resolve(ChaosWorker.STOP_FILE));
            for (ChildJvm c : survivors) {
                assertEquals(0, c.awaitExit(60, TimeUnit.SECONDS), c.stderr() + String.join("\n", c.output()));
                for (String line : c.output()) {
                    assertTrue(!line.startsWith("ERROR"), line);
                }
            }
            // the dead victims' mutex and permits are taken over; their unacknowledged jobs are back and get taken
            final Sync sync = Sync.of(space);
            final Mutex mutex = sync.mutex("chaos");
            assertTrue(mutex.tryLock(10, TimeUnit.SECONDS) > 0, "mutex still held: " + mutex.owner());
            mutex.unlock();
            final Semaphore semaphore = sync.semaphore("chaos-permits", 2);
            assertTrue(semaphore.tryAcquire(2, 10, TimeUnit.SECONDS), "permits still held: " + semaphore.holders());
            semaphore.release(2);
            try (TupleSpace jobs = TupleSpace.of(space, "jobs")) {
                Taken t;
                while ((t = jobs.inWithAck(ChaosWorker.JOBS, 2, TimeUnit.SECONDS)) != null) {
                    assertTrue(t.ack());
                }
            }
            final long[] tuples = tupleAccounting(space);
            assertTrue(tuples[0] > 0);
            assertEquals(tuples[0], tuples[1], "jobs written vs jobs acknowledged");
            assertEquals(0, tuples[2], "jobs acknowledged twice");
            final VerifyReport r = space.journal().verify();
            assertTrue(r.ok(), r.toString());
            final long repairs = ((ChronicleSpace) space).chronicleKv().guards().repairs();
            System.out.printf("chaos: %d kills survived; landed %s; worst recovery %.1f ms; %d acknowledged writes checked; "
                            + "%d jobs, each acknowledged once; %d segment repairs; verify: %s%n",
                    KILLS, landed, worstRecovery / 1e6, ackedChecked, tuples[0], repairs, r);
            for (int i = 0; i < 3; i++) {
                assertTrue(landed.getOrDefault(TARGETS[i], 0) > 0, "no kill landed inside " + TARGETS[i] + ": " + landed);
            }
            journalTail.close();
        }
    }

    /** A victim to be killed inside a fault point stops in one now and then; the others never stop. */
    private ChildJvm startVictim(final Path dir, final int k, final Random random) {
        final String target = TARGETS[k % TARGETS.length];
        return processes.child("victim-" + k, ChaosWorker.class, dir.toString(), "victim-" + k, "victim",
                Long.toString(random.nextLong()), Double.toString(target == null ? 0 : ChaosWorker.STOP_CHANCE));
    }

    /** Waits until the survivor prints a round that ended after {@code killedAt} and began after it; returns its time. */
    private static long awaitRoundAfter(final ChildJvm survivor, final long killedAt, final String what) throws InterruptedException {
        final long deadline = killedAt + TimeUnit.SECONDS.toNanos(20);
        long roundAtKill = -1;
        while (System.nanoTime() < deadline) {
            final List<String> out = survivor.output();
            for (String line : out) {
                if (line.startsWith("ERROR")) {
                    fail("survivor failed after " + what + ": " + String.join("\n", out.subList(Math.max(0, out.size() - 40), out.size())));
                }
            }
            for (int i = out.size() - 1; i >= 0; i--) {
                final String line = out.get(i);
                if (!line.startsWith("P ")) {
                    continue;
                }
                final String[] f = line.split(" ");
                final long round = Long.parseLong(f[1]);
                final long at = Long.parseLong(f[2]);
                if (at <= killedAt) {
                    roundAtKill = Math.max(roundAtKill, round);
                    break;
                }
            }
            // the first round that began after the kill is roundAtKill + 2 (roundAtKill + 1 may have begun before it)
            for (String line : out) {
                if (line.startsWith("P ")) {
                    final String[] f = line.split(" ");
                    final long at = Long.parseLong(f[2]);
                    if (roundAtKill >= 0 && Long.parseLong(f[1]) >= roundAtKill + 2 && at > killedAt) {
                        assertTrue(at - killedAt <= PROGRESS_BOUND_NANOS, what + ": a survivor needed " + (at - killedAt) / 1_000_000 + " ms to progress");
                        return at;
                    }
                }
            }
            if (!survivor.isAlive()) {
                fail("survivor died after " + what + ": " + survivor.stderr());
            }
            Thread.sleep(5);
        }
        fail("no survivor progress within 20 s after " + what);
        return -1;
    }

    private void awaitInJournal(final String keyAtVersion, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!victimRecords.contains(keyAtVersion)) {
            final JournalRecord r = journalTail.next(100, TimeUnit.MILLISECONDS);
            if (r != null) {
                if (r.op().isKeyValue() && r.agent().toString().startsWith("victim-")) {
                    victimRecords.add(r.key() + "@" + r.version());
                }
            } else if (System.nanoTime() > deadline) {
                fail(what + ": acknowledged write " + keyAtVersion + " is not in the journal");
            }
        }
    }

    /** {jobs written, distinct jobs acknowledged, acknowledgements beyond the first} from the journal. */
    private static long[] tupleAccounting(final Space space) {
        final Set<Long> written = new HashSet<>();
        final Set<Long> acked = new HashSet<>();
        long duplicates = 0;
        try (Tailer t = space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(200, TimeUnit.MILLISECONDS)) != null) {
                if (!"jobs".contentEquals(r.key())) {
                    continue;
                }
                if (r.op() == Op.TUPLE_OUT) {
                    written.add(r.index()); // a tuple's id is the index of its out record
                } else if (r.op() == Op.TUPLE_ACK && !acked.add(r.version())) {
                    duplicates++;
                }
            }
        }
        acked.retainAll(written);
        return new long[] {written.size(), acked.size(), duplicates};
    }
}
