package io.slate.blackboard;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sensor problem solved by knowledge sources in three JVMs: every activation executed exactly once, the same plans
 * every run, the run equal to a replay of the journal, intermediate replays showing intermediate states; and a JVM
 * killed (SIGKILL) while holding a claim does not lose its activation.
 */
class MultiJvmBlackboardTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final io.slate.testing.Processes processes = new io.slate.testing.Processes();

    private ChildJvm solver(final Path dir, final String agent, final String mode) {
        return processes.child(agent, BlackboardChildren.Solver.class, dir.toString(), agent, mode);
    }

    /** The keys after "EXEC " in a child's output. */
    private static List<String> executedBy(final ChildJvm c) {
        final List<String> keys = new ArrayList<>();
        for (String l : c.output()) {
            if (l.startsWith("EXEC ")) {
                keys.add(l.substring(5));
            }
        }
        return keys;
    }

    /** Runs a controller with both knowledge sources here until quiescence: finishes what the goal left pending. */
    private static List<String> finishHere(final Blackboard bb) {
        try (Controller c = bb.controller().register(SensorProblem.detector(a -> { }))
                .register(SensorProblem.combiner(a -> { })).rating(SensorProblem::rating).build()) {
            final RunResult r = c.run(60, TimeUnit.SECONDS);
            assertEquals(RunResult.StopReason.QUIESCENT, r.reason(), r.toString());
            return c.executed();
        }
    }

    /** Counts the journal's records of each blackboard operation. */
    private static Map<Op, Integer> countRecords(final Space space) {
        final Map<Op, Integer> counts = new HashMap<>();
        try (Tailer t = space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                counts.merge(r.op(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * Checks that each expected activation was executed exactly once, by the agent the journal names as its executor.
     *
     * @param executions agent id -> the activation keys it says it executed
     */
    private static void assertExactlyOnce(final BlackboardSnapshot solved, final Map<String, List<String>> executions) {
        final Set<String> expected = SensorProblem.expectedActivations(solved);
        final Map<String, String> executor = new HashMap<>();
        for (Map.Entry<String, List<String>> e : executions.entrySet()) {
            for (String key : e.getValue()) {
                final String before = executor.put(key, e.getKey());
                if (before != null) {
                    fail("activation " + key + " executed twice: by " + before + " and by " + e.getKey());
                }
            }
        }
        assertEquals(expected, new TreeSet<>(executor.keySet()), "every activation executed, and only those");
        for (String key : expected) {
            final ActivationRecord a = solved.activation(key);
            assertNotNull(a, "journal record of " + key);
            assertEquals(ActivationRecord.State.COMMITTED, a.state(), a.toString());
            assertEquals(executor.get(key), a.executor(), "the journal names the agent that executed " + key);
        }
        assertEquals(expected.size(), solved.activations().size(), "no other activation was ever claimed");
        final Map<String, Integer> perAgent = new java.util.TreeMap<>();
        executor.values().forEach(a -> perAgent.merge(a, 1, Integer::sum));
        System.out.println("activations executed per agent: " + perAgent);
    }

    /** Time travel: the replay at every index where the blackboard changed holds exactly the entries written up to it. */
    private static void assertReplaysShowHistory(final Space space, final BlackboardSnapshot solved) {
        final TreeSet<Long> indices = new TreeSet<>();
        for (BlackboardEntry e : solved.allEntries()) {
            indices.add(e.index());
        }
        for (long index : indices) {
            final BlackboardSnapshot then = Blackboard.replay(space, SensorProblem.BOARD, index);
            final List<BlackboardEntry> expected = new ArrayList<>();
            for (BlackboardEntry e : solved.allEntries()) {
                if (e.index() <= index) {
                    expected.add(e); // entries of this problem are never updated: version 1 is the last
                }
            }
            assertEquals(expected, then.allEntries(), "entries at index " + index);
            assertEquals(index, then.lastIndex());
        }
    }

    @RepeatedTest(2)
    void threeJvmsSolveTheProblemExactlyOnceAndTheRunEqualsItsReplay() throws Exception {
        final Path dir = processes.dir("bb3");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"));
             Blackboard bb = Blackboard.of(space, SensorProblem.BOARD, SensorProblem.LEVELS)) {
            final long signalsPosted = SensorProblem.postSignals(bb);
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                cs.add(solver(dir, "solver-" + i, "solve"));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            space.kv().putString("go", "now");
            final Map<String, String[]> done = new HashMap<>();
            for (ChildJvm c : cs) {
                final String[] d = c.awaitLineStartingWith("DONE ", 150, TimeUnit.SECONDS).split(" ");
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                assertEquals("GOAL", d[1], "every JVM sees the goal");
                done.put("solver-" + cs.indexOf(c), d);
            }
            final List<String> finishedHere = finishHere(bb);
            final BlackboardSnapshot solved = bb.snapshot();

            // the deterministic answer
            assertEquals(SensorProblem.expectedPlans(), SensorProblem.plans(solved), solved.dump());
            assertEquals(SensorProblem.expectedPlans().size(), solved.count("plan"), "one plan per adjacent pair, no duplicate");
            assertEquals(SensorProblem.expectedHypotheses(), SensorProblem.hypotheses(solved));
            assertEquals(SensorProblem.expectedHypotheses().size(), solved.count("hypothesis"));

            // exactly once, and by whom
            final Map<String, List<String>> executions = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                executions.put("solver-" + i, executedBy(cs.get(i)));
            }
            executions.put("parent", finishedHere);
            assertExactlyOnce(solved, executions);
            final Map<Op, Integer> records = countRecords(space);
            assertEquals(solved.activations().size(), records.get(Op.BB_COMMIT), "one commit per activation, no void commit");
            assertNull(records.get(Op.BB_ABANDON), "nobody died, nothing abandoned");

            // each JVM's view equals a replay of the journal up to the index it had reached
            for (Map.Entry<String, String[]> e : done.entrySet()) {
                final BlackboardSnapshot replayed = Blackboard.replay(space, SensorProblem.BOARD, Long.parseLong(e.getValue()[2]));
                assertEquals(SensorProblem.digest(replayed), e.getValue()[3], e.getKey() + "'s view at index " + e.getValue()[2]
                        + " differs from the replay:\n" + replayed.dump());
                assertEquals(SensorProblem.expectedPlans(), SensorProblem.plans(replayed), "the goal held in " + e.getKey() + "'s view");
            }
            assertEquals(solved, Blackboard.replay(space, SensorProblem.BOARD, solved.lastIndex()));
            assertEquals(solved, Blackboard.replay(space, SensorProblem.BOARD, Long.MAX_VALUE));

            // time travel: intermediate states
            final BlackboardSnapshot signalsOnly = Blackboard.replay(space, SensorProblem.BOARD, signalsPosted);
            assertEquals(SensorProblem.SENSORS, signalsOnly.count("signal"));
            assertEquals(0, signalsOnly.count("hypothesis"));
            assertEquals(0, signalsOnly.count("plan"));
            assertTrue(signalsOnly.activations().isEmpty());
            final long firstPlan = solved.entries("plan").get(0).index();
            assertEquals(0, Blackboard.replay(space, SensorProblem.BOARD, firstPlan - 1).count("plan"));
            assertEquals(1, Blackboard.replay(space, SensorProblem.BOARD, firstPlan).count("plan"));
            assertReplaysShowHistory(space, solved);
        }
    }

    @Test
    void aJvmKilledWhileHoldingAClaimDoesNotLoseTheActivation() throws Exception {
        final Path dir = processes.dir("bbkill");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"));
             Blackboard bb = Blackboard.of(space, SensorProblem.BOARD, SensorProblem.LEVELS)) {
            SensorProblem.postSignals(bb);
            final int strongest = SensorProblem.strongestSensor();
            assertTrue(SensorProblem.expectedPlans().stream().anyMatch(p -> p.startsWith(strongest + "-") || p.endsWith("-" + strongest)),
                    "the held activation is needed for the goal");
            final BlackboardEntry strongestSignal = bb.entries("signal").get(strongest);
            assertEquals(strongest, strongestSignal.getLong("sensor"));
            final String heldKey = Activation.key(SensorProblem.DETECTOR, strongestSignal.id(), 1);

            final ChildJvm holder = solver(dir, "holder", "hold");
            assertEquals("READY", holder.awaitLine(60, TimeUnit.SECONDS));
            space.kv().putString("go", "now");
            assertEquals("HOLDING " + heldKey, holder.awaitLineStartingWith("HOLDING ", 60, TimeUnit.SECONDS), "the best-rated activation");
            ActivationRecord held = bb.snapshot().activation(heldKey);
            assertEquals(ActivationRecord.State.RUNNING, held.state());
            assertEquals("holder", held.executor());
            final long holderClaim = held.claimIndex();

            final List<ChildJvm> survivors = List.of(solver(dir, "survivor-0", "solve"), solver(dir, "survivor-1", "solve"));
            for (ChildJvm c : survivors) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            // the survivors finish everything that does not depend on the held activation, then can only wait for it
            final int reachable = 2 * SensorProblem.expectedHypotheses().size() - 2; // all but the held detector and its combiner
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            BlackboardSnapshot s = bb.snapshot();
            while (s.activations().stream().filter(ActivationRecord::isFinished).count() < reachable) {
                if (System.nanoTime() - deadline > 0) {
                    fail("survivors did not finish the other activations:\n" + s.dump());
                }
                Thread.sleep(20);
                s = bb.snapshot();
            }
            held = s.activation(heldKey);
            assertEquals(ActivationRecord.State.RUNNING, held.state(), "a live holder is never robbed");
            assertTrue(held.abandonedBy().isEmpty());
            assertTrue(holder.isAlive());

            holder.kill();
            assertTrue(holder.output().contains("HOLDING " + heldKey));
            for (ChildJvm c : survivors) {
                final String[] d = c.awaitLineStartingWith("DONE ", 120, TimeUnit.SECONDS).split(" ");
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                assertEquals("GOAL", d[1]);
                final BlackboardSnapshot replayed = Blackboard.replay(space, SensorProblem.BOARD, Long.parseLong(d[2]));
                assertEquals(SensorProblem.digest(replayed), d[3], "view of " + c + " equals the replay");
            }
            final List<String> finishedHere = finishHere(bb);
            final BlackboardSnapshot solved = bb.snapshot();

            assertEquals(SensorProblem.expectedPlans(), SensorProblem.plans(solved), solved.dump());
            assertEquals(SensorProblem.expectedPlans().size(), solved.count("plan"));
            assertEquals(SensorProblem.expectedHypotheses(), SensorProblem.hypotheses(solved));
            held = solved.activation(heldKey);
            assertEquals(ActivationRecord.State.COMMITTED, held.state());
            assertEquals(List.of("holder"), held.abandonedBy(), "the dead holder's claim was abandoned once");
            assertTrue(held.executor().startsWith("survivor-"), held.toString());
            assertTrue(held.claimIndex() > holderClaim && held.commitIndex() > held.claimIndex(), held.toString());

            final Map<String, List<String>> executions = new HashMap<>();
            executions.put("survivor-0", executedBy(survivors.get(0)));
            executions.put("survivor-1", executedBy(survivors.get(1)));
            executions.put("parent", finishedHere);
            assertExactlyOnce(solved, executions); // the holder's action ran, but it never committed: its effect happened once
            final Map<Op, Integer> records = countRecords(space);
            assertEquals(solved.activations().size(), records.get(Op.BB_COMMIT), "the holder never committed");
            assertTrue(records.get(Op.BB_ABANDON) >= 1);
            assertEquals(solved, Blackboard.replay(space, SensorProblem.BOARD, Long.MAX_VALUE));
            final ActivationRecord before = Blackboard.replay(space, SensorProblem.BOARD, holderClaim).activation(heldKey);
            assertEquals(ActivationRecord.State.RUNNING, before.state(), "time travel to the holder's claim shows it running");
            assertEquals("holder", before.executor());
            assertNull(Blackboard.replay(space, SensorProblem.BOARD, holderClaim - 1).activation(heldKey), "and unclaimed before");
        }
    }
}
