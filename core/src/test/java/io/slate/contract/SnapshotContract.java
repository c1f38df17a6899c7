package io.slate.contract;

import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.Controller;
import io.slate.blackboard.KnowledgeSource;
import io.slate.blackboard.RunResult;
import io.slate.blackboard.Trigger;
import io.slate.engine.blackboard.BoardSnapshots;
import io.slate.space.Space;
import io.slate.spi.BackendSpace;
import io.slate.spi.SnapshotStore;
import io.slate.testing.ChildJvm;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots on any backend: the store publishes whole snapshots, the newest wins, views never mix, every agent sees
 * them; a tuple space and a blackboard (with its controller's agenda) open from a snapshot another agent wrote and
 * tail from its index, exactly as a replay from the start would have left them.
 */
public abstract class SnapshotContract extends ContractBase {
    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theNewestSnapshotOfAViewWinsAndViewsNeverMix() {
        final SnapshotStore store = BackendSpace.of(open("a"), "contract").snapshots();
        assertNull(store.newest("tuples/none"));
        store.write("tuples/jobs", 10, bytes("ten"), 0, 3);
        store.write("tuples/jobs", 20, bytes("xtwentyx"), 1, 6);
        store.write("blackboard/jobs", 15, bytes("board"), 0, 5);
        store.write("tuples/jöbs/ünïcode", 5, bytes("other"), 0, 5);
        final SnapshotStore other = BackendSpace.of(open("b"), "contract").snapshots();
        for (SnapshotStore s : new SnapshotStore[] {store, other}) {
            final SnapshotStore.Snapshot n = s.newest("tuples/jobs");
            assertEquals(20, n.index());
            assertEquals("tuples/jobs", n.view());
            assertArrayEquals(bytes("twenty"), n.data());
            assertEquals(15, s.newest("blackboard/jobs").index());
            assertArrayEquals(bytes("other"), s.newest("tuples/jöbs/ünïcode").data());
            assertTrue(s.views().containsAll(java.util.List.of("tuples/jobs", "blackboard/jobs", "tuples/jöbs/ünïcode")), s.views().toString());
            assertEquals(3, s.views().size(), s.views().toString());
        }
    }

    @Test
    void aTupleSpaceOpensFromASnapshotAnotherAgentWroteAndTailsFromItsIndex() throws Exception {
        final Space s = open("a");
        try (TupleSpace ts = TupleSpace.of(s, "jobs")) {
            for (long i = 0; i < 5; i++) {
                ts.out(Tuple.of("job", i));
            }
            ts.out(Tuple.of("lease", 1L), 10, TimeUnit.MINUTES);
            ts.inp(Template.of("job", 0L));
            final ChildJvm holder = agent("take-and-hold", "jobs");
            final long held = Long.parseLong(expect(holder, "took"));
            final ChildJvm writer = agent("snapshot-tuples", "jobs");
            final long at = Long.parseLong(expect(writer, "snapshot"));
            untilDone(writer);
            assertTrue(at >= held, "the snapshot reflects the take");
            ts.out(Tuple.of("job", 99L));
            try (TupleSpace fresh = TupleSpace.of(s, "jobs")) {
                assertEquals(4, fresh.count(Template.of("job", Template.ANY)), "1..4 and 99, less the one held");
                assertEquals(1, fresh.count(Template.of("lease", Template.ANY)));
                assertNull(fresh.rdp(Template.of("job", held)));
                holder.kill();
                // the held take came from the snapshot with its taker: dead now, so its tuple comes back (at once on
                // one host; within its lease's TTL on a distributed backend, so wait for it, bounded)
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (fresh.count(Template.of("job", Template.ANY)) < 5 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(5, fresh.count(Template.of("job", Template.ANY)), "the dead taker's tuple is back");
                assertTrue(fresh.in(Template.of("job", Template.ANY_LONG), 30, TimeUnit.SECONDS) != null);
                assertEquals(4, fresh.count(Template.of("job", Template.ANY)));
            }
        }
    }

    @Test
    void aBlackboardAndAControllerOpenFromASnapshotWithTheAgendaAReplayWouldGive() {
        final Space s = open("a");
        final KnowledgeSource twice = KnowledgeSource.of("twice", Trigger.onPosted("signal"),
                ctx -> ctx.post("hypothesis", Attributes.of("y", ctx.activation().entry().getLong("x") * 2), 0.5));
        try (Blackboard bb = Blackboard.of(s, "board", "signal", "hypothesis")) {
            bb.post("signal", Attributes.of("x", 1L), 1.0);
            bb.post("signal", Attributes.of("x", 2L), 1.0);
            try (Controller c = bb.controller().register(twice).build()) {
                assertEquals(2, c.run(30, TimeUnit.SECONDS).executed());
            }
            bb.post("signal", Attributes.of("x", 3L), 1.0);
            final long at = BoardSnapshots.write(BackendSpace.of(s, "contract"), "board");
            assertTrue(at >= bb.lastIndex());
            bb.post("signal", Attributes.of("x", 4L), 1.0);
        }
        try (Blackboard again = Blackboard.of(s, "board")) {
            assertEquals(4, again.entries("signal").size());
            assertEquals(2, again.entries("hypothesis").size());
            try (Controller c = again.controller().register(twice).build()) {
                final RunResult r = c.run(30, TimeUnit.SECONDS);
                assertEquals(2, r.executed(), "only the signals never acted on (3 from the snapshot's agenda, 4 from the tail): " + r);
            }
            assertEquals(4, again.entries("hypothesis").size());
            assertEquals(again.snapshot().entries("hypothesis").size(), Blackboard.replay(s, "board", Long.MAX_VALUE).entries("hypothesis").size());
        }
    }
}
