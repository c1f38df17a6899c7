package io.slate.blackboard;

import io.slate.shm.ChronicleSpace;
import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.slate.blackboard.BlackboardModelTest.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Time travel: a replay up to any index is the blackboard as it was right after that record. */
class ReplayTest {
    private Path dir;
    private Space space;

    @BeforeEach
    void open() {
        dir = TestSpaces.newDirectory("bbreplay");
        space = Space.open(SpaceOptions.at(dir).agentId("me"));
    }

    @AfterEach
    void cleanUp() {
        if (space != null) {
            space.close();
        }
        TestSpaces.delete(dir);
    }

    @Test
    void aReplayUpToAnyIndexIsTheStateThen() {
        final List<BlackboardSnapshot> history = new ArrayList<>();
        final List<Long> otherIndices = new ArrayList<>();
        final Random rnd = new Random(7);
        try (Blackboard bb = Blackboard.of(space, "board", "low", "high");
             Blackboard other = Blackboard.of(space, "other", "low")) {
            history.add(bb.snapshot());
            final List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                final int what = rnd.nextInt(10);
                if (what < 5 || ids.isEmpty()) {
                    ids.add(bb.post(rnd.nextBoolean() ? "low" : "high", Attributes.of("i", i, "r", rnd.nextDouble()), rnd.nextDouble()));
                } else if (what < 7) {
                    bb.update(ids.get(rnd.nextInt(ids.size())), Attributes.of("i", i), rnd.nextDouble());
                } else if (what < 8) {
                    bb.retract(ids.get(rnd.nextInt(ids.size())));
                } else if (what < 9) {
                    other.post("low", Attributes.of("noise", i), 0.5);
                    otherIndices.add(other.lastIndex());
                    continue;
                } else {
                    space.kv().putLong("noise", i);
                    continue;
                }
                history.add(bb.snapshot());
            }
            assertEquals(history.get(history.size() - 1), Blackboard.replay(space, "board", Long.MAX_VALUE));
        }
        for (BlackboardSnapshot then : history) {
            assertEquals(then, Blackboard.replay(space, "board", then.lastIndex()), "replay to index " + then.lastIndex());
        }
        // an index of another blackboard's record, or of a key/value write: the state after the last record before it
        for (long index : otherIndices) {
            BlackboardSnapshot expected = history.get(0);
            for (BlackboardSnapshot s : history) {
                if (s.lastIndex() <= index) {
                    expected = s;
                }
            }
            assertEquals(expected, Blackboard.replay(space, "board", index));
        }
        assertNotEquals(history.get(1), history.get(2));
        assertEquals(0, history.get(0).lastChangeNumber());
    }

    @Test
    void aReplayBeforeTheDefinitionIsRefused() {
        space.kv().putString("first", "a key/value write before the blackboard");
        final long before = space.journal().lastIndex();
        try (Blackboard bb = Blackboard.of(space, "late", "l")) {
            final BlackboardSnapshot empty = Blackboard.replay(space, "late", bb.lastIndex());
            assertEquals(List.of("l"), empty.levels());
            assertEquals(0, empty.count("l"));
        }
        assertThrowsWith(IllegalArgumentException.class, () -> Blackboard.replay(space, "late", before), "not defined", "at or before index " + before);
    }

    @Test
    void aMalformedRecordIsReportedWithItsIndexNeverInterpreted() {
        try (Blackboard bb = Blackboard.of(space, "board", "l")) {
            bb.post("l", Attributes.of("ok", true), 1);
        }
        final byte[] garbage = {1, 5, 0, 0, 0, 1, 0};   // format 1, a change list announcing 5 changes, cut short
        final long bad = ((ChronicleSpace) space).chronicleJournal().append(Op.BB_WRITE, 0, 5, "board", garbage, 0, garbage.length);
        final CorruptSpaceException e = assertThrowsWith(CorruptSpaceException.class, () -> Blackboard.replay(space, "board", Long.MAX_VALUE),
                "blackboard 'board'", "bb-write record at index " + bad, "malformed");
        assertTrue(e.getMessage().contains("record ends inside"), e.getMessage());
        assertEquals(1, Blackboard.replay(space, "board", bad - 1).count("l"), "everything before it still replays");

        final byte[] future = {2, 0, 0, 0, 0};
        final long f = ((ChronicleSpace) space).chronicleJournal().append(Op.BB_WRITE, 0, 0, "other", future, 0, future.length);
        assertThrowsWith(CorruptSpaceException.class, () -> Blackboard.of(space, "other", "l"), "index " + f, "format 2");
        try (io.slate.journal.Tailer t = space.journal().tailerFromIndex(f)) {
            assertEquals(f, t.next(1, TimeUnit.SECONDS).index(), "the space's own tailers still read it as an opaque record");
        }
    }
}
