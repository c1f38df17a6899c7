package io.slate.etcd.backend;

import io.slate.etcd.testing.EtcdCluster;
import io.slate.kv.KeyValue;
import io.slate.space.ReadOnlySpaceException;
import io.slate.space.Space;
import io.slate.space.SpaceException;
import io.slate.space.SpaceOptions;
import io.slate.spi.Backends;
import io.slate.sync.AtomicCounter;
import io.slate.sync.Barrier;
import io.slate.sync.CountDownLatch;
import io.slate.sync.Journaling;
import io.slate.sync.Mutex;
import io.slate.sync.PrimitiveInfo;
import io.slate.sync.Sync;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the etcd backend adds around the contract suite, through the public API on a real member: the backend is found
 * by its scheme, a space exists once opened and is gone after a delete, agent ids are unique among live agents, an
 * observer changes nothing, and bad addresses and values are one-line errors naming the thing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdSpaceTest {
    private static EtcdCluster cluster;

    static {
        System.setProperty("slate.etcd.connectTimeoutMillis", "30000");
    }

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theBackendIsFoundByItsSchemeAndASpaceLivesFromOpenToDelete() {
        assertTrue(Backends.all().containsKey("etcd"), Backends.all().keySet().toString());
        final String address = cluster.address("lifecycle");
        assertFalse(Space.exists(address));
        try (Space s = Space.open(SpaceOptions.of(address).agentId("a"))) {
            assertNull(s.directory());
            assertEquals(address, s.address());
            assertTrue(Space.exists(address), "an opened space exists, even with nothing written");
            assertEquals(1, s.kv().putString("k", "v"));
            assertEquals(1, s.agents().size());
            assertEquals("a", s.agents().get(0).id());
        }
        Space.delete(address);
        assertFalse(Space.exists(address));
        try (Space again = Space.open(SpaceOptions.of(address).agentId("a"))) {
            assertNull(again.kv().get("k"), "a deleted space starts empty");
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void anAgentIdIsUniqueAmongLiveAgentsAndFreeOnceItsHolderCloses() {
        final String address = cluster.address("ids");
        try (Space first = Space.open(SpaceOptions.of(address).agentId("twin"))) {
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> Space.open(SpaceOptions.of(address).agentId("twin")));
            assertTrue(e.getMessage().contains("agent id 'twin' is in use"), e.getMessage());
            try (Space generated = Space.open(address)) {
                assertTrue(generated.agentId().startsWith("agent-"), generated.agentId());
            }
        }
        try (Space reuse = Space.open(SpaceOptions.of(address).agentId("twin"))) {
            assertEquals("twin", reuse.agentId(), "closing released the id");
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void anObserverReadsAndChangesNothing() {
        final String address = cluster.address("observed");
        assertThrows(SpaceException.class, () -> Space.open(SpaceOptions.of(address).observer(true)), "an observer creates nothing");
        assertFalse(Space.exists(address));
        try (Space writer = Space.open(SpaceOptions.of(address).agentId("w"));
             Space observer = Space.open(SpaceOptions.of(address).observer(true))) {
            writer.kv().putString("k", "v");
            assertEquals("v", observer.kv().get("k").valueAsString());
            final ReadOnlySpaceException e = assertThrows(ReadOnlySpaceException.class, () -> observer.kv().putString("k", "x"));
            assertTrue(e.getMessage().startsWith(address + ": opened as an observer"), e.getMessage());
            assertEquals(1, writer.agents().size(), "an observer is not an agent");
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void latchesBarriersCountersAndOwnersBetweenTwoAgents() throws Exception {
        final String address = cluster.address("sync-extras");
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Space a = Space.open(SpaceOptions.of(address).agentId("a"));
             Space b = Space.open(SpaceOptions.of(address).agentId("b"))) {
            final Sync sa = Sync.of(a);
            final Sync sb = Sync.of(b);
            // a latch counted down by one agent opens for the other
            final CountDownLatch la = sa.latch("start", 2);
            final CountDownLatch lb = sb.latch("start", 2);
            assertFalse(lb.await(50, TimeUnit.MILLISECONDS));
            la.countDown();
            la.countDown();
            la.countDown(); // at 0 already: no effect
            assertTrue(lb.await(10, TimeUnit.SECONDS));
            assertEquals(0, lb.getCount());
            assertThrows(IllegalArgumentException.class, () -> sb.latch("start", 3), "another initial count");
            assertThrows(IllegalArgumentException.class, () -> sb.semaphore("start", 1), "another kind");
            // a barrier of two: both pass, one of them last (index 0), and the generation moves on
            final Barrier ba = sa.barrier("sync", 2);
            final Barrier bb = sb.barrier("sync", 2);
            final java.util.concurrent.Future<Integer> fa = pool.submit(() -> ba.await(30, TimeUnit.SECONDS));
            final java.util.concurrent.Future<Integer> fb = pool.submit(() -> bb.await(30, TimeUnit.SECONDS));
            final java.util.Set<Integer> indices = java.util.Set.of(fa.get(60, TimeUnit.SECONDS), fb.get(60, TimeUnit.SECONDS));
            assertEquals(java.util.Set.of(0, 1), indices);
            assertEquals(1, ba.generation());
            assertEquals(Barrier.TIMED_OUT, ba.await(100, TimeUnit.MILLISECONDS), "alone, it times out");
            assertEquals(0, bb.arrived(), "and withdraws its arrival");
            // a counter's compare-and-set
            final AtomicCounter c = sa.counter("c");
            assertTrue(c.compareAndSet(0, 10));
            assertFalse(sb.counter("c").compareAndSet(0, 11));
            assertEquals(10, sb.counter("c").get());
            // a journaled mutex: owner, tokens and the journal's lock records
            final Mutex ma = sa.mutex("m", Journaling.ON);
            final Mutex mb = sb.mutex("m");
            final long t1 = ma.lock();
            assertEquals("a", mb.owner().agentId());
            assertEquals(Mutex.TIMED_OUT, mb.tryLock(100, TimeUnit.MILLISECONDS));
            assertThrows(IllegalMonitorStateException.class, mb::unlock);
            ma.unlock();
            final long t2 = mb.lock();
            assertTrue(t2 > t1);
            assertEquals(t2, ma.lastToken());
            assertEquals(0, ma.lastRecoveredToken(), "nobody died holding it");
            mb.unlock();
            final java.util.List<Long> lockRecords = new java.util.ArrayList<>();
            try (io.slate.journal.Tailer t = a.journal().tailerFromStart()) {
                io.slate.journal.JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    if (r.op() == io.slate.journal.Op.LOCK) {
                        lockRecords.add(r.version());
                    }
                }
            }
            assertEquals(java.util.List.of(t1, t2), lockRecords, "each acquisition journaled with its token");
            // a holder that goes without unlocking (its lease revoked, its keys gone as on expiry): the next acquisition
            // takes the mutex over, journaled as one lock-recovered record with an index of its own
            final long t3;
            try (Space gone = Space.open(SpaceOptions.of(address).agentId("c"))) {
                t3 = Sync.of(gone).mutex("m").lock();
            }
            final long t4 = mb.lock();
            assertEquals(t4, ma.lastRecoveredToken(), "the holder left without unlocking: recovered");
            mb.unlock();
            final java.util.List<String> records = new java.util.ArrayList<>();
            final java.util.Set<Long> seenIndices = new java.util.HashSet<>();
            try (io.slate.journal.Tailer t = a.journal().tailerFromStart()) {
                io.slate.journal.JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    assertTrue(seenIndices.add(r.index()), "one record per journal index: " + r);
                    if (r.key().toString().equals("m") && r.version() >= t3) {
                        records.add(r.op().label() + " " + r.version());
                    }
                }
            }
            assertEquals(java.util.List.of("lock " + t3, "lock-recovered " + t4, "unlock " + t4), records);
            final java.util.Map<String, PrimitiveInfo.Kind> kinds = new java.util.HashMap<>();
            for (PrimitiveInfo p : sb.primitives()) {
                kinds.put(p.name(), p.kind());
            }
            assertEquals(java.util.Map.of("start", PrimitiveInfo.Kind.LATCH, "sync", PrimitiveInfo.Kind.BARRIER, "c", PrimitiveInfo.Kind.COUNTER,
                    "m", PrimitiveInfo.Kind.MUTEX), kinds);
        } finally {
            pool.shutdownNow();
            Space.delete(address);
        }
    }

    @Test
    void badAddressesAndValuesAreOneLineErrorsNamingTheThing() {
        final IllegalArgumentException slash = assertThrows(IllegalArgumentException.class, () -> Space.open("etcd://127.0.0.1:2379/a/b"));
        assertTrue(slash.getMessage().contains("space name 'a/b'"), slash.getMessage());
        final IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> Space.open("etcd://127.0.0.1:notaport/s"));
        assertTrue(port.getMessage().contains("127.0.0.1:notaport"), port.getMessage());
        final IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () -> Space.open("etcdx://127.0.0.1:2379/s"));
        assertTrue(scheme.getMessage().contains("no backend for scheme 'etcdx'") && scheme.getMessage().contains("etcd"), scheme.getMessage());
        final String address = cluster.address("limits");
        try (Space s = Space.open(SpaceOptions.of(address).agentId("a"))) {
            final IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> s.kv().put("blob", new byte[s.options().maxValueBytes() + 1]));
            assertTrue(big.getMessage().contains("'blob'") && big.getMessage().contains("maxValueBytes"), big.getMessage());
            assertNull(s.kv().get("blob"), "nothing written");
            assertEquals(KeyValue.ABSENT, s.kv().version("blob"));
        } finally {
            Space.delete(address);
        }
    }
}
