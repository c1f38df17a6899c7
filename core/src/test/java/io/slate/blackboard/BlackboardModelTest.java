package io.slate.blackboard;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Entries, levels, versions, attributes and bad input, in one process. */
class BlackboardModelTest {
    private Path dir;
    private Space space;

    @BeforeEach
    void open() {
        dir = TestSpaces.newDirectory("bbmodel");
        space = Space.open(SpaceOptions.at(dir).agentId("me"));
    }

    @AfterEach
    void cleanUp() {
        if (space != null) {
            space.close();
        }
        TestSpaces.delete(dir);
    }

    static <T extends Throwable> T assertThrowsWith(final Class<T> type, final Executable call, final String... parts) {
        final T t = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "message '" + t.getMessage() + "' should contain '" + p + "'");
        }
        return t;
    }

    private int countRecords(final Op op) {
        int n = 0;
        try (Tailer t = space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                n += r.op() == op ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void postUpdateRetractAndReadByLevel() {
        try (Blackboard bb = Blackboard.of(space, "board", "signal", "hypothesis")) {
            assertEquals(List.of("signal", "hypothesis"), bb.levels());
            assertEquals("board", bb.name());
            final long a = bb.post("signal", Attributes.of("sensor", 1), 1.0);
            final long indexA = bb.lastIndex();
            final long b = bb.post("hypothesis", Attributes.of("sensor", 1, "guess", "echo"), 0.4);
            final long c = bb.post("signal", Attributes.of("sensor", 2), 0.9);
            assertTrue(a >= 1 && b > a && c > b, "ids grow in posting order");
            assertEquals(List.of(a, c), bb.entries("signal").stream().map(BlackboardEntry::id).toList());
            assertEquals(1, bb.count("hypothesis"));

            final BlackboardEntry ea = bb.entry(a);
            assertEquals("signal", ea.level());
            assertEquals(1, ea.version());
            assertEquals("me", ea.author());
            assertEquals("me", ea.writer());
            assertEquals(indexA, ea.index());
            assertEquals(a, ea.changeNumber(), "the id is the change number of the post");
            assertEquals(1.0, ea.confidence());
            assertFalse(ea.isRetracted());

            assertEquals(2, bb.update(b, Attributes.of("sensor", 1, "guess", "ship"), 0.7));
            final BlackboardEntry eb = bb.entry(b);
            assertEquals(2, eb.version());
            assertEquals("ship", eb.getString("guess"));
            assertEquals(0.7, eb.confidence());
            assertTrue(eb.changeNumber() > c, "an update is a change of its own");
            assertEquals(Blackboard.CONFLICT, bb.update(b, 1, Attributes.empty(), 0.1), "expected version 1, is 2");
            assertEquals(eb, bb.entry(b), "a conflict writes nothing");
            assertEquals(3, bb.update(b, 2, Attributes.of("guess", "whale"), 0.8));

            assertEquals(4, bb.retract(b, 3));
            final BlackboardEntry gone = bb.entry(b);
            assertTrue(gone.isRetracted());
            assertEquals(4, gone.version());
            assertEquals("whale", gone.getString("guess"), "a retraction keeps the last attributes");
            assertEquals(0, bb.count("hypothesis"), "retracted entries are not among the level's entries");
            assertEquals(Blackboard.NOT_FOUND, bb.update(b, Attributes.empty(), 0.5));
            assertEquals(Blackboard.NOT_FOUND, bb.retract(b));
            assertEquals(Blackboard.NOT_FOUND, bb.retract(9_999));
            assertEquals(Blackboard.CONFLICT, bb.retract(c, 7));
            assertNull(bb.entry(9_999));
            assertEquals(2, bb.count("signal"));
        }
    }

    @Test
    void attributesOfEveryTypeSurviveTheJournal() {
        final byte[] bytes = {0, 1, (byte) 0xFF, 0x53, 10};
        final Attributes attrs = Attributes.builder()
                .put("text", "grüße \uD83D\uDE80 — 文字")
                .put("empty", "")
                .put("min", Long.MIN_VALUE).put("max", Long.MAX_VALUE)
                .put("nan", Double.NaN).put("negzero", -0.0).put("inf", Double.NEGATIVE_INFINITY).put("tiny", Double.MIN_VALUE)
                .put("yes", true).put("no", false)
                .put("bytes", bytes).put("nobytes", new byte[0])
                .build();
        final long id;
        try (Blackboard bb = Blackboard.of(space, "types", "l")) {
            id = bb.post("l", attrs, 0.0);
        }
        try (Blackboard fresh = Blackboard.of(space, "types")) {
            final Attributes back = fresh.entry(id).attributes();
            assertEquals(attrs, back);
            assertEquals(attrs.hashCode(), back.hashCode());
            assertEquals(Long.MIN_VALUE, back.getLong("min"));
            assertTrue(Double.isNaN(back.getDouble("nan")));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.getDouble("negzero")));
            assertArrayEquals(bytes, back.getBytes("bytes"));
            assertEquals(AttributeType.BYTES, back.type("nobytes"));
            assertEquals("grüße \uD83D\uDE80 — 文字", back.getString("text"));
            assertFalse(back.getBoolean("no"));
            assertEquals(0.0, fresh.entry(id).confidence());
        }
    }

    @Test
    void attributesAreImmutableValues() {
        final byte[] b = {1, 2, 3};
        final Attributes a = Attributes.builder().put("b", b).put("n", 1).build();
        b[0] = 9;
        assertEquals(1, a.getBytes("b")[0], "bytes are copied in");
        a.getBytes("b")[1] = 9;
        assertEquals(2, a.getBytes("b")[1], "and out");
        final Attributes c = a.with("n", 2L).without("b");
        assertEquals(1, a.getLong("n"));
        assertEquals(2, c.getLong("n"));
        assertFalse(c.has("b"));
        assertEquals(Attributes.of("x", 1, "y", "z"), Attributes.of("y", "z", "x", 1L), "order of puts does not matter");
        assertNotEquals(Attributes.of("x", 1), Attributes.of("x", 1.0), "a long is not a double");
        assertNotEquals(Attributes.of("x", 0.0), Attributes.of("x", -0.0));
        assertEquals(List.of("a", "b", "c"), List.copyOf(Attributes.of("c", 1, "a", 2, "b", 3).names()));
        assertThrowsWith(IllegalArgumentException.class, () -> a.getString("n"), "'n'", "LONG", "not STRING");
        assertThrowsWith(IllegalArgumentException.class, () -> a.getLong("missing"), "no attribute 'missing'");
    }

    @Test
    void badInputIsRefusedWithClearErrors() {
        try (Blackboard bb = Blackboard.of(space, "board", "signal", "plan")) {
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post("sigal", Attributes.empty(), 0.5), "no level 'sigal'", "[signal, plan]");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post(null, Attributes.empty(), 0.5), "no level 'null'");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post("signal", Attributes.empty(), Double.NaN), "confidence", "NaN");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post("signal", Attributes.empty(), 1.5), "confidence", "[0, 1]");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post("signal", Attributes.empty(), -0.1), "confidence");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post("signal", Attributes.empty(), Double.POSITIVE_INFINITY), "confidence");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.post("signal", null, 0.5), "attributes must not be null");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.update(0, Attributes.empty(), 0.5), "entry id must be >= 1");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.update(1, 0, Attributes.empty(), 0.5), "expected version must be >= 1");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.update(1, Attributes.empty(), Double.NaN), "confidence");
            assertThrowsWith(IllegalArgumentException.class, () -> bb.retract(-3), "entry id");
            assertEquals(0, bb.lastChangeNumber(), "nothing was written by the refused calls");
        }
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "", "l"), "blackboard name must not be empty");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, null, "l"), "blackboard name must not be null");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "a\nb", "l"), "control character");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "x".repeat(300), "l"), "300 UTF-8 bytes");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "b", new String[0]), "at least one level");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "b", "l", "m", "l"), "level 'l' is given twice");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "b", "l", ""), "level name must not be empty");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "b", "bad\uD800"), "unpaired surrogate");
        assertThrowsWith(IllegalStateException.class, () -> Blackboard.of(space, "never"), "blackboard 'never' is not defined", dir.toString());
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(space, "board", "signal"), "has levels [signal, plan], not [signal]");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.replay(space, "board", -1), "replay index must be >= 0");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.replay(space, "never", Long.MAX_VALUE), "'never' is not defined");
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(null, "b", "l"), "space must not be null");
        assertThrowsWith(IllegalArgumentException.class, () -> Attributes.of("", 1), "attribute name must not be empty");
        assertThrowsWith(IllegalArgumentException.class, () -> Attributes.of("n", new Object()), "values are String, long, double, boolean or byte[]");
        assertThrowsWith(IllegalArgumentException.class, () -> Attributes.of("n", null), "not null");
        assertThrowsWith(IllegalArgumentException.class, () -> Attributes.of("n", "bad\uDC00"), "unpaired surrogate");
        assertThrowsWith(IllegalArgumentException.class, () -> Attributes.of("x".repeat(256), 1), "256 UTF-8 bytes");
        assertThrowsWith(IllegalArgumentException.class, () -> Trigger.on("l"), "at least one change kind");
        assertThrowsWith(IllegalArgumentException.class, () -> KnowledgeSource.of(" \t", Trigger.onPosted("l"), c -> { }), "control character");
        assertThrowsWith(IllegalArgumentException.class, () -> KnowledgeSource.of("ks", null, c -> { }), "needs a trigger and an action");

        final Blackboard closed = Blackboard.of(space, "board");
        closed.close();
        assertThrowsWith(IllegalStateException.class, () -> closed.post("signal", Attributes.empty(), 1), "closed");
        assertThrowsWith(IllegalStateException.class, () -> closed.entries("signal"), "closed");
    }

    @Test
    void blackboardsInOneSpaceAreIndependentAndHandlesShareOne() {
        try (Blackboard a = Blackboard.of(space, "a", "l");
             Blackboard b = Blackboard.of(space, "b", "l", "m");
             Blackboard a2 = Blackboard.of(space, "a", "l")) {
            final long id = a.post("l", Attributes.of("n", 1), 1);
            space.kv().putString("unrelated", "key/value write in between");
            b.post("m", Attributes.of("n", 2), 1);
            b.post("l", Attributes.of("n", 3), 1);
            assertEquals(1, a2.count("l"), "a second handle sees the first one's write");
            assertEquals(1, a2.entry(id).getLong("n"));
            assertEquals(1, b.count("l"), "another blackboard's entries stay there");
            assertEquals(3, b.entry(b.entries("l").get(0).id()).getLong("n"));
            a2.update(id, Attributes.of("n", 10), 1);
            assertEquals(10, a.entry(id).getLong("n"), "and the first sees the second's");
            assertEquals(a.snapshot(), a2.snapshot());
            assertEquals("unrelated", space.kv().get("unrelated").key());
        }
        try (Blackboard again = Blackboard.of(space, "a", "l")) {
            assertEquals(1, again.count("l"));
        }
        assertEquals(2, countRecords(Op.BB_DEFINE), "opening a defined blackboard does not define it again");
        assertEquals(4, countRecords(Op.BB_WRITE));
    }

    @Test
    void twoAgentsDefiningOneBlackboardAtOnceShareTheFirstDefinition() throws Exception {
        for (int round = 0; round < 20; round++) {
            final String name = "race-" + round;
            final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try (Space other = Space.open(SpaceOptions.at(dir).agentId("other-" + round))) {
                final java.util.concurrent.Future<List<String>> same = pool.submit(() -> define(space, name, start, "x", "y"));
                final java.util.concurrent.Future<List<String>> differs = pool.submit(() -> define(other, name, start, "y", "x"));
                final List<String> first = same.get(60, TimeUnit.SECONDS);
                final List<String> second = differs.get(60, TimeUnit.SECONDS);
                // exactly one of the two definitions holds; the other opener is told the levels differ
                assertTrue(first.equals(List.of("x", "y")) ^ second.equals(List.of("y", "x")), first + " / " + second);
                final List<String> winner = first.equals(List.of("x", "y")) ? first : second;
                final List<String> loser = winner == first ? second : first;
                assertEquals(1, loser.size(), loser.toString());
                assertTrue(loser.get(0).contains("has levels " + winner + ", not"), loser.get(0));
                assertEquals(winner, Blackboard.replay(space, name, Long.MAX_VALUE).levels());
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
        }
    }

    /** Opens with these levels after a barrier: the levels it got, or the error message as a one-element list. */
    private static List<String> define(final Space s, final String name, final java.util.concurrent.CyclicBarrier start, final String... levels)
            throws Exception {
        start.await(30, TimeUnit.SECONDS);
        try (Blackboard bb = Blackboard.of(s, name, levels)) {
            return bb.levels();
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
    }

    @Test
    void aNameIsBoundedByTheSpaceKeySize() {
        final Path small = TestSpaces.newDirectory("bbsmall");
        try (Space s = Space.open(SpaceOptions.at(small).agentId("me").maxKeyBytes(16))) {
            assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.of(s, "a-name-of-twenty-b", "l"), "at most 16");
            try (Blackboard ok = Blackboard.of(s, "sixteen-bytes-ok", "l")) {
                ok.post("l", Attributes.empty(), 1);
                assertEquals(1, ok.count("l"));
            }
        } finally {
            TestSpaces.delete(small);
        }
    }
}
