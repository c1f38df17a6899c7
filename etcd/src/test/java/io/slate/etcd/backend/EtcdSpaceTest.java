package io.slate.etcd.backend;

import io.slate.etcd.testing.EtcdCluster;
import io.slate.kv.KeyValue;
import io.slate.space.ReadOnlySpaceException;
import io.slate.space.Space;
import io.slate.space.SpaceException;
import io.slate.space.SpaceOptions;
import io.slate.spi.Backends;
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
