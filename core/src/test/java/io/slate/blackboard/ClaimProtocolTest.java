package io.slate.blackboard;

import io.slate.shm.ChronicleSpace;
import io.slate.engine.blackboard.BlackboardRecords;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The claim protocol in one process: concurrent controllers, claims of agents that closed (dead to the registry) and
 * of live ones, and records that must change nothing. Claims of another agent are written as that agent would
 * (through a second space handle with its own registry slot).
 */
class ClaimProtocolTest {
    private Path dir;
    private Space space;
    private Blackboard bb;

    @BeforeEach
    void open() {
        dir = TestSpaces.newDirectory("bbclaim");
        space = Space.open(SpaceOptions.at(dir).agentId("me"));
        bb = Blackboard.of(space, "board", "a", "b");
    }

    @AfterEach
    void cleanUp() {
        if (bb != null) {
            bb.close();
        }
        if (space != null) {
            space.close();
        }
        TestSpaces.delete(dir);
    }

    /** Posts at "b" which entry of "a" it handled. */
    private static KnowledgeSource worker() {
        return KnowledgeSource.of("work", Trigger.onPosted("a"),
                ctx -> ctx.post("b", Attributes.of("from", ctx.activation().entry().id()), 1));
    }

    private static long append(final Space as, final Op op, final long version, final Consumer<BlackboardRecords.Writer> body) {
        final BlackboardRecords.Writer w = new BlackboardRecords.Writer();
        body.accept(w);
        return ((ChronicleSpace) as).chronicleJournal().append(op, 0, version, "board", w.buffer(), 0, w.length());
    }

    /** Claims the activation as agent {@code as} would: with its registry slot, PID and start time. */
    private static long claimAs(final Space as, final String ks, final long entryId, final long version) {
        final ChronicleSpace s = (ChronicleSpace) as;
        return append(as, Op.BB_CLAIM, entryId, w -> BlackboardRecords.encodeClaim(w, ks, entryId, version, s.agentSlot(), s.pid(), s.startTicks()));
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
    void controllersOnTwoThreadsRunEachActivationExactlyOnce() throws Exception {
        final int n = 300;
        for (int i = 0; i < n; i++) {
            bb.post("a", Attributes.of("i", i), 1);
        }
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final List<Future<List<String>>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(pool.submit(() -> {
                    try (Blackboard mine = Blackboard.of(space, "board");
                         Controller c = mine.controller().register(worker()).build()) {
                        assertEquals(RunResult.StopReason.QUIESCENT, c.run(60, TimeUnit.SECONDS).reason());
                        return c.executed();
                    }
                }));
            }
            final List<String> first = runs.get(0).get(90, TimeUnit.SECONDS);
            final List<String> second = runs.get(1).get(90, TimeUnit.SECONDS);
            final Set<String> all = new HashSet<>(first);
            for (String k : second) {
                assertTrue(all.add(k), k + " executed by both controllers");
            }
            assertEquals(n, all.size());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        final BlackboardSnapshot s = bb.snapshot();
        assertEquals(n, s.count("b"));
        final Set<Long> from = new HashSet<>();
        for (BlackboardEntry e : s.entries("b")) {
            assertTrue(from.add(e.getLong("from")), "entry " + e.getLong("from") + " handled twice");
        }
        assertEquals(n, countRecords(Op.BB_COMMIT));
        assertTrue(countRecords(Op.BB_CLAIM) >= n);
        assertEquals(n, s.activations().size());
        assertTrue(s.activations().stream().allMatch(a -> a.state() == ActivationRecord.State.COMMITTED && a.abandonedBy().isEmpty()));
    }

    @Test
    void theClaimOfAnAgentThatIsGoneIsAbandonedAndTheActivationRunsAgain() {
        final long e = bb.post("a", Attributes.of("i", 1), 1);
        final String key = Activation.key("work", e, 1);
        final long ghostClaim;
        try (Space ghost = Space.open(SpaceOptions.at(dir).agentId("ghost"))) {
            ghostClaim = claimAs(ghost, "work", e, 1);
            // the ghost closes (or dies) without committing: its registry slot no longer names a live agent
        }
        assertEquals("ghost", bb.snapshot().activation(key).executor());
        try (Controller c = bb.controller().register(worker()).build()) {
            assertTrue(c.agenda().isEmpty(), "a running activation is not pending");
            assertFalse(c.isQuiescent(), "something is running");
            final RunResult r = c.run(30, TimeUnit.SECONDS);
            assertEquals(RunResult.StopReason.QUIESCENT, r.reason());
            assertEquals(List.of(key), c.executed());
        }
        final ActivationRecord a = bb.snapshot().activation(key);
        assertEquals(ActivationRecord.State.COMMITTED, a.state());
        assertEquals("me", a.executor());
        assertEquals(List.of("ghost"), a.abandonedBy());
        assertTrue(a.claimIndex() > ghostClaim);
        assertEquals(1, countRecords(Op.BB_ABANDON));
        assertEquals(1, bb.count("b"));
        assertEquals(ActivationRecord.State.RUNNING, Blackboard.replay(space, "board", ghostClaim).activation(key).state());
    }

    @Test
    void aLiveHoldersClaimIsNeverRobbedAndItsCommitCounts() {
        final long e = bb.post("a", Attributes.of("i", 1), 1);
        final String key = Activation.key("work", e, 1);
        try (Space ghost = Space.open(SpaceOptions.at(dir).agentId("ghost"))) {
            final long ghostClaim = claimAs(ghost, "work", e, 1);
            try (Controller c = bb.controller().register(worker()).build()) {
                final RunResult r = c.run(300, TimeUnit.MILLISECONDS);
                assertEquals(RunResult.StopReason.TIMED_OUT, r.reason(), "waits for the live holder");
                assertEquals(0, r.executed());
                assertEquals(0, countRecords(Op.BB_ABANDON));
                assertEquals("ghost", bb.snapshot().activation(key).executor());

                // the holder finishes: its commit counts
                append(ghost, Op.BB_COMMIT, ghostClaim, w -> BlackboardRecords.encodeCommit(w, ghostClaim,
                        List.of(BlackboardRecords.ChangeSpec.post(1, Attributes.of("from", e, "by", "ghost"), 1))));
                assertEquals(RunResult.StopReason.QUIESCENT, c.run(30, TimeUnit.SECONDS).reason());
                assertTrue(c.executed().isEmpty());
            }
        }
        final BlackboardSnapshot s = bb.snapshot();
        assertEquals(ActivationRecord.State.COMMITTED, s.activation(key).state());
        assertEquals("ghost", s.activation(key).executor());
        assertEquals("ghost", s.entries("b").get(0).getString("by"));
        assertEquals("ghost", s.entries("b").get(0).author());
    }

    @Test
    void recordsThatDoNotHoldChangeNothing() {
        final long e = bb.post("a", Attributes.of("i", 1), 1);
        final String key = Activation.key("work", e, 1);
        try (Space ghost = Space.open(SpaceOptions.at(dir).agentId("ghost"))) {
            final long ghostClaim = claimAs(ghost, "work", e, 1);
            final BlackboardSnapshot before = bb.snapshot();

            claimAs(space, "work", e, 1);                      // the activation is held: a second claim is void
            claimAs(space, "work", e, 2);                      // no version 2 of the entry: void
            claimAs(space, "work", 777, 1);                    // no such entry: void
            append(space, Op.BB_COMMIT, ghostClaim, w -> BlackboardRecords.encodeCommit(w, ghostClaim,
                    List.of(BlackboardRecords.ChangeSpec.post(1, Attributes.of("forged", true), 1))));  // not the claimer's commit
            append(space, Op.BB_COMMIT, 12345, w -> BlackboardRecords.encodeCommit(w, 12345, List.of()));  // no such claim
            append(space, Op.BB_ABANDON, 12345, w -> BlackboardRecords.encodeAbandon(w, 12345, 0, 1, 1)); // no such claim
            append(space, Op.BB_DEFINE, 1, w -> BlackboardRecords.encodeDefine(w, List.of("other")));     // defined already

            final BlackboardSnapshot after = bb.snapshot();
            assertTrue(after.lastIndex() > before.lastIndex());
            assertEquals(before.allEntries(), after.allEntries());
            assertEquals(before.activations(), after.activations());
            assertEquals(List.of("a", "b"), after.levels());
            assertNull(after.activation(Activation.key("work", e, 2)));
            assertEquals(0, after.count("b"));

            append(ghost, Op.BB_COMMIT, ghostClaim, w -> BlackboardRecords.encodeFailedCommit(w, ghostClaim, "gave up"));
            append(ghost, Op.BB_ABANDON, ghostClaim, w -> BlackboardRecords.encodeAbandon(w, ghostClaim, 0, 1, 1)); // finished: void
            final ActivationRecord a = bb.snapshot().activation(key);
            assertEquals(ActivationRecord.State.FAILED, a.state());
            assertEquals("gave up", a.failure());
            assertTrue(a.abandonedBy().isEmpty());
        }
    }

    @Test
    void evenAWronglyAbandonedLiveClaimCannotDoubleAnEffect() {
        final long e = bb.post("a", Attributes.of("i", 1), 1);
        final String key = Activation.key("work", e, 1);
        try (Space ghost = Space.open(SpaceOptions.at(dir).agentId("ghost"))) {
            final long ghostClaim = claimAs(ghost, "work", e, 1);
            final ChronicleSpace g = (ChronicleSpace) ghost;
            // an abandonment the protocol would never write: the ghost is alive
            append(space, Op.BB_ABANDON, ghostClaim, w -> BlackboardRecords.encodeAbandon(w, ghostClaim, g.agentSlot(), g.pid(), g.startTicks()));
            try (Controller c = bb.controller().register(worker()).build()) {
                assertEquals(RunResult.StopReason.QUIESCENT, c.run(30, TimeUnit.SECONDS).reason());
                assertEquals(List.of(key), c.executed());
            }
            // the ghost, unaware, commits its own result: its claim no longer holds, so the commit is void
            append(ghost, Op.BB_COMMIT, ghostClaim, w -> BlackboardRecords.encodeCommit(w, ghostClaim,
                    List.of(BlackboardRecords.ChangeSpec.post(1, Attributes.of("from", e), 1))));
        }
        final BlackboardSnapshot s = bb.snapshot();
        assertEquals(1, s.count("b"), "one effect");
        assertEquals("me", s.entries("b").get(0).author());
        assertEquals("me", s.activation(key).executor());
        assertEquals(List.of("ghost"), s.activation(key).abandonedBy());
    }
}
