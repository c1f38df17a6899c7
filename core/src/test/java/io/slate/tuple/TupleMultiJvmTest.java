package io.slate.tuple;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tuple spaces shared by producer, consumer and watcher JVMs, some of them killed with SIGKILL. */
class TupleMultiJvmTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final io.slate.testing.Processes processes = new io.slate.testing.Processes();

    /**
     * Issue #3: two producer JVMs write 100,000 jobs, four consumer JVMs take them with acknowledgement. One consumer
     * is killed with SIGKILL while it holds jobs it has not acknowledged. Every job is acknowledged exactly once, the
     * held ones by the survivors, none is lost.
     */
    @Test
    void twoProducersFourConsumersEveryJobExactlyOnceDespiteAKilledTaker() throws Exception {
        final int producers = 2;
        final int perProducer = 50_000;
        final int holdAfter = 2_000;
        final int holdCount = 25;
        final Path dir = processes.dir("tuples-mpmc");
        final long t0 = System.nanoTime();
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent").maxEntries(1_000)); TupleSpace jobs = TupleSpace.of(space, "jobs")) {
            final List<ChildJvm> consumers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                consumers.add(processes.child("consumer-" + i, TupleChildMains.Consumer.class, dir.toString(), "consumer-" + i, "-1", "0"));
            }
            final ChildJvm victim = processes.child("victim", TupleChildMains.Consumer.class, dir.toString(), "victim", Integer.toString(holdAfter),
                    Integer.toString(holdCount));
            for (ChildJvm c : consumers) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            assertEquals("READY", victim.awaitLine(60, TimeUnit.SECONDS));
            final long startAt = System.currentTimeMillis() + 3_000;
            final List<ChildJvm> ps = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                ps.add(processes.child("producer-" + p, TupleChildMains.Producer.class, dir.toString(), "producer-" + p, Integer.toString(p),
                        Integer.toString(perProducer), Long.toString(startAt)));
            }
            for (ChildJvm p : ps) {
                assertEquals("READY", p.awaitLine(60, TimeUnit.SECONDS));
            }
            victim.awaitLineStartingWith("HOLDING", 120, TimeUnit.SECONDS);
            victim.kill();
            for (ChildJvm p : ps) {
                assertEquals("DONE " + perProducer, p.awaitLineStartingWith("DONE", 120, TimeUnit.SECONDS));
                assertEquals(0, p.awaitExit(30, TimeUnit.SECONDS), p.stderr());
            }
            final long produced = System.currentTimeMillis();
            for (int i = 0; i < consumers.size(); i++) {
                jobs.out(Tuple.of("stop"));
            }
            for (ChildJvm c : consumers) {
                c.awaitLineStartingWith("DONE", 180, TimeUnit.SECONDS);
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
            }
            final long consumed = System.currentTimeMillis();

            // every job acknowledged exactly once, across all consumers (the killed one included)
            final Map<String, String> ackedBy = new HashMap<>();
            final List<String> duplicates = new ArrayList<>();
            final Map<String, Integer> perConsumer = new HashMap<>();
            final List<ChildJvm> all = new ArrayList<>(consumers);
            all.add(victim);
            for (int i = 0; i < all.size(); i++) {
                final String who = i < consumers.size() ? "consumer-" + i : "victim";
                for (String line : all.get(i).output()) {
                    assertTrue(!line.startsWith("LOST-ACK"), who + ": " + line);
                    if (line.startsWith("T ")) {
                        final String job = job(line);
                        final String before = ackedBy.put(job, who);
                        if (before != null) {
                            duplicates.add(job + " by " + before + " and " + who);
                        }
                        perConsumer.merge(who, 1, Integer::sum);
                    }
                }
            }
            assertEquals(List.of(), duplicates.subList(0, Math.min(10, duplicates.size())), "duplicates");
            final List<String> missing = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                for (int s = 0; s < perProducer; s++) {
                    if (!ackedBy.containsKey(p + " " + s)) {
                        missing.add(p + " " + s);
                    }
                }
            }
            assertEquals(List.of(), missing.subList(0, Math.min(10, missing.size())), missing.size() + " jobs missing");
            assertEquals(producers * perProducer, ackedBy.size());
            assertEquals(holdAfter, perConsumer.get("victim"));

            // the jobs the victim held were returned because it died, and taken by the survivors
            final Set<Long> heldIds = new HashSet<>();
            for (String line : victim.output()) {
                if (line.startsWith("HOLD ")) {
                    final String job = job(line);
                    final String by = ackedBy.get(job);
                    assertTrue(by != null && !by.equals("victim"), "held job " + job + " acknowledged by " + by);
                    heldIds.add(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
                }
            }
            assertEquals(holdCount, heldIds.size());
            final Set<Long> returnedDead = new HashSet<>();
            final Map<Op, Integer> records = new HashMap<>();
            try (Tailer t = space.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.SECONDS)) != null) {
                    records.merge(r.op(), 1, Integer::sum);
                    if (r.op() == Op.TUPLE_RETURN) {
                        final TupleRecord tr = TupleRecord.of(r);
                        assertTrue(tr.takerDied(), "only dead takers' tuples are returned here: " + tr);
                        returnedDead.add(tr.tupleId());
                    }
                }
            }
            assertEquals(heldIds, returnedDead);
            assertEquals(0, jobs.count(TupleChildMains.JOB));
            assertNull(jobs.rdp(TupleChildMains.STOP));
            System.out.printf("tuples: %d jobs through %d producer and %d consumer JVMs (test %.1f s): all written %.1f s and all"
                    + " acknowledged %.1f s after the producers started; per consumer %s; journal records %s%n", producers * perProducer,
                    producers, all.size(), (System.nanoTime() - t0) / 1e9, (produced - startAt) / 1e3, (consumed - startAt) / 1e3, perConsumer,
                    records);
        }
    }

    private static String job(final String line) {
        final String[] f = line.split(" ");
        return f[1] + " " + f[2];
    }

    /** A named watch in a child JVM, killed with SIGKILL and started again, sees every written tuple. */
    @Test
    void namedWatchKilledAndRestartedMissesNothing() throws Exception {
        final Path dir = processes.dir("tuples-watch");
        final int batch = 1_000;
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent")); TupleSpace events = TupleSpace.of(space, "events")) {
            int seq = 0;
            for (; seq < batch; seq++) {
                events.out(Tuple.of("ev", seq));
                events.out(Tuple.of("noise", seq));
            }
            final ChildJvm first = processes.child("watcher-1", TupleChildMains.Watcher.class, dir.toString(), "watcher-1", "audit");
            assertEquals("READY", first.awaitLine(60, TimeUnit.SECONDS));
            first.awaitLineStartingWith("W 300", 60, TimeUnit.SECONDS);
            // keep writing while it reads, and kill it somewhere in the middle
            for (; seq < 2 * batch; seq++) {
                events.out(Tuple.of("ev", seq));
            }
            first.kill();
            for (; seq < 3 * batch; seq++) {
                events.out(Tuple.of("ev", seq));
            }
            final ChildJvm second = processes.child("watcher-2", TupleChildMains.Watcher.class, dir.toString(), "watcher-2", "audit");
            assertEquals("READY", second.awaitLine(60, TimeUnit.SECONDS));
            for (; seq < 4 * batch; seq++) {
                events.out(Tuple.of("ev", seq));
            }
            second.awaitLineStartingWith("W " + (4 * batch - 1), 60, TimeUnit.SECONDS);
            second.kill();

            final List<Long> a = seqs(first.output());
            final List<Long> b = seqs(second.output());
            assertTrue(a.size() >= 301 && !b.isEmpty(), a.size() + " then " + b.size());
            assertInOrderFrom(0, a);
            final long lastSeen = a.get(a.size() - 1);
            // the restart resumes right after the last tuple handled: it may repeat the one being handled, never skips
            assertTrue(b.get(0) == lastSeen || b.get(0) == lastSeen + 1, "first run ended at " + lastSeen + ", second began at " + b.get(0));
            assertInOrderFrom(b.get(0), b);
            assertEquals(4L * batch - 1, b.get(b.size() - 1));
            final Set<Long> union = new HashSet<>(a);
            union.addAll(b);
            assertEquals(4 * batch, union.size());
        }
    }

    private static List<Long> seqs(final List<String> lines) {
        final List<Long> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("W ")) {
                out.add(Long.parseLong(l.substring(2)));
            }
        }
        return out;
    }

    private static void assertInOrderFrom(final long first, final List<Long> seqs) {
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(first + i, seqs.get(i), "delivery " + i);
        }
    }
}
