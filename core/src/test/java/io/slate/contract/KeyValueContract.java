package io.slate.contract;

import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /** What Redis's INCR takes (the gateway's replies depend on it): a long's one text, as putLong writes it. */
    @Test
    void incrementTakesOnlyALongWrittenAsPutLongWritesIt() {
        final KeyValue kv = open("a").kv();
        for (String bad : new String[] {"007", "00", "+5", "-0", "-07", " 5", "5 ", "1e3", "", "-", "12345678901234567890",
                "9223372036854775808", "-9223372036854775809", "+123456789012345678", "0x10"}) {
            final long version = kv.putString("n", bad);
            assertThrows(IllegalArgumentException.class, () -> kv.increment("n", 1), "'" + bad + "' is not a long's text");
            assertEquals(version, kv.get("n").version(), "a refused increment of '" + bad + "' writes nothing");
            assertEquals(bad, kv.get("n").valueAsString());
        }
        final long[][] cases = {{0, 1}, {-5, -1}, {9, 1}, {-10, 1}, {Long.MAX_VALUE - 1, 1}, {Long.MIN_VALUE, 1},
                {Long.MIN_VALUE + 1, -1}, {123456789012345678L, 1}, {-999999999999999999L, -1}, {1234567890123456789L, -1}};
        for (long[] c : cases) {
            kv.putLong("n", c[0]);
            assertEquals(c[0] + c[1], kv.increment("n", c[1]), c[0] + " + " + c[1]);
            assertEquals(Long.toString(c[0] + c[1]), kv.get("n").valueAsString());
        }
        kv.putLong("n", Long.MIN_VALUE);
        assertThrows(ArithmeticException.class, () -> kv.increment("n", -1));
    }

    @Test
    void incrementAsTextGivesTheDigitsItStored() {
        final KeyValue kv = open("a").kv();
        final byte[] text = new byte[25];
        text[1] = 'x';
        assertEquals(2, kv.incrementAsText("t", 41, text, 2));
        assertEquals("x41", new String(text, 1, 3, java.nio.charset.StandardCharsets.US_ASCII), "written at the offset, nothing before it");
        kv.putLong("t", -1);
        assertEquals(20, kv.incrementAsText("t", Long.MIN_VALUE + 1, text, 5), "the longest text a long has");
        assertEquals(Long.toString(Long.MIN_VALUE), new String(text, 5, 20, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Long.toString(Long.MIN_VALUE), kv.get("t").valueAsString(), "the text is what the key holds");
        final long version = kv.get("t").version();
        assertThrows(IndexOutOfBoundsException.class, () -> kv.incrementAsText("t", 1, new byte[24], 5), "fewer than 20 bytes from the offset");
        assertThrows(ArithmeticException.class, () -> kv.incrementAsText("t", -1, text, 0));
        kv.putString("s", "text");
        assertThrows(IllegalArgumentException.class, () -> kv.incrementAsText("s", 1, text, 0));
        assertEquals(version, kv.get("t").version(), "the refused increments wrote nothing");
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

    @Test
    void anotherAgentsWritesArriveIntoAWaitersBufferInVersionOrder() throws Exception {
        final KeyValue kv = open("watcher").kv();
        final EntryBuffer b = new EntryBuffer(4); // smaller than the values: the buffer grows
        assertEquals(KeyValue.ABSENT, kv.awaitChange("shared", 0, b, 0, TimeUnit.SECONDS), "nothing written yet: a zero timeout looks once");
        final ChildJvm writer = agent("put", "shared", "200");
        long seen = 0;
        long lastIndex = 0;
        while (seen < 200) {
            final long v = kv.awaitChange("shared", seen, b, 60, TimeUnit.SECONDS);
            assertTrue(v > seen, "no change after version " + seen + " (got " + v + "): " + writer.lastLines(5));
            assertEquals(v, b.version());
            assertEquals("value-" + v, b.valueAsString(), "each version carries its own value");
            assertTrue(b.writer().toString().startsWith("put-"), "the writer's agent id: " + b.writer());
            assertFalse(b.isRemoved());
            assertTrue(b.journalIndex() > lastIndex, "journal indices go forward: " + b.journalIndex() + " after " + lastIndex);
            lastIndex = b.journalIndex();
            seen = v;
        }
        untilDone(writer);
        assertEquals(KeyValue.ABSENT, kv.awaitChange("shared", 200, b, 50, TimeUnit.MILLISECONDS), "nothing after the last version");
        assertEquals(200, kv.awaitChange("shared", 199, b, 0, TimeUnit.SECONDS), "already past: answers at once");
        assertEquals("value-200", b.valueAsString());
    }

    @Test
    void aWaiterSwitchingKeysMissesNothingAndSeesRemovals() throws Exception {
        final KeyValue writer = open("writer").kv();
        final KeyValue kv = open("watcher").kv();
        final EntryBuffer b = new EntryBuffer();
        writer.putString("a", "a1");
        assertEquals(1, kv.awaitChange("a", 0, b, 10, TimeUnit.SECONDS));
        // b changes twice while the waiter waits for nothing: its next wait, for b, answers at once with b's entry
        writer.putString("b", "b1");
        writer.putString("b", "b2");
        assertEquals(2, kv.awaitChange("b", 0, b, 10, TimeUnit.SECONDS));
        assertEquals("b2", b.valueAsString());
        assertEquals("writer", b.writer().toString());
        // back to a, written meanwhile: seen
        writer.putString("a", "a2");
        assertEquals(2, kv.awaitChange("a", 1, b, 10, TimeUnit.SECONDS));
        assertEquals("a2", b.valueAsString());
        // a removal is a change: the tombstone's version, flagged removed
        final Thread remover = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            writer.remove("a");
        });
        remover.start();
        final long v = kv.awaitChange("a", 2, b, 10, TimeUnit.SECONDS);
        remover.join(10_000);
        assertEquals(3, v);
        assertTrue(b.isRemoved());
        assertEquals(0, b.length());
        // and the answer of a later get agrees with what the waiter saw
        assertNull(kv.get("a"));
        assertEquals(KeyValue.ABSENT, kv.awaitChange("a", 3, b, 20, TimeUnit.MILLISECONDS));
    }
}
