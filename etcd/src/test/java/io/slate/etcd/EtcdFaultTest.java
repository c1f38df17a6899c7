package io.slate.etcd;

import io.slate.etcd.testing.SharedEtcdCluster;
import io.etcd.jetcd.options.GetOption;
import io.slate.etcd.testing.EtcdCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine pieces while etcd members are SIGKILLed, SIGSTOPped past the election timeout and stopped below
 * quorum. Each test leaves the cluster whole again (every member running and healthy) for the next. The stalls the
 * faults caused are printed ({@code [etcd] ...}), never asserted beyond generous sanity bounds.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdFaultTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);
    /** Without etcd each test skips (or fails under CI=true) with the reason. */
    @RegisterExtension
    static final SharedEtcdCluster ETCD = new SharedEtcdCluster(3);

    @AfterEach
    void heal() {
        if (ETCD.cluster() == null) {
            return;
        }
        for (final EtcdCluster.Member m : ETCD.cluster().members()) {
            if (!m.isRunning()) {
                if (ProcessHandle.of(m.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    m.resume();
                } else {
                    m.restart();
                }
            }
        }
        ETCD.cluster().awaitHealthy(TimeUnit.SECONDS.toNanos(30));
    }

    private static EtcdConnection connect(final String space, final long requestMillis, final long operationMillis) {
        return EtcdConnection.open(EtcdAddress.parse(ETCD.cluster().address(space)),
                TestOptions.options().requestTimeoutMillis(requestMillis).operationTimeoutMillis(operationMillis));
    }

    private static byte[] b(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void twelveIncrementsAroundALeaderSigkillLeaveTheCounterAtTwelve() {
        final SpaceLayout layout = new SpaceLayout("twelve");
        try (EtcdConnection c = connect("twelve", 1_000, 20_000)) {
            final EtcdKeyValue kv = new EtcdKeyValue(c, layout, "test");
            final EtcdCluster.Member leader = ETCD.cluster().leader(TEN_SECONDS);
            final AtomicBoolean armed = new AtomicBoolean();
            final AtomicLong killedAt = new AtomicLong();
            // the leader dies right after the 7th increment's Txn was sent: that request's outcome is unknown
            kv.observer((id, attempt) -> {
                if (armed.compareAndSet(true, false)) {
                    leader.kill();
                    killedAt.set(System.nanoTime());
                }
            });
            long stallNanos = 0;
            for (int i = 1; i <= 12; i++) {
                armed.set(i == 7);
                final long t0 = System.nanoTime();
                while (true) {
                    final KeyValueEngine.Entry e = kv.get(b("counter"), KeyValueEngine.Consistency.STRONG, 0);
                    final long value = e.value == null ? 0 : Long.parseLong(new String(e.value, StandardCharsets.UTF_8));
                    final KeyValueEngine.Commit commit = kv.put(b("counter"), e.version, b(Long.toString(value + 1)), kv.newRequestId());
                    if (commit.applied()) {
                        break;
                    }
                }
                if (i == 7) {
                    stallNanos = System.nanoTime() - t0;
                }
            }
            assertTrue(killedAt.get() != 0, "the leader was killed mid-request");
            System.out.println("[etcd] leader SIGKILL during an increment: that increment took "
                    + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms; attempts with unknown outcome: " + kv.unknownOutcomes()
                    + ", settled by finding their own record: " + kv.settledByRecord());
            final KeyValueEngine.Entry end = kv.get(b("counter"), KeyValueEngine.Consistency.STRONG, 0);
            assertEquals("12", new String(end.value, StandardCharsets.UTF_8));
            assertEquals(12, end.version);
            final List<String> values = new ArrayList<>();
            final Set<String> ids = new HashSet<>();
            try (JournalTailer t = new JournalTailer(c, layout, 0)) {
                for (EtcdRecord r = t.poll(2_000); r != null; r = t.poll(300)) {
                    values.add(new String(r.value, StandardCharsets.UTF_8));
                    assertTrue(ids.add(r.requestId), "one record per request id");
                }
            }
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"), values);
        }
    }

    @Test
    void tailersDeliverEveryAcknowledgedRecordOnceAndInOrderAcrossALeaderKillAndAMemberPause() throws Exception {
        final SpaceLayout layout = new SpaceLayout("tail");
        try (EtcdConnection wc = connect("tail", 1_000, 20_000); EtcdConnection rc = connect("tail", 1_000, 20_000)) {
            final EtcdKeyValue kv = new EtcdKeyValue(wc, layout, "writer");
            final List<Long> acked = Collections.synchronizedList(new ArrayList<>());
            final List<Long> ackNanos = Collections.synchronizedList(new ArrayList<>());
            final AtomicBoolean stop = new AtomicBoolean();
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 0; !stop.get(); i++) {
                    final KeyValueEngine.Commit commit = kv.put(b("k" + i), KeyValueEngine.ABSENT, b("v" + i), kv.newRequestId());
                    assertTrue(commit.applied(), "k" + i + ": " + commit);
                    acked.add(commit.index);
                    ackNanos.add(System.nanoTime());
                }
            });
            final List<Long> delivered = Collections.synchronizedList(new ArrayList<>());
            final AtomicBoolean readerDone = new AtomicBoolean();
            final CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                final TailerPositions positions = new TailerPositions(rc, layout);
                JournalTailer t = new JournalTailer(rc, layout, positions.load("reader"));
                try {
                    while (!readerDone.get()) {
                        final EtcdRecord r = t.poll(200);
                        if (r == null) {
                            continue;
                        }
                        delivered.add(r.index);
                        if (delivered.size() == 100) { // a named tailer resumes from its stored position
                            positions.store("reader", t.position());
                            t.close();
                            t = new JournalTailer(rc, layout, positions.load("reader"));
                        }
                    }
                } finally {
                    t.close();
                }
            });
            awaitAcked(acked, 40, writer);
            final EtcdCluster.Member leader = ETCD.cluster().leader(TEN_SECONDS);
            final long killAt = System.nanoTime();
            leader.kill();
            awaitAcked(acked, acked.size() + 40, writer);
            leader.restart();
            awaitAcked(acked, acked.size() + 20, writer);
            final EtcdCluster.Member paused = ETCD.cluster().leader(TEN_SECONDS);
            final long pauseAt = System.nanoTime();
            paused.pause();
            Thread.sleep(EtcdCluster.ELECTION_TIMEOUT_MILLIS * 5 / 2);
            awaitAcked(acked, acked.size() + 20, writer);
            paused.resume();
            awaitAcked(acked, acked.size() + 40, writer);
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (delivered.size() < acked.size() && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            Thread.sleep(300); // anything extra would show now
            readerDone.set(true);
            reader.get(30, TimeUnit.SECONDS);
            System.out.println("[etcd] " + acked.size() + " commits; writes stalled " + stall(ackNanos, killAt, pauseAt)
                    + " ms around the leader SIGKILL, " + stall(ackNanos, pauseAt, Long.MAX_VALUE) + " ms around the SIGSTOP of the next leader ("
                    + EtcdCluster.ELECTION_TIMEOUT_MILLIS * 5 / 2 + " ms); unknown outcomes settled: " + kv.unknownOutcomes());
            assertEquals(new ArrayList<>(acked), new ArrayList<>(delivered), "the tailer delivered exactly the acknowledged commits, in order");
            for (int i = 1; i < delivered.size(); i++) {
                assertTrue(delivered.get(i) > delivered.get(i - 1));
            }
        }
    }

    private static void awaitAcked(final List<Long> acked, final int n, final CompletableFuture<Void> writer) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acked.size() < n) {
            if (writer.isDone()) {
                writer.get(); // its failure
                throw new AssertionError("the writer stopped after " + acked.size() + " commits");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + acked.size() + " of " + n + " commits acknowledged within 30 s");
            }
            Thread.sleep(5);
        }
    }

    /** The longest gap between two acknowledgements in the 10 s after {@code faultNanos} (and before {@code endNanos}), in ms. */
    private static long stall(final List<Long> ackNanos, final long faultNanos, final long endNanos) {
        long prev = faultNanos;
        long max = 0;
        synchronized (ackNanos) {
            for (final long t : ackNanos) {
                if (t < faultNanos) {
                    prev = Math.max(prev, t);
                    continue;
                }
                if (t - faultNanos > TimeUnit.SECONDS.toNanos(10) || t >= endNanos) {
                    break;
                }
                max = Math.max(max, t - prev);
                prev = t;
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(max);
    }

    @Test
    void withoutQuorumAWriteFailsWithinItsTimeoutAcknowledgingNothingAndSettlesOnceQuorumReturns() {
        final SpaceLayout layout = new SpaceLayout("quorum");
        final long timeout = 3_000;
        try (EtcdConnection c = connect("quorum", 1_000, timeout)) {
            final EtcdKeyValue kv = new EtcdKeyValue(c, layout, "test");
            assertTrue(kv.put(b("q"), KeyValueEngine.ABSENT, b("before"), kv.newRequestId()).applied());
            final EtcdCluster.Member survivor = ETCD.cluster().leader(TEN_SECONDS);
            final List<EtcdCluster.Member> stopped = new ArrayList<>();
            for (final EtcdCluster.Member m : ETCD.cluster().members()) {
                if (m != survivor) {
                    m.stop();
                    stopped.add(m);
                }
            }
            final String id = kv.newRequestId();
            final long t0 = System.nanoTime();
            final EtcdFailure e = assertThrows(EtcdFailure.class, () -> kv.put(b("q"), 1, b("during"), id));
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("[etcd] no quorum: write failed after " + ms + " ms: " + e.getMessage());
            assertFalse(e.definite(), "its outcome is unknown");
            assertEquals(EtcdFailure.Kind.NOT_CONFIRMED, e.kind());
            assertTrue(e.getMessage().contains(ETCD.cluster().endpoints()) && e.getMessage().contains("nothing was acknowledged"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertTrue(ms >= timeout - 100 && ms < timeout + 3_000, "failed within its timeout (+ sanity margin): " + ms + " ms");

            final KeyValueEngine.Entry eventual = kv.get(b("q"), KeyValueEngine.Consistency.EVENTUAL, 0);
            assertArrayEquals(b("before"), eventual.value, "EVENTUAL reads still answer");
            final EtcdFailure strong = assertThrows(EtcdFailure.class, () -> kv.get(b("q"), KeyValueEngine.Consistency.STRONG, 0));
            System.out.println("[etcd] no quorum: " + strong.getMessage());
            assertTrue(strong.getMessage().contains("STRONG read of key 'q'") && strong.getMessage().contains(ETCD.cluster().endpoints()), strong.getMessage());

            for (final EtcdCluster.Member m : stopped) {
                m.restart();
            }
            ETCD.cluster().awaitHealthy(TimeUnit.SECONDS.toNanos(30));
            // nothing half-written: the key moved iff its record exists
            final KeyValueEngine.Entry now = kv.get(b("q"), KeyValueEngine.Consistency.STRONG, 0);
            final boolean recorded = !c.get(layout.journalKey(id), GetOption.DEFAULT, "record").getKvs().isEmpty();
            assertEquals(recorded, now.version == 2, "key and record move together; recorded=" + recorded + " version=" + now.version);
            // the caller settles the unknown outcome with the same request id: applied exactly once
            final KeyValueEngine.Commit settled = kv.put(b("q"), 1, b("during"), id);
            assertTrue(settled.applied(), settled.toString());
            assertEquals(recorded ? KeyValueEngine.Commit.Status.ALREADY_COMMITTED : KeyValueEngine.Commit.Status.COMMITTED, settled.status);
            final KeyValueEngine.Entry after = kv.get(b("q"), KeyValueEngine.Consistency.STRONG, 0);
            assertArrayEquals(b("during"), after.value);
            assertEquals(2, after.version);
            assertEquals(2, c.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(), "count").getCount());
            assertNotNull(survivor);
        }
    }
}
