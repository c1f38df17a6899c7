package io.slate.consistency;

import io.slate.kv.Entry;
import io.slate.kv.Values;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each consistency mode's guarantee, checked with concurrent JVMs. */
class ConsistencyTest {
    private Path dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(ChildJvm::close);
        TestSpaces.delete(dir);
    }

    private ChildJvm child(final String label, final Class<?> main, final String... args) {
        final ChildJvm c = ChildJvm.start(label, main, args);
        children.add(c);
        return c;
    }

    /** One operation of a register history, with real-time bounds. */
    private static final class Op {
        final boolean write;
        final long start;
        final long end;
        final long version;
        final String value;
        final String client;

        Op(final String client, final String line) {
            final String[] p = line.split(" ", 5);
            this.client = client;
            this.write = p[0].equals("W");
            this.start = Long.parseLong(p[1]);
            this.end = Long.parseLong(p[2]);
            this.version = Long.parseLong(p[3]);
            this.value = p[4];
        }

        @Override
        public String toString() {
            return client + " " + (write ? "write" : "read") + " v" + version + " '" + value + "' [" + start + ", " + end + "]";
        }
    }

    /**
     * Linearizability of a versioned register: every write has a unique version, so a linearization exists exactly
     * when the real-time order never contradicts the version order (an operation that ended before another began
     * must not have a larger version, a read must not miss a write that ended before it began nor see a write that
     * began after it ended) and every read returns the value written at its version.
     */
    static List<String> linearizabilityViolations(final List<Op> history) {
        final List<String> bad = new ArrayList<>();
        final Map<Long, Op> writes = new HashMap<>();
        for (Op o : history) {
            if (o.write && writes.put(o.version, o) != null) {
                bad.add("two writes got version " + o.version);
            }
        }
        for (Op o : history) {
            if (!o.write && o.version > 0) {
                final Op w = writes.get(o.version);
                if (w == null || !w.value.equals(o.value)) {
                    bad.add(o + " returned a value no write produced at that version: " + w);
                }
            }
        }
        final List<Op> byEnd = new ArrayList<>(history);
        byEnd.sort((a, b) -> Long.compare(a.end, b.end));
        final List<Op> byStart = new ArrayList<>(history);
        byStart.sort((a, b) -> Long.compare(a.start, b.start));
        // sweep: for each op b, the largest version among ops (writes / all) that ended before b started
        long maxWriteEnded = 0;
        long maxAnyEnded = 0;
        Op maxWriteOp = null;
        Op maxAnyOp = null;
        int i = 0;
        for (Op b : byStart) {
            while (i < byEnd.size() && byEnd.get(i).end < b.start) {
                final Op a = byEnd.get(i++);
                if (a.write && a.version > maxWriteEnded) {
                    maxWriteEnded = a.version;
                    maxWriteOp = a;
                }
                if (a.version > maxAnyEnded) {
                    maxAnyEnded = a.version;
                    maxAnyOp = a;
                }
            }
            if (b.write && b.version <= maxAnyEnded) {
                bad.add(b + " got a version not above " + maxAnyOp + " which ended before it began");
            }
            if (!b.write && b.version < maxAnyEnded) {
                bad.add(b + " is older than " + maxAnyOp + " which ended before it began");
            }
            if (!b.write && b.version < maxWriteEnded) {
                bad.add(b + " missed " + maxWriteOp);
            }
            if (bad.size() > 20) {
                break;
            }
        }
        // a read must not see a write that began after the read ended
        for (Op r : history) {
            if (!r.write && r.version > 0 && writes.containsKey(r.version) && writes.get(r.version).start > r.end) {
                bad.add(r + " saw the future " + writes.get(r.version));
            }
        }
        return bad;
    }

    @Test
    void checkerRejectsANonLinearizableHistory() {
        final List<Op> h = new ArrayList<>();
        h.add(new Op("a", "W 0 10 1 x"));
        h.add(new Op("b", "W 20 30 2 y"));
        h.add(new Op("c", "R 40 50 1 x")); // stale: v2 ended before this read began
        assertTrue(!linearizabilityViolations(h).isEmpty());
        final List<Op> ok = new ArrayList<>();
        ok.add(new Op("a", "W 0 10 1 x"));
        ok.add(new Op("c", "R 5 50 2 y")); // concurrent with the write of v2
        ok.add(new Op("b", "W 20 30 2 y"));
        assertEquals(List.of(), linearizabilityViolations(ok));
    }

    @Test
    void strongRegisterWrittenAndReadByThreeJvmsIsLinearizable() throws Exception {
        dir = TestSpaces.newDirectory("linear");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("parent"))) {
            final long startAt = System.currentTimeMillis() + 4_000;
            final List<ChildJvm> cs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                cs.add(child("reg-" + i, ConsistencyChildren.RegisterClient.class, dir.toString(), "reg-" + i, "3000", Integer.toString(i), Long.toString(startAt)));
            }
            for (ChildJvm c : cs) {
                assertEquals("READY", c.awaitLine(60, TimeUnit.SECONDS));
            }
            final List<Op> history = new ArrayList<>();
            for (ChildJvm c : cs) {
                c.awaitLineStartingWith("DONE", 120, TimeUnit.SECONDS);
                assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
                for (String l : c.output()) {
                    if (l.startsWith("W ") || l.startsWith("R ")) {
                        history.add(new Op(c.toString(), l));
                    }
                }
            }
            assertEquals(9000, history.size());
            final List<String> violations = linearizabilityViolations(history);
            assertEquals(List.of(), violations);
            final long writes = history.stream().filter(o -> o.write).count();
            assertEquals(writes, space.kv().version("register"), "every write is one version");
        }
    }

    @Test
    void causalTokensCarryCausalityAcrossJvms() throws Exception {
        dir = TestSpaces.newDirectory("causal");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("origin"));
             KeyValueView origin = KeyValueView.open(space, Consistency.CAUSAL)) {
            // lots of unrelated history so a fresh view has real catching up to do
            for (int i = 0; i < 5_000; i++) {
                space.kv().putLong("noise/" + (i % 100), i);
            }
            origin.put("msg", Values.utf8("hello"));
            assertEquals("hello", origin.get("msg").valueAsString(), "read your writes");
            final long token = origin.sessionToken();

            final ChildJvm b = child("causal-b", ConsistencyChildren.CausalAgent.class, dir.toString(), "b", Long.toString(token), "msg");
            assertEquals("GOT msg 1 hello", b.awaitLine(60, TimeUnit.SECONDS), b.stderr());
            final long tokenB = Long.parseLong(b.awaitLineStartingWith("TOKEN ", 60, TimeUnit.SECONDS).substring(6));
            assertTrue(tokenB > token);
            assertEquals(0, b.awaitExit(30, TimeUnit.SECONDS));

            // C learns only B's token, and still sees what B had seen (transitivity) and B's reply
            final ChildJvm c = child("causal-c", ConsistencyChildren.CausalAgent.class, dir.toString(), "c", Long.toString(tokenB), "msg", "reply/b");
            assertEquals("GOT msg 1 hello", c.awaitLine(60, TimeUnit.SECONDS));
            assertEquals("GOT reply/b 1 seen by b", c.awaitLine(60, TimeUnit.SECONDS));
            assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS));

            assertThrows(IllegalArgumentException.class, () -> origin.observe(Long.MAX_VALUE), "a token from another space is refused");
        }
    }

    @Test
    void causalReadsAreMonotonicAndSeeOwnWritesUnderConcurrentWriters() throws Exception {
        dir = TestSpaces.newDirectory("monotonic");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("reader"));
             KeyValueView causal = KeyValueView.open(space, Consistency.CAUSAL);
             KeyValueView eventual = KeyValueView.open(space, Consistency.EVENTUAL)) {
            final ChildJvm w1 = child("hot-1", ConsistencyChildren.HotWriter.class, dir.toString(), "hot-1", "20000");
            final ChildJvm w2 = child("hot-2", ConsistencyChildren.HotWriter.class, dir.toString(), "hot-2", "20000");
            assertEquals("READY", w1.awaitLine(60, TimeUnit.SECONDS));
            assertEquals("READY", w2.awaitLine(60, TimeUnit.SECONDS));
            long lastSeen = 0;
            long lastEventual = 0;
            int ownWrites = 0;
            while (w1.isAlive() || w2.isAlive()) {
                final long mine = causal.put("hot", Values.utf8("reader-" + ownWrites++));
                final Entry e = causal.get("hot");
                assertNotNull(e);
                assertTrue(e.version() >= mine, "read your writes: wrote v" + mine + ", read v" + e.version());
                assertTrue(e.version() >= lastSeen, "monotonic reads: v" + e.version() + " after v" + lastSeen);
                lastSeen = e.version();
                final Entry ev = eventual.get("hot");
                if (ev != null) {
                    assertTrue(ev.version() >= lastEventual, "an eventual view also only moves forward");
                    lastEventual = ev.version();
                }
                if (ownWrites > 200_000) {
                    break;
                }
            }
            assertEquals(0, w1.awaitExit(60, TimeUnit.SECONDS));
            assertEquals(0, w2.awaitExit(60, TimeUnit.SECONDS));
            // eventual: converges once writers stop
            final long finalVersion = space.kv().version("hot");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Entry ev;
            while ((ev = eventual.get("hot")) == null || ev.version() < finalVersion) {
                assertTrue(System.nanoTime() < deadline, "eventual view did not converge");
            }
            assertEquals(finalVersion, ev.version());
            assertEquals(40_000 + ownWrites, finalVersion);
        }
    }

    @Test
    void eventualReadsDoNotWaitAndStrongReadsSeeTheMap() {
        dir = TestSpaces.newDirectory("modes");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("m"));
             KeyValueView strong = KeyValueView.open(space, Consistency.STRONG);
             KeyValueView eventual = KeyValueView.open(space, Consistency.EVENTUAL)) {
            assertNull(eventual.get("k"));
            space.kv().putString("k", "v1");
            assertEquals("v1", strong.get("k").valueAsString());
            assertEquals("v1", eventual.get("k").valueAsString(), "the record is already in the journal: drained on read");
            space.kv().remove("k");
            assertNull(strong.get("k"));
            assertNull(eventual.get("k"));
            assertEquals(Consistency.EVENTUAL, eventual.consistency());
            assertEquals(-1, strong.appliedIndex());
        }
    }
}
