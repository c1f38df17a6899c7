package io.slate.shm;

import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes whose entry keeps its size are made over the old entry in the map's memory (a map without entry checksums):
 * every field of the new state lands, whoever writes, including when the writer's id and the value trade lengths, a
 * removal of an empty value and a counter; what a reopened space reads is the same, and the journal verifies.
 */
@Timeout(120)
class InPlaceWriteTest {
    private final Path dir = TestSpaces.newDirectory("in-place");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    /** The journal index of the calling thread's last write through this handle. */
    private static long lastIndex(final Space s) {
        return ((ChronicleSpace) s).chronicleKv().lastWriteIndex();
    }

    private static void assertEntry(final Space s, final String key, final String value, final long version, final String writer,
                                    final long index) {
        final Entry e = s.kv().get(key);
        assertNotNull(e, key);
        assertEquals(value, new String(e.value(), StandardCharsets.UTF_8), key);
        assertEquals(version, e.version(), key);
        assertEquals(writer, e.writer(), key);
        assertEquals(index, e.journalIndex(), key);
        assertFalse(e.isRemoved(), key);
    }

    @Test
    void sameSizeRewritesByOneAndByAnotherAgentLandWhole() {
        try (Space a = Space.open(SpaceOptions.at(dir).agentId("ab"));
             Space b = Space.open(SpaceOptions.at(dir).agentId("abcde"))) {
            a.kv().putString("k", "0123456789");
            for (int i = 0; i < 50; i++) {
                final String v = String.format("%010d", i);
                final long version = a.kv().putString("k", v);
                assertEquals(i + 2, version);
                assertEntry(a, "k", v, version, "ab", lastIndex(a));
                assertEntry(b, "k", v, version, "ab", lastIndex(a));
            }
            // three more bytes of writer id, three fewer of value: the entry keeps its size, the split moves
            final long v2 = b.kv().putString("k", "fghijkl");
            assertEntry(a, "k", "fghijkl", v2, "abcde", lastIndex(b));
            final long v3 = a.kv().putString("k", "mnopqrstuv");
            assertEntry(b, "k", "mnopqrstuv", v3, "ab", lastIndex(a));
            // a longer and a shorter value move the entry; the next same-size write is in place again
            a.kv().putString("k", "x".repeat(300));
            a.kv().putString("k", "y");
            final long v4 = a.kv().putString("k", "z");
            assertEntry(b, "k", "z", v4, "ab", lastIndex(a));
            assertTrue(a.journal().verify().ok());
        }
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            final Entry e = s.kv().get("k");
            assertEquals("z", new String(e.value(), StandardCharsets.UTF_8));
            assertEquals("ab", e.writer());
        }
    }

    @Test
    void removingAnEmptyValueAndWritingItAgainFlipTheTombstone() {
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("ab"))) {
            assertEquals(1, s.kv().putString("k", ""));
            assertEquals(2, s.kv().remove("k"));
            assertNull(s.kv().get("k"));
            final Entry tomb = ((ChronicleSpace) s).chronicleKv().getIncludingRemoved("k");
            assertTrue(tomb.isRemoved());
            assertEquals(2, tomb.version());
            assertEquals(lastIndex(s), tomb.journalIndex());
            assertEquals(3, s.kv().putString("k", ""));
            assertEntry(s, "k", "", 3, "ab", lastIndex(s));
            assertTrue(s.journal().verify().ok());
        }
    }

    @Test
    void aCounterThatKeepsItsDigitsCountsOnInPlace() {
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("ab"))) {
            for (int i = 1; i <= 120; i++) {
                assertEquals(i, s.kv().increment("n", 1));
            }
            assertEntry(s, "n", "120", 120, "ab", lastIndex(s));
            assertArrayEquals("120".getBytes(StandardCharsets.UTF_8), s.kv().get("n").value());
            assertTrue(s.journal().verify().ok());
        }
    }
}
