package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.GetOption;
import io.slate.etcd.testing.EtcdCluster;
import io.slate.journal.Op;
import io.slate.spi.LogRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The etcd engine pieces against a real 3-member cluster (no faults here; see {@link EtcdFaultTest}): the commit and
 * its version conflicts, settling a retried request once, the tailer and named positions, the mutex and its fencing
 * tokens, lease expiry of a SIGKILLed agent JVM, and the one-line errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdEngineTest {
    private static EtcdCluster cluster;
    private static EtcdConnection connection;

    @BeforeAll
    static void startCluster() {
        if (EtcdCluster.findEtcd() != null) { // without etcd each test skips (or fails under CI=true) with the reason
            cluster = EtcdCluster.start(3);
            connection = EtcdConnection.open(EtcdAddress.parse(cluster.address("engine")), TestOptions.options());
        }
    }

    @BeforeEach
    void requireEtcd() {
        EtcdCluster.requireEtcd();
    }

    @AfterAll
    static void stopCluster() {
        if (connection != null) {
            connection.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] b(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void commitComparesVersionsAndTheJournalIndexIsTheCommitRevision() {
        final SpaceLayout layout = new SpaceLayout("commit");
        final EtcdKeyValue kv = new EtcdKeyValue(connection, layout, "test");
        final KeyValueEngine.Commit c1 = kv.put(b("x"), KeyValueEngine.ABSENT, b("one"), kv.newRequestId());
        assertEquals(KeyValueEngine.Commit.Status.COMMITTED, c1.status);
        assertEquals(1, c1.version);
        final KeyValueEngine.Commit again = kv.put(b("x"), KeyValueEngine.ABSENT, b("other"), kv.newRequestId());
        assertEquals(KeyValueEngine.Commit.Status.CONFLICT, again.status);
        assertEquals(1, again.version, "a conflict reports the current version");
        final KeyValueEngine.Commit c2 = kv.put(b("x"), 1, b("two"), kv.newRequestId());
        assertEquals(2, c2.version);
        assertTrue(c2.index > c1.index, "indices grow: " + c1 + " then " + c2);
        final KeyValueEngine.Commit stale = kv.put(b("x"), 1, b("stale"), kv.newRequestId());
        assertEquals(KeyValueEngine.Commit.Status.CONFLICT, stale.status);
        assertEquals(2, stale.version);
        final KeyValueEngine.Entry e = kv.get(b("x"), KeyValueEngine.Consistency.STRONG, 0);
        assertArrayEquals(b("two"), e.value);
        assertEquals(2, e.version);
        assertEquals(c2.index, e.modRevision, "the key's mod revision is the journal index of its last commit");
        final KeyValueEngine.Commit d = kv.remove(b("x"), 2, kv.newRequestId());
        assertTrue(d.applied());
        assertEquals(3, d.version, "a removal is a version: the tombstone's");
        final KeyValueEngine.Entry gone = kv.get(b("x"), KeyValueEngine.Consistency.STRONG, 0);
        assertNull(gone.value);
        assertTrue(gone.removed);
        assertEquals(3, gone.version);
        assertEquals("test", gone.writer);
        assertEquals(3, kv.get(b("x"), KeyValueEngine.Consistency.CAUSAL, d.index).version);
        final KeyValueEngine.Commit again2 = kv.remove(b("x"), 3, kv.newRequestId());
        assertEquals(KeyValueEngine.Commit.Status.CONFLICT, again2.status, "a removed key cannot be removed again");
        assertTrue(again2.removed);
        // "absent" includes removed: the put lands on the tombstone's version and versions go on
        final KeyValueEngine.Commit back = kv.put(b("x"), KeyValueEngine.ABSENT, b("three"), kv.newRequestId());
        assertEquals(KeyValueEngine.Commit.Status.COMMITTED, back.status);
        assertEquals(4, back.version);

        // the journal holds exactly the applied commits, in index order, in the SPI's record layout
        try (JournalTailer t = new JournalTailer(connection, layout, 0)) {
            final EtcdRecord r1 = t.poll(5_000);
            final EtcdRecord r2 = t.poll(5_000);
            final EtcdRecord r3 = t.poll(5_000);
            final EtcdRecord r4 = t.poll(5_000);
            assertEquals(List.of(c1.index, c2.index, d.index, back.index), List.of(r1.index, r2.index, r3.index, r4.index));
            assertArrayEquals(b("one"), r1.value);
            assertArrayEquals(b("x"), r1.key);
            assertEquals("test", r1.agent);
            assertEquals(Op.PUT, r2.op());
            assertEquals(2, r2.version);
            assertEquals(Op.REMOVE, r3.op());
            assertTrue(r3.removed());
            assertEquals(3, r3.version);
            assertEquals(4, r4.version);
            assertTrue(r1.timestampNanos > 0 && r1.timestampNanos <= r4.timestampNanos);
            assertNull(t.poll(300), "conflicts wrote nothing");
        }
    }

    @Test
    void aStoredRecordIsReadByTheSpisFlyweightAndAForeignOneIsNamedAndSkipped() {
        final SpaceLayout layout = new SpaceLayout("layout");
        final EtcdKeyValue kv = new EtcdKeyValue(connection, layout, "agent-1");
        final KeyValueEngine.Commit c = kv.put(b("k"), 0, b("value"), kv.newRequestId());
        final io.etcd.jetcd.KeyValue stored = connection.get(layout.kvKey(b("k")), GetOption.DEFAULT, "k").getKvs().get(0);
        final LogRecord flyweight = new LogRecord();
        final byte[] bytes = stored.getValue().getBytes();
        assertNull(flyweight.wrap(c.index, new UnsafeBuffer(bytes), 0, bytes.length));
        assertEquals(Op.PUT, flyweight.op());
        assertEquals(1, flyweight.version());
        assertTrue(flyweight.keyEquals(b("k")));
        assertEquals(5, flyweight.valueLength());
        // a foreign value under the journal prefix: the tailer names it with its index, then reads on
        final long foreign = connection.read(() -> connection.kv().put(layout.journalKey("ffffffffffffffffffffffffffffffff"),
                ByteSequence.from(b("not a record"))), "foreign").getHeader().getRevision();
        final KeyValueEngine.Commit after = kv.put(b("k"), 1, b("value2"), kv.newRequestId());
        try (JournalTailer t = new JournalTailer(connection, layout, 0)) {
            assertEquals(c.index, t.poll(5_000).index);
            final EtcdFailure e = assertThrows(EtcdFailure.class, () -> t.poll(5_000));
            assertTrue(e.getMessage().contains("at index " + foreign) && e.getMessage().contains("space 'layout'"), e.getMessage());
            assertEquals(after.index, t.poll(5_000).index);
        }
    }

    @Test
    void aRetryWithTheSameRequestIdFindsItsOwnRecordInsteadOfApplyingTwice() {
        final SpaceLayout layout = new SpaceLayout("settle");
        final EtcdKeyValue kv = new EtcdKeyValue(connection, layout, "test");
        final String id = kv.newRequestId();
        final KeyValueEngine.Commit first = kv.put(b("counter"), 0, b("1"), id);
        assertEquals(KeyValueEngine.Commit.Status.COMMITTED, first.status);
        // the same request again, as after an unknown outcome: found, not applied twice
        final KeyValueEngine.Commit retry = kv.put(b("counter"), 0, b("1"), id);
        assertEquals(KeyValueEngine.Commit.Status.ALREADY_COMMITTED, retry.status);
        assertEquals(first.index, retry.index);
        assertEquals(1, retry.version);
        assertEquals(1, kv.settledByRecord());
        // even when the key has moved on since, the retry reports the original commit
        kv.put(b("counter"), 1, b("2"), kv.newRequestId());
        assertEquals(first.index, kv.put(b("counter"), 0, b("1"), id).index);
        assertEquals(2, connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(), "count").getCount());
        assertEquals(2, kv.get(b("counter"), KeyValueEngine.Consistency.STRONG, 0).version);
    }

    @Test
    void aValueOverEtcdsRequestLimitIsRefusedInOneLineAndNothingIsWritten() {
        final SpaceLayout layout = new SpaceLayout("big");
        final EtcdKeyValue kv = new EtcdKeyValue(connection, layout, "test");
        final EtcdFailure e = assertThrows(EtcdFailure.class, () -> kv.put(b("blob"), 0, new byte[1 << 20], kv.newRequestId()));
        System.out.println("[etcd] " + e.getMessage());
        assertEquals(EtcdFailure.Kind.TOO_LARGE, e.kind());
        assertTrue(e.definite());
        assertTrue(e.getMessage().contains("value for key 'blob' is 1048576 bytes") && e.getMessage().contains("1572864"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        // a client told a larger limit than the server's gets etcd's own refusal, also as one line
        try (EtcdConnection lax = EtcdConnection.open(EtcdAddress.parse(cluster.address("big")),
                TestOptions.options().maxRequestBytes(16 << 20))) {
            final EtcdKeyValue kv2 = new EtcdKeyValue(lax, layout, "test");
            final EtcdFailure server = assertThrows(EtcdFailure.class, () -> kv2.put(b("blob"), 0, new byte[1 << 20], kv2.newRequestId()));
            System.out.println("[etcd] " + server.getMessage());
            assertEquals(EtcdFailure.Kind.TOO_LARGE, server.kind(), server.getMessage());
            assertTrue(server.getMessage().contains(cluster.endpoints()), server.getMessage());
            assertFalse(server.getMessage().contains("\n"));
        }
        assertEquals(0, connection.get(layout.spacePrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(), "count").getCount());
    }

    @Test
    void unreachableEndpointsAreNamedInOneLine() throws Exception {
        final int p1;
        final int p2;
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            p1 = a.getLocalPort();
            p2 = b.getLocalPort();
        }
        final String eps = "127.0.0.1:" + p1 + ",127.0.0.1:" + p2;
        final long t0 = System.nanoTime();
        final EtcdFailure e = assertThrows(EtcdFailure.class, () -> EtcdConnection.open(EtcdAddress.parse("etcd://" + eps + "/x"),
                new EtcdConnection.Options().requestTimeoutMillis(1_000).connectTimeoutMillis(2_000)));
        final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("[etcd] " + e.getMessage());
        assertEquals(EtcdFailure.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("etcd at " + eps + " is unreachable"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(ms < 15_000, "bounded: " + ms + " ms");
    }

    @Test
    void aNamedTailerResumesAfterItsStoredPositionWithNoGapAndNoDuplicate() {
        final SpaceLayout layout = new SpaceLayout("named");
        final EtcdKeyValue kv = new EtcdKeyValue(connection, layout, "test");
        final List<Long> written = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            written.add(kv.put(b("k" + i), 0, b("v" + i), kv.newRequestId()).index);
        }
        final TailerPositions positions = new TailerPositions(connection, layout);
        assertEquals(0, positions.load("reader"));
        final List<Long> seen = new ArrayList<>();
        try (JournalTailer t = new JournalTailer(connection, layout, positions.load("reader"))) {
            for (int i = 0; i < 4; i++) {
                seen.add(t.poll(5_000).index);
            }
            assertEquals(t.position(), positions.store("reader", t.position()));
        }
        assertEquals(seen.get(3), positions.load("reader"));
        assertEquals(seen.get(3), positions.store("reader", seen.get(1)), "a position never moves back");
        // later commits arrive through the watch of the resumed tailer
        try (JournalTailer t = new JournalTailer(connection, layout, positions.load("reader"))) {
            for (int i = 0; i < 6; i++) {
                seen.add(t.poll(5_000).index);
            }
            for (int i = 10; i < 15; i++) {
                written.add(kv.put(b("k" + i), 0, b("v" + i), kv.newRequestId()).index);
                seen.add(t.poll(5_000).index);
            }
            assertNull(t.poll(200));
            assertEquals(0, t.relists());
        }
        assertEquals(written, seen);
    }

    @Test
    void theMutexExcludesAndItsFencingTokensOnlyGrow() throws Exception {
        final SpaceLayout layout = new SpaceLayout("mutex");
        try (AgentLease a = AgentLease.grant(connection, layout, 5, "a");
             AgentLease b = AgentLease.grant(connection, layout, 5, "b");
             SpaceWatch watch = new SpaceWatch(connection, layout)) {
            final EtcdMutex ma = new EtcdMutex(connection, layout, "m", a, watch);
            final EtcdMutex mb = new EtcdMutex(connection, layout, "m", b, watch);
            long last = 0;
            for (int round = 0; round < 3; round++) {
                final long ta = ma.lock(5_000);
                assertTrue(ta > last, "token " + ta + " after " + last);
                final EtcdFailure busy = assertThrows(EtcdFailure.class, () -> mb.lock(300));
                assertEquals(EtcdFailure.Kind.TIMED_OUT, busy.kind());
                final CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> mb.lock(10_000));
                Thread.sleep(100);
                assertFalse(waiting.isDone(), "b waits while a holds");
                ma.unlock();
                final long tb = waiting.get(10, TimeUnit.SECONDS);
                assertTrue(tb > ta, "token " + tb + " after " + ta);
                mb.unlock();
                last = tb;
            }
            assertTrue(AgentLease.isAlive(connection, a.id()));
        }
    }

    @Test
    void aSigkilledHoldersLeaseExpiresAndFreesTheMutexWithinTtlPlusAMargin() throws Exception {
        final SpaceLayout layout = new SpaceLayout("expiry");
        final long ttl = 2;
        try (ChildJvm holder = ChildJvm.start(MutexHolderMain.class, cluster.endpoints(), "expiry", "m", Long.toString(ttl));
             AgentLease me = AgentLease.grant(connection, layout, 5, "waiter");
             SpaceWatch watch = new SpaceWatch(connection, layout)) {
            final String[] held = holder.awaitLine("HELD ", 30_000).split(" ");
            final long holderToken = Long.parseLong(held[1]);
            final long holderLease = Long.parseLong(held[2], 16);
            assertTrue(AgentLease.isAlive(connection, holderLease));
            final EtcdMutex m = new EtcdMutex(connection, layout, "m", me, watch);
            final CompletableFuture<Long> mine = CompletableFuture.supplyAsync(() -> m.lock(30_000));
            Thread.sleep(3 * ttl * 1000 / 2);
            assertFalse(mine.isDone(), "the holder's keep-alive keeps the mutex held past its TTL");
            final long killed = System.nanoTime();
            holder.kill();
            final long token = mine.get(30, TimeUnit.SECONDS);
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.println("[etcd] mutex freed " + ms + " ms after SIGKILL of its holder (lease TTL " + ttl + " s)");
            assertTrue(token > holderToken, "fencing token " + token + " after the dead holder's " + holderToken);
            assertFalse(AgentLease.isAlive(connection, holderLease), "the killed agent is dead");
            assertTrue(ms < ttl * 1000 + 3_000, "freed within TTL + 3 s (sanity bound; measured " + ms + " ms)");
            m.unlock();
            assertTrue(connection.get(layout.agentKey(holderLease), GetOption.DEFAULT, "agent").getKvs().isEmpty(),
                    "the dead agent's registration went with its lease");
            assertEquals(1, connection.get(layout.agentPrefix(), GetOption.builder().isPrefix(true).withCountOnly(true).build(), "agents").getCount());
        }
    }

    @Test
    void keysOfOneSpaceStayUnderItsPrefix() {
        final SpaceLayout layout = new SpaceLayout("prefix");
        final EtcdKeyValue kv = new EtcdKeyValue(connection, layout, "test");
        kv.put(b("a/../../escape"), 0, b("v"), kv.newRequestId());
        for (final io.etcd.jetcd.KeyValue k : connection.get(ByteSequence.from(b("/slate/")), GetOption.builder().isPrefix(true).build(), "all").getKvs()) {
            final String key = k.getKey().toString(StandardCharsets.UTF_8);
            if (key.contains("escape")) {
                assertTrue(key.startsWith("/slate/prefix/k/"), key);
            }
        }
        assertArrayEquals(b("a/../../escape"), layout.userKey(layout.kvKey(b("a/../../escape"))));
    }
}
