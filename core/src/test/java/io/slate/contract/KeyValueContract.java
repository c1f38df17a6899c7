package io.slate.contract;

import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key/value on any backend: versions, compare-and-set, tombstones, and another agent's writes seen in order. */
public abstract class KeyValueContract extends ContractBase {
    @Test
    void versionsStartAtOneAndGrowByOne() {
        final KeyValue kv = open("a").kv();
        assertEquals(1, kv.putString("k", "one"));
        assertEquals(2, kv.putString("k", "two"));
        final Entry e = kv.get("k");
        assertEquals("two", e.valueAsString());
        assertEquals(2, e.version());
        assertEquals("a", e.writer());
        assertTrue(e.journalIndex() >= 0);
    }

    @Test
    void compareAndSetWinsOnlyOnTheCurrentVersion() {
        final KeyValue kv = open("a").kv();
        assertEquals(KeyValue.CONFLICT, kv.compareAndSet("k", 1, "x".getBytes()), "the key does not exist yet");
        assertEquals(1, kv.compareAndSet("k", KeyValue.ABSENT, "x".getBytes()));
        assertEquals(KeyValue.CONFLICT, kv.compareAndSet("k", 0, "y".getBytes()));
        assertEquals(2, kv.compareAndSet("k", 1, "y".getBytes()));
        assertEquals(KeyValue.CONFLICT, kv.putIfAbsent("k", "z".getBytes()));
        assertEquals("y", kv.get("k").valueAsString());
    }

    @Test
    void aRemovedKeyKeepsCountingVersions() {
        final KeyValue kv = open("a").kv();
        kv.putString("k", "v");
        final long removed = kv.remove("k");
        assertEquals(2, removed);
        assertNull(kv.get("k"));
        assertEquals(3, kv.putString("k", "again"), "versions never go back after a removal");
        assertEquals(5, kv.increment("n", 5));
        assertEquals(3, kv.increment("n", -2));
    }

    @Test
    void anotherAgentsWritesArriveInVersionOrder() throws Exception {
        final Space space = open("watcher");
        final ChildJvm writer = agent("put", "shared", "200");
        long seen = 0;
        while (seen < 200) {
            final Entry e = space.kv().awaitChange("shared", seen, 60, TimeUnit.SECONDS);
            assertNotNull(e, "no change after version " + seen + ": " + writer.lastLines(5));
            assertTrue(e.version() > seen, "versions go forward: " + e.version() + " after " + seen);
            assertEquals("value-" + e.version(), e.valueAsString(), "each version carries its own value");
            seen = e.version();
        }
        final List<String> lines = untilDone(writer);
        assertEquals(200, lines.size());
        assertEquals("v 200", lines.get(199));
    }
}
