package io.slate.etcd.backend;

import io.slate.consistency.Consistency;
import io.slate.consistency.KeyValueView;
import io.slate.etcd.testing.EtcdCluster;
import io.slate.space.SpaceException;
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
import io.slate.testing.ChildJvm;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The etcd backend through the public API under faults, with real agent JVMs and real etcd members (3): agents write,
 * take tuples with ack and pass a fenced mutex around while the leader or a follower is SIGKILLed or the leader is frozen
 * (SIGSTOP) past the election timeout; an agent SIGKILLed while holding
 * the mutex, a permit and an unacknowledged take has them returned within its lease's TTL plus a margin. The times
 * measured are printed (docs/multi-host.md), never asserted beyond generous sanity bounds.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EtcdBackendFaultTest {
    /** The lease TTL of the killed holder: short, so that what it held comes back soon. */
    private static final long TTL_SECONDS = 2;
    /**
     * The lease TTL of agents that must live through a leader's death: the default. A new leader extends every lease
     * by its TTL, but the keep-alives must reach it within that TTL again; 2 s is too short for that on a loaded
     * 2-core machine (an agent was declared dead in one run), 5 s is not.
     */
    private static final long SURVIVOR_TTL_SECONDS = 5;
    private static EtcdCluster cluster;

    static {
        System.setProperty("slate.etcd.leaseTtlSeconds", Long.toString(SURVIVOR_TTL_SECONDS));
        System.setProperty("slate.etcd.connectTimeoutMillis", "30000");
    }

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ChildJvm agent(final long ttlSeconds, final String command, final String address, final String id, final String... more) {
        final String[] args = new String[3 + more.length];
        args[0] = command;
        args[1] = address;
        args[2] = id;
        System.arraycopy(more, 0, args, 3, more.length);
        return ChildJvm.start(id, BackendAgentMain.class, List.of("-Dslate.etcd.leaseTtlSeconds=" + ttlSeconds,
                "-Dslate.etcd.connectTimeoutMillis=30000", "-Dslate.etcd.operationTimeoutMillis=" + AGENT_OPERATION_TIMEOUT_MILLIS), args);
    }

    /**
     * The agents' operation timeout. An operation during a leader pause waits for the election (1 s here) and then for
     * the retries that reach the new leader; an attempt sent to the paused member gets no answer for a whole request
     * timeout (2 s) before it is retried elsewhere (reads are hedged across members and do not wait for it). On this
     * 2-core host, with three members and four JVMs sharing it, a write took longer than the default 10 s once, and the
     * agent died of it: the test is about agents carrying on, so they get 30 s, and the stall is measured and reported.
     */
    private static final long AGENT_OPERATION_TIMEOUT_MILLIS = 30_000;

    /** The faults the three agents live through. */
    enum Fault {
        LEADER_SIGKILL, FOLLOWER_SIGKILL, LEADER_SIGSTOP
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void threeAgentsWriteTakeAndPassTheMutexAcrossAFault(final Fault fault) throws Exception {
        final String address = cluster.address("fault-" + fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-"
                + ProcessHandle.current().pid());
        final int jobs = 45;
        final int rounds = 20;
        final List<ChildJvm> agents = new ArrayList<>();
        try (Space s = Space.open(SpaceOptions.of(address).agentId("observer-test"));
             TupleSpace ts = TupleSpace.of(s, "jobs")) {
            for (long i = 0; i < jobs; i++) {
                ts.out(Tuple.of("job", i));
            }
            for (int a = 1; a <= 3; a++) {
                agents.add(agent(SURVIVOR_TTL_SECONDS, "work", address, "agent" + a, Integer.toString(rounds)));
            }
            final Map<ChildJvm, List<String>> lines = new HashMap<>();
            for (ChildJvm c : agents) {
                assertEquals("ready", c.awaitLineStartingWith("ready", 90, TimeUnit.SECONDS), c.lastLines(10));
                lines.put(c, new ArrayList<>());
                lines.get(c).add(c.awaitLineStartingWith("put ", 60, TimeUnit.SECONDS));
            }
            // a named tailer reads part of the journal before the fault, and resumes after it
            final List<Long> audited = new ArrayList<>();
            try (Tailer audit = s.journal().namedTailer("audit")) {
                for (int i = 0; i < jobs + 3; i++) {
                    final JournalRecord r = audit.next(30, TimeUnit.SECONDS);
                    assertNotNull(r);
                    audited.add(r.index());
                }
            }
            final EtcdCluster.Member leader = cluster.leader(TimeUnit.SECONDS.toNanos(30));
            final EtcdCluster.Member victim = fault == Fault.FOLLOWER_SIGKILL ? cluster.follower(leader) : leader;
            // the agents wait after their first put until "go": the fault comes as they start the other rounds, not
            // after as many rounds as they managed while the others started (faster agents finished most before it)
            s.kv().putString("go", "1");
            final long killedAt = System.currentTimeMillis();
            if (fault == Fault.LEADER_SIGSTOP) {
                victim.pause(); // frozen past 2.5 election timeouts: the others elect a new leader meanwhile
                Thread.sleep(5 * EtcdCluster.ELECTION_TIMEOUT_MILLIS / 2);
                victim.resume();
            } else {
                victim.kill();
            }
            for (ChildJvm c : agents) {
                while (true) {
                    final String line = c.awaitLine(120, TimeUnit.SECONDS);
                    if (line.equals("done")) {
                        break;
                    }
                    lines.get(c).add(line);
                }
                assertEquals(0, c.awaitExit(60, TimeUnit.SECONDS), c::stderr);
            }
            if (fault != Fault.LEADER_SIGSTOP) {
                victim.restart();
            }

            // every acknowledged write is in the map and in the journal, at the index it was acknowledged with
            final Map<Long, String> journal = new TreeMap<>();
            final List<Long> all = new ArrayList<>();
            try (Tailer t = s.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    all.add(r.index());
                    if (r.op() == Op.PUT) {
                        journal.put(r.index(), r.key() + " " + r.version());
                    }
                }
            }
            try (Tailer audit = s.journal().namedTailer("audit")) {
                JournalRecord r;
                while ((r = audit.next(0, TimeUnit.MILLISECONDS)) != null) {
                    audited.add(r.index());
                }
            }
            assertEquals(all, audited, "the named tailer resumed across the fault with no gap and no duplicate");
            assertEquals(3 * rounds, s.kv().get("increments").valueAsLong(), "every increment applied exactly once");
            assertEquals(3 * rounds, Sync.of(s).counter("rounds").get(), "every counter add applied exactly once");
            final List<long[]> writes = new ArrayList<>();
            final Set<Long> ackedValues = new HashSet<>();
            final Set<Long> tokens = new HashSet<>();
            int acks = 0;
            for (List<String> ls : lines.values()) {
                long lastToken = 0;
                for (String line : ls) {
                    final String[] f = line.split(" ");
                    switch (f[0]) {
                        case "put": {
                            final Entry e = s.kv().get(f[1]);
                            assertNotNull(e, line);
                            assertEquals(Long.parseLong(f[2]), e.version(), line);
                            assertEquals(Long.parseLong(f[3]), e.journalIndex(), line);
                            assertEquals(f[1] + " " + f[2], journal.get(Long.parseLong(f[3])), "the journal holds the write at its index: " + line);
                            writes.add(new long[] {Long.parseLong(f[4])});
                            break;
                        }
                        case "token": {
                            final long token = Long.parseLong(f[1]);
                            assertTrue(token > Long.parseLong(f[2]), "a token never goes back: " + line);
                            assertTrue(token > lastToken, line);
                            assertTrue(tokens.add(token), "one token per acquisition: " + line);
                            lastToken = token;
                            writes.add(new long[] {Long.parseLong(f[3])});
                            break;
                        }
                        case "ack":
                            assertTrue(ackedValues.add(Long.parseLong(f[2])), "acknowledged twice: " + line);
                            acks++;
                            writes.add(new long[] {Long.parseLong(f[3])});
                            break;
                        case "overlap":
                            fail("two holders of the mutex at once: " + line);
                            break;
                        default:
                            fail("unexpected line " + line);
                    }
                }
            }
            assertEquals(3 * rounds, tokens.size(), "every agent passed the mutex every round");
            assertEquals(jobs, acks, "every tuple acknowledged exactly once");
            assertEquals(jobs, ackedValues.size());
            assertEquals(0, ts.count(BackendAgentMain.JOB));
            final VerifyReport report = s.journal().verify();
            assertTrue(report.ok(), report.toString());
            // how long the kill stalled acknowledgements: the longest gap between two acknowledged operations after it
            writes.sort((x, y) -> Long.compare(x[0], y[0]));
            final long after = writes.stream().filter(w -> w[0] > killedAt).count();
            assertTrue(after > writes.size() / 2, "most operations came after the kill (" + after + " of " + writes.size() + "): the agents carried on");
            long longest = 0;
            for (int i = 1; i < writes.size(); i++) {
                if (writes.get(i)[0] >= killedAt) {
                    longest = Math.max(longest, writes.get(i)[0] - Math.max(killedAt, writes.get(i - 1)[0]));
                }
            }
            System.out.println("[etcd-backend-fault] " + fault + " with 3 agents writing/taking/locking: longest gap between acknowledged"
                    + " operations after the fault " + longest + " ms; " + writes.size() + " operations acknowledged");
        } finally {
            agents.forEach(ChildJvm::close);
            Space.delete(address);
        }
    }

    @Test
    void withoutQuorumWritesFailClearlyEventualReadsAnswerAndTheAgentCarriesOnAfter() throws Exception {
        final String address = cluster.address("fault-quorum-" + ProcessHandle.current().pid());
        final long timeout = 3_000;
        System.setProperty("slate.etcd.operationTimeoutMillis", Long.toString(timeout));
        final Space s;
        try {
            s = Space.open(SpaceOptions.of(address).agentId("alone"));
        } finally {
            System.clearProperty("slate.etcd.operationTimeoutMillis");
        }
        try (s; KeyValueView eventual = KeyValueView.open(s, Consistency.EVENTUAL);
             KeyValueView strong = KeyValueView.open(s, Consistency.STRONG)) {
            assertEquals(1, s.kv().putString("k", "before"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (eventual.get("k") == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("before", eventual.get("k").valueAsString());
            final EtcdCluster.Member survivor = cluster.leader(TimeUnit.SECONDS.toNanos(30));
            final List<EtcdCluster.Member> stopped = new ArrayList<>();
            for (EtcdCluster.Member m : cluster.members()) {
                if (m != survivor) {
                    m.stop();
                    stopped.add(m);
                }
            }
            final long t0 = System.nanoTime();
            final SpaceException e = assertThrows(SpaceException.class, () -> s.kv().putString("k", "during"));
            final long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(e.getMessage().startsWith(address + ": commit of key 'k'") && e.getMessage().contains(cluster.endpoints())
                    && e.getMessage().contains("nothing was acknowledged") && !e.getMessage().contains("\n"), e.getMessage());
            assertTrue(writeMillis < timeout + 10_000, "failed within its timeout (plus a sanity margin): " + writeMillis + " ms");
            final long t1 = System.nanoTime();
            assertEquals("before", eventual.get("k").valueAsString(), "EVENTUAL reads still answer");
            final long eventualMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
            assertEquals("before", eventual.get("k").valueAsString());
            final SpaceException st = assertThrows(SpaceException.class, () -> strong.get("k"), "STRONG reads fail");
            assertTrue(st.getMessage().contains(cluster.endpoints()), st.getMessage());
            for (EtcdCluster.Member m : stopped) {
                m.restart();
            }
            cluster.awaitHealthy(TimeUnit.SECONDS.toNanos(30));
            // the same handle carries on: nothing half-written, its lease survived, writes and locks work again
            final long version = s.kv().putString("k", "after");
            assertEquals("after", s.kv().get("k").valueAsString());
            assertTrue(version == 2 || version == 3, "the failed write applied at most once: version " + version);
            assertTrue(Sync.of(s).mutex("m").lock() > 0);
            Sync.of(s).mutex("m").unlock();
            final VerifyReport report = s.journal().verify();
            assertTrue(report.ok(), report.toString());
            System.out.println("[etcd-backend-fault] no quorum (2 of 3 stopped), operation timeout " + timeout + " ms: the write failed after "
                    + writeMillis + " ms (" + e.getMessage() + "); the first EVENTUAL read answered after " + eventualMillis + " ms");
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void aKilledAgentsMutexPermitAndTakeComeBackWithinItsLease() throws Exception {
        final String address = cluster.address("fault-holder-" + ProcessHandle.current().pid());
        try (Space s = Space.open(SpaceOptions.of(address).agentId("survivor"));
             TupleSpace ts = TupleSpace.of(s, "jobs");
             ChildJvm holder = agent(TTL_SECONDS, "hold", address, "holder")) {
            ts.out(Tuple.of("job", 42L));
            final String[] held = holder.awaitLineStartingWith("holding", 90, TimeUnit.SECONDS).split(" ");
            final long token = Long.parseLong(held[1]);
            assertTrue(Long.parseLong(held[2]) > 0, "the holder took the tuple");
            final Mutex baton = Sync.of(s).mutex("baton");
            final Semaphore uplink = Sync.of(s).semaphore("uplink", 1);
            assertEquals(Mutex.TIMED_OUT, baton.tryLock(300, TimeUnit.MILLISECONDS), "a live holder is never robbed");
            assertTrue(!uplink.tryAcquire(1, 0, TimeUnit.MILLISECONDS), "its permit is held");
            assertEquals(0, ts.count(BackendAgentMain.JOB), "its take is held");

            final long killed = System.nanoTime();
            holder.kill();
            final long next = baton.tryLock(60, TimeUnit.SECONDS);
            final long lockMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(next > token, "taken over with a higher token: " + next + " after " + token);
            assertEquals(next, baton.lastRecoveredToken(), "the new holder learns that the previous one died holding it");
            assertTrue(uplink.tryAcquire(1, 60, TimeUnit.SECONDS), "the dead holder's permit came back");
            final long permitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            final Tuple back = ts.in(BackendAgentMain.JOB, 60, TimeUnit.SECONDS);
            final long tupleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertNotNull(back, "the dead taker's tuple came back");
            assertEquals(42L, back.getLong(1));
            baton.unlock();
            uplink.release();
            // a generous sanity bound only: the TTL is 2 s; the numbers are what docs/multi-host.md reports
            assertTrue(tupleMillis < TimeUnit.SECONDS.toMillis(30), tupleMillis + " ms");
            System.out.println("[etcd-backend-fault] agent SIGKILLed holding mutex, permit and take (lease TTL " + TTL_SECONDS + " s): mutex after "
                    + lockMillis + " ms, permit after " + permitMillis + " ms, tuple after " + tupleMillis + " ms");
        } finally {
            Space.delete(address);
        }
    }
}
