package io.slate.space;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyValueBasicsTest {
    private Path dir;
    private Space space;

    @BeforeEach
    void open() {
        dir = TestSpaces.newDirectory("kv");
        space = Space.open(SpaceOptions.at(dir).agentId("tester"));
    }

    @AfterEach
    void close() {
        if (space != null) {
            space.close();
        }
        TestSpaces.delete(dir);
    }

    @Test
    void versionsCountPerKeyAndSurviveRemoval() {
        final KeyValue kv = space.kv();
        assertNull(kv.get("a"));
        assertEquals(KeyValue.ABSENT, kv.version("a"));
        assertEquals(1, kv.putString("a", "one"));
        assertEquals(2, kv.putString("a", "two"));
        final Entry e = kv.get("a");
        assertEquals("two", e.valueAsString());
        assertEquals(2, e.version());
        assertEquals("tester", e.writer());
        assertTrue(e.timestampNanos() > 0);
        assertEquals(3, kv.remove("a"));
        assertNull(kv.get("a"));
        assertEquals(KeyValue.NOT_FOUND, kv.remove("a"));
        assertEquals(4, kv.putString("a", "back"), "versions never go back after removal");
        assertEquals(1, kv.putString("b", "x"));
    }

    @Test
    void conditionalWrites() {
        final KeyValue kv = space.kv();
        final byte[] v = "v".getBytes(StandardCharsets.UTF_8);
        assertEquals(1, kv.putIfAbsent("k", v));
        assertEquals(KeyValue.CONFLICT, kv.putIfAbsent("k", v));
        assertEquals(KeyValue.CONFLICT, kv.compareAndSet("k", 5, v));
        assertEquals(2, kv.compareAndSet("k", 1, v));
        assertEquals(KeyValue.CONFLICT, kv.compareAndSet("k", KeyValue.ABSENT, v));
        assertEquals(KeyValue.CONFLICT, kv.removeIfVersion("k", 1));
        assertEquals(3, kv.removeIfVersion("k", 2));
        assertEquals(KeyValue.NOT_FOUND, kv.removeIfVersion("k", 3));
        assertEquals(4, kv.compareAndSet("k", KeyValue.ABSENT, v), "absent after removal: CAS from ABSENT succeeds");
        assertEquals(KeyValue.NOT_FOUND, kv.removeIfVersion("nothing", 1));
    }

    @Test
    void incrementAndUpdate() {
        final KeyValue kv = space.kv();
        assertEquals(5, kv.increment("n", 5));
        assertEquals(3, kv.increment("n", -2));
        assertEquals(3, kv.get("n").valueAsLong());
        assertEquals("3", kv.get("n").valueAsString(), "longs are stored as decimal text");
        kv.putString("s", "ab");
        final Entry u = kv.update("s", old -> (new String(old, StandardCharsets.UTF_8) + "c").getBytes(StandardCharsets.UTF_8));
        assertEquals(2, u.version());
        assertEquals("abc", kv.get("s").valueAsString());
        final Entry created = kv.update("new", old -> old == null ? new byte[]{1} : old);
        assertEquals(1, created.version());
        kv.putString("text", "hello");
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> kv.increment("text", 1));
        assertTrue(ex.getMessage().contains("text") && ex.getMessage().contains("not a decimal long"), ex.getMessage());
    }

    @Test
    void incrementIsOneWriteAndWritesNothingWhenItFails() {
        final KeyValue kv = space.kv();
        final int before = records();
        assertEquals(1, kv.increment("c", 1));
        assertEquals(Long.MAX_VALUE, kv.increment("c", Long.MAX_VALUE - 1));
        assertEquals(2, kv.get("c").version(), "one version per increment");
        assertEquals(before + 2, records(), "one journal record per increment");
        org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class, () -> kv.increment("c", 1));
        final String long41 = "1".repeat(41);
        kv.putString("big", long41);
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> kv.increment("big", 1));
        assertTrue(ex.getMessage().contains("not a decimal long: " + "1".repeat(40)), ex.getMessage());
        assertEquals(before + 3, records(), "the failed increments wrote nothing");
        assertEquals(Long.MAX_VALUE, kv.get("c").valueAsLong());
        assertEquals(2, kv.get("c").version());
        assertEquals(1, kv.remove("big") > 0 ? 1 : 0);
        assertEquals(-4, kv.increment("big", -4), "a removed key counts as 0");
        assertEquals(3, kv.get("big").version(), "versions go on after the tombstone");
        assertEquals(-4, kv.increment("never", -4));
    }

    private int records() {
        int n = 0;
        try (io.slate.journal.Tailer t = space.journal().tailerFromStart()) {
            while (t.next(0, java.util.concurrent.TimeUnit.NANOSECONDS) != null) {
                n++;
            }
        }
        return n;
    }

    @Test
    void bufferVariantReusesCallerBuffer() {
        final KeyValue kv = space.kv();
        kv.put("bin", new byte[]{1, 2, 3});
        final EntryBuffer buf = new EntryBuffer(2);
        assertEquals(1, kv.get("bin", buf));
        assertEquals(3, buf.length());
        assertArrayEquals(new byte[]{1, 2, 3}, java.util.Arrays.copyOf(buf.buffer(), 3));
        assertEquals("tester", buf.writer().toString());
        assertEquals(KeyValue.ABSENT, kv.get("missing", buf));
        final byte[] big = new byte[]{9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
        assertEquals(2, kv.put("bin", big, 2, 4));
        kv.get("bin", buf);
        assertEquals(4, buf.length());
    }

    @Test
    void journalHoldsEveryMutationInOrder() {
        final KeyValue kv = space.kv();
        kv.putString("x", "1");
        kv.putString("y", "2");
        kv.remove("x");
        kv.compareAndSet("y", 99, new byte[0]); // conflict: not journaled
        try (Tailer t = space.journal().tailerFromStart()) {
            final JournalRecord r1 = t.next(1, TimeUnit.SECONDS);
            assertNotNull(r1);
            assertEquals(Op.PUT, r1.op());
            assertEquals("x", r1.key().toString());
            assertEquals(1, r1.version());
            assertEquals("tester", r1.agent().toString());
            assertEquals("1", r1.valueAsString());
            final long i1 = r1.index();
            final JournalRecord r2 = t.next(1, TimeUnit.SECONDS);
            assertEquals("y", r2.key().toString());
            assertTrue(r2.index() > i1);
            final JournalRecord r3 = t.next(1, TimeUnit.SECONDS);
            assertEquals(Op.REMOVE, r3.op());
            assertEquals(2, r3.version());
            assertTrue(r3.removed());
            assertNull(t.next(50, TimeUnit.MILLISECONDS), "a conflicting CAS writes nothing");
        }
        assertEquals(kv.get("y").journalIndex(), space.journal().lastIndex() - 1 >= 0 ? kv.get("y").journalIndex() : -1);
        assertTrue(space.journal().verify().ok());
    }

    @Test
    void awaitChangeSeesLaterWrite() throws Exception {
        final KeyValue kv = space.kv();
        kv.putString("w", "0");
        assertEquals(1, kv.awaitChange("w", 0, 1, TimeUnit.SECONDS).version(), "already past: returns at once");
        assertNull(kv.awaitChange("w", 1, 100, TimeUnit.MILLISECONDS));
        final Thread writer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ignored) {
                return;
            }
            kv.putString("w", "1");
        });
        writer.start();
        final Entry e = kv.awaitChange("w", 1, 10, TimeUnit.SECONDS);
        writer.join(10_000);
        assertNotNull(e);
        assertEquals(2, e.version());
        assertEquals("1", e.valueAsString());
        assertFalse(e.isRemoved());
    }
}
