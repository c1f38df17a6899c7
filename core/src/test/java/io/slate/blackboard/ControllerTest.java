package io.slate.blackboard;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.slate.blackboard.BlackboardModelTest.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Triggers, the agenda's order, goal and quiescence, failures, conflicts and what an action sees, in one process. */
class ControllerTest {
    private Path dir;
    private Space space;
    private Blackboard bb;

    @BeforeEach
    void open() {
        dir = TestSpaces.newDirectory("bbctl");
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

    private static List<String> keys(final List<Activation> agenda) {
        final List<String> l = new ArrayList<>();
        for (Activation a : agenda) {
            l.add(a.key());
        }
        return l;
    }

    @Test
    void triggersFireOnTheirLevelKindsAndCondition() {
        final Action nothing = ctx -> { };
        final long big = bb.post("a", Attributes.of("x", 5), 0.5);
        final long small = bb.post("a", Attributes.of("x", 1), 0.5);
        final long onB = bb.post("b", Attributes.of("x", 5), 0.5);
        bb.update(small, Attributes.of("x", 2), 0.5);
        bb.retract(onB);
        try (Controller c = bb.controller()
                .register(KnowledgeSource.of("big-a", Trigger.onPosted("a").when(ch -> ch.entry().getLong("x") > 3), nothing))
                .register(KnowledgeSource.of("updated-a", Trigger.on("a", ChangeKind.UPDATED).when(ch -> ch.previous().getLong("x") == 1), nothing))
                .register(KnowledgeSource.of("any-b", Trigger.on("b", ChangeKind.POSTED, ChangeKind.UPDATED, ChangeKind.RETRACTED), nothing))
                .register(KnowledgeSource.of("retracted-a", Trigger.on("a", ChangeKind.RETRACTED), nothing))
                .build()) {
            final List<String> agenda = keys(c.agenda());
            assertEquals(4, agenda.size(), agenda.toString());
            assertTrue(agenda.contains(Activation.key("big-a", big, 1)));
            assertTrue(agenda.contains(Activation.key("updated-a", small, 2)));
            assertTrue(agenda.contains(Activation.key("any-b", onB, 1)));
            assertTrue(agenda.contains(Activation.key("any-b", onB, 2)), "a retraction is a change too");
            final Activation retraction = c.agenda().stream().filter(a -> a.key().equals(Activation.key("any-b", onB, 2))).findFirst().get();
            assertEquals(ChangeKind.RETRACTED, retraction.change().kind());
            assertTrue(retraction.entry().isRetracted());
            assertEquals(1, retraction.change().previous().version());
        }
    }

    @Test
    void theAgendaIsRankedByRatingThenTriggerThenName() {
        final long p5 = bb.post("a", Attributes.of("prio", 0.5), 1);
        final long p9 = bb.post("a", Attributes.of("prio", 0.9), 1);
        final long q5 = bb.post("a", Attributes.of("prio", 0.5), 1);
        final long p1 = bb.post("a", Attributes.of("prio", 0.1), 1);
        final List<String> ran = new ArrayList<>();
        final Action record = ctx -> ran.add(ctx.activation().key());
        try (Controller c = bb.controller()
                .register(KnowledgeSource.of("zeta", Trigger.onPosted("a"), record))
                .register(KnowledgeSource.of("alpha", Trigger.onPosted("a"), record))
                .rating(a -> a.entry().getDouble("prio") + (a.knowledgeSource().equals("zeta") && a.entry().id() == p1 ? 1 : 0))
                .build()) {
            final List<String> expected = List.of(
                    Activation.key("zeta", p1, 1),                                  // 1.1
                    Activation.key("alpha", p9, 1), Activation.key("zeta", p9, 1),  // 0.9, by name
                    Activation.key("alpha", p5, 1), Activation.key("zeta", p5, 1),  // 0.5, earlier change first
                    Activation.key("alpha", q5, 1), Activation.key("zeta", q5, 1),
                    Activation.key("alpha", p1, 1));                                // 0.1
            assertEquals(expected, keys(c.agenda()));
            final RunResult r = c.run(30, TimeUnit.SECONDS);
            assertEquals(RunResult.StopReason.QUIESCENT, r.reason());
            assertEquals(8, r.executed());
            assertEquals(expected, ran, "executed in rank order");
            assertEquals(expected, c.executed());
            assertTrue(c.agenda().isEmpty());
            assertTrue(c.isQuiescent());
        }
        assertThrowsWith(IllegalArgumentException.class, () -> bb.controller().rating(null), "rating must not be null");
    }

    /** Each "n" entry below 10 makes the next one: a chain that a goal can stop half way. */
    private KnowledgeSource counter() {
        return KnowledgeSource.of("next", Trigger.onPosted("a").when(ch -> ch.entry().getLong("n") < 10),
                ctx -> ctx.post("a", Attributes.of("n", ctx.activation().entry().getLong("n") + 1), 1));
    }

    @Test
    void aGoalStopsTheRunAndQuiescenceEndsIt() {
        bb.post("a", Attributes.of("n", 0), 1);
        try (Controller c = bb.controller().register(counter()).goal(s -> s.count("a") == 5).build()) {
            final RunResult r = c.run(30, TimeUnit.SECONDS);
            assertEquals(RunResult.StopReason.GOAL, r.reason(), r.toString());
            assertEquals(4, r.executed());
            assertEquals(5, bb.count("a"));
            assertEquals(1, c.agenda().size(), "the activation of n=4 is still pending");
            assertFalse(c.isQuiescent());
            assertEquals(RunResult.StopReason.GOAL, c.run(30, TimeUnit.SECONDS).reason(), "the goal still holds");
        }
        try (Controller c = bb.controller().register(counter()).build()) {
            final RunResult r = c.run(30, TimeUnit.SECONDS);
            assertEquals(RunResult.StopReason.QUIESCENT, r.reason());
            assertEquals(6, r.executed(), "the ones before were done by the first controller");
            assertEquals(11, bb.count("a"));
            assertEquals(bb.lastIndex(), r.lastIndex());
        }
    }

    @Test
    void aRunWithNothingToDoIsQuiescentAtOnceAndStopCanBeRequested() throws Exception {
        try (Controller c = bb.controller().register(counter()).build()) {
            assertEquals(RunResult.StopReason.QUIESCENT, c.run(30, TimeUnit.SECONDS).reason());
            assertEquals(0, c.doWork());
            c.requestStop();
            assertEquals(RunResult.StopReason.STOPPED, c.run(30, TimeUnit.SECONDS).reason());
        }
    }

    @Test
    void aFailingActionEndsItsActivationAsFailedAndAppliesNothing() {
        final long e1 = bb.post("a", Attributes.of("n", 1), 1);
        final long e2 = bb.post("a", Attributes.of("n", 2), 1);
        try (Controller c = bb.controller().register(KnowledgeSource.of("picky", Trigger.onPosted("a"), ctx -> {
            ctx.post("b", Attributes.of("from", ctx.activation().entry().id()), 1);
            if (ctx.activation().entry().getLong("n") == 1) {
                throw new IllegalStateException("cannot handle n=1");
            }
        })).build()) {
            final RunResult r = c.run(30, TimeUnit.SECONDS);
            assertEquals(RunResult.StopReason.QUIESCENT, r.reason());
            assertEquals(2, r.executed());
            assertEquals(1, r.failed());
        }
        final BlackboardSnapshot s = bb.snapshot();
        assertEquals(1, s.count("b"), "only the successful action's post");
        assertEquals(e2, s.entries("b").get(0).getLong("from"));
        final ActivationRecord failed = s.activation(Activation.key("picky", e1, 1));
        assertEquals(ActivationRecord.State.FAILED, failed.state());
        assertTrue(failed.failure().contains("cannot handle n=1"), failed.failure());
        assertEquals("me", failed.executor());
        assertTrue(failed.isFinished());
        assertEquals(ActivationRecord.State.COMMITTED, s.activation(Activation.key("picky", e2, 1)).state());
    }

    @Test
    void aCommitAppliesAllItsChangesOrNone() {
        final long target = bb.post("b", Attributes.of("state", "new"), 0.5);
        bb.post("a", Attributes.of("n", 1), 1);
        try (Controller c = bb.controller().register(KnowledgeSource.of("racer", Trigger.onPosted("a"), ctx -> {
            final BlackboardEntry seen = ctx.board().entry(target);
            // someone else changes the target between what the action read and its commit
            bb.update(target, Attributes.of("state", "changed elsewhere"), 0.6);
            ctx.post("b", Attributes.of("state", "derived"), 0.9);
            ctx.update(target, seen.version(), Attributes.of("state", "handled"), 0.9);
            assertEquals(2, ctx.proposed());
        })).build()) {
            final RunResult r = c.run(30, TimeUnit.SECONDS);
            assertEquals(1, r.conflicts());
        }
        final BlackboardSnapshot s = bb.snapshot();
        assertEquals(1, s.count("b"), "the post was not applied either");
        assertEquals("changed elsewhere", s.entry(target).getString("state"));
        assertEquals(ActivationRecord.State.CONFLICT, s.activations().get(0).state());
    }

    @Test
    void anActionSeesTheBoardAsOfItsTriggerAndChangesOfOneCommitAreOrdered() {
        final long first = bb.post("a", Attributes.of("n", 1), 1);
        final long second = bb.post("a", Attributes.of("n", 2), 1);
        bb.update(first, Attributes.of("n", 100), 1);
        final Map<String, String> seen = new TreeMap<>();
        try (Controller c = bb.controller()
                .register(KnowledgeSource.of("look", Trigger.onPosted("a"), ctx -> {
                    final BlackboardState board = ctx.board();
                    final StringBuilder sb = new StringBuilder();
                    for (BlackboardEntry e : board.entries("a")) {
                        sb.append(e.id()).append('=').append(e.getLong("n")).append(' ');
                    }
                    sb.append("b:").append(board.count("b"));
                    seen.put(ctx.activation().key(), sb.toString());
                    assertEquals(ctx.activation().triggerChangeNumber(), board.lastChangeNumber());
                    assertEquals(ctx.activation().triggerIndex(), board.lastIndex());
                    if (ctx.activation().entry().id() == second) {
                        ctx.post("b", Attributes.of("k", 1), 1);
                        ctx.post("b", Attributes.of("k", 2), 1);
                    }
                }))
                .register(KnowledgeSource.of("lookB", Trigger.onPosted("b"), ctx -> {
                    seen.put(ctx.activation().key(), "b:" + ctx.board().entries("b").stream().map(e -> e.getLong("k")).toList());
                }))
                .build()) {
            assertEquals(RunResult.StopReason.QUIESCENT, c.run(30, TimeUnit.SECONDS).reason());
        }
        assertEquals(first + "=1 b:0", seen.get(Activation.key("look", first, 1)), "not the later post, not the later update");
        assertEquals(first + "=1 " + second + "=2 b:0", seen.get(Activation.key("look", second, 1)));
        final List<BlackboardEntry> bs = bb.entries("b");
        assertEquals(bs.get(0).index(), bs.get(1).index(), "one commit, one journal record");
        assertEquals(bs.get(0).changeNumber() + 1, bs.get(1).changeNumber(), "two changes");
        assertEquals("b:[1]", seen.get(Activation.key("lookB", bs.get(0).id(), 1)), "the first change does not see the second");
        assertEquals("b:[1, 2]", seen.get(Activation.key("lookB", bs.get(1).id(), 1)));
    }

    @Test
    void badRatingsAndThrowingTriggersStopTheControllerWithAClearError() {
        bb.post("a", Attributes.of("n", 1), 1);
        try (Controller c = bb.controller().register(KnowledgeSource.of("ks", Trigger.onPosted("a"), ctx -> { }))
                .rating(a -> Double.NaN).build()) {
            assertThrowsWith(IllegalStateException.class, c::doWork, "rating function returned NaN", "ks@");
            assertThrowsWith(IllegalStateException.class, c::doWork, "rating function returned NaN");
        }
        try (Controller c = bb.controller().register(KnowledgeSource.of("ks", Trigger.onPosted("a").when(ch -> ch.entry().getBoolean("n")),
                ctx -> { })).build()) {
            assertThrowsWith(IllegalStateException.class, () -> c.run(5, TimeUnit.SECONDS), "trigger of knowledge source 'ks' threw",
                    "attribute 'n' is LONG");
        }
        assertTrue(bb.snapshot().activations().isEmpty(), "nothing was claimed");
    }

    @Test
    void theBuilderRefusesWhatCannotWork() {
        final KnowledgeSource ks = KnowledgeSource.of("ks", Trigger.onPosted("a"), ctx -> { });
        assertThrowsWith(IllegalStateException.class, () -> bb.controller().build(), "at least one knowledge source");
        assertThrowsWith(IllegalArgumentException.class, () -> bb.controller().register(ks).register(ks), "'ks' is already registered");
        assertThrowsWith(IllegalArgumentException.class,
                () -> bb.controller().register(KnowledgeSource.of("x", Trigger.onPosted("zz"), ctx -> { })), "level 'zz'", "[a, b]");
        assertThrowsWith(IllegalArgumentException.class, () -> bb.controller().register(null), "must not be null");
    }

    @Test
    void anActionProposingBadChangesFailsItsActivation() {
        final long e = bb.post("a", Attributes.of("n", 1), 1);
        try (Controller c = bb.controller().register(KnowledgeSource.of("bad", Trigger.onPosted("a"),
                ctx -> ctx.post("nowhere", Attributes.empty(), 1))).build()) {
            assertEquals(1, c.run(30, TimeUnit.SECONDS).failed());
        }
        final ActivationRecord r = bb.snapshot().activation(Activation.key("bad", e, 1));
        assertEquals(ActivationRecord.State.FAILED, r.state());
        assertTrue(r.failure().contains("no level 'nowhere'"), r.failure());
    }

    @Test
    void aControllerIsConfinedToOneThread() throws Exception {
        try (Controller c = bb.controller().register(counter()).build()) {
            c.doWork();
            final CompletableFuture<Integer> other = CompletableFuture.supplyAsync(c::doWork);
            final ExecutionException e = assertThrows(ExecutionException.class, () -> other.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("confined to thread"), e.getCause().getMessage());
            c.requestStop(); // the one call allowed from any thread
        }
        final Controller closed = bb.controller().register(counter()).build();
        closed.close();
        assertThrowsWith(IllegalStateException.class, closed::doWork, "closed");
    }
}
