package io.slate.tuple;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.slate.tuple.Template.ANY;
import static io.slate.tuple.Template.ANY_BOOLEAN;
import static io.slate.tuple.Template.ANY_BYTES;
import static io.slate.tuple.Template.ANY_DOUBLE;
import static io.slate.tuple.Template.ANY_LONG;
import static io.slate.tuple.Template.ANY_STRING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tuple space in one JVM: matching, ordering, leases, takes with acknowledgement, watches, errors. */
class TupleSpaceTest {
    private Path dir;
    private Space space;
    private TupleSpace ts;

    @BeforeEach
    void open() {
        dir = TestSpaces.newDirectory("tuples");
        space = Space.open(SpaceOptions.at(dir).agentId("tester"));
        ts = TupleSpace.of(space, "jobs");
    }

    @AfterEach
    void close() {
        if (space != null) {
            space.close();
        }
        TestSpaces.delete(dir);
    }

    @Test
    void outThenReadAndTake() {
        final long id = ts.out(Tuple.of("alert", 7L, 0.93));
        assertTrue(id > 0);
        final Template t = Template.of("alert", ANY_LONG, ANY);
        assertEquals(Tuple.of("alert", 7L, 0.93), ts.rdp(t));
        assertEquals(Tuple.of("alert", 7L, 0.93), ts.rd(t, 0, TimeUnit.SECONDS), "rd does not remove");
        assertEquals(1, ts.count(t));
        final TupleBuffer b = new TupleBuffer();
        assertTrue(ts.inp(t, b));
        assertEquals(id, b.id(), "the id is the journal index of the out");
        assertTrue(b.writtenAtNanos() > 0);
        assertEquals(Long.MAX_VALUE, b.expiresAtNanos());
        assertEquals(Tuple.of("alert", 7L, 0.93), b.toTuple());
        assertNull(ts.inp(t), "taken for good");
        assertNull(ts.rdp(t));
        assertEquals(0, ts.count(t));
        assertFalse(ts.rdp(t, b));
    }

    @Test
    void formalsOfEveryTypeSelectByType() {
        ts.out(Tuple.of("k", "text"));
        ts.out(Tuple.of("k", 5L));
        ts.out(Tuple.of("k", 2.5));
        ts.out(Tuple.of("k", true));
        ts.out(Tuple.of("k", new byte[] {1, 2}));
        assertEquals(Tuple.of("k", "text"), ts.rdp(Template.of("k", ANY_STRING)));
        assertEquals(Tuple.of("k", 5L), ts.rdp(Template.of("k", ANY_LONG)));
        assertEquals(Tuple.of("k", 2.5), ts.rdp(Template.of("k", ANY_DOUBLE)));
        assertEquals(Tuple.of("k", true), ts.rdp(Template.of("k", ANY_BOOLEAN)));
        assertEquals(Tuple.of("k", new byte[] {1, 2}), ts.rdp(Template.of("k", ANY_BYTES)));
        assertEquals(5, ts.count(Template.of("k", ANY)));
        // the same with the formal on the first field (the type index) and the wildcard (the arity index)
        ts.out(Tuple.of(9L, "x"));
        ts.out(Tuple.of(false, "x"));
        ts.out(Tuple.of(0.5, "x"));
        assertEquals(Tuple.of(9L, "x"), ts.rdp(Template.of(ANY_LONG, "x")));
        assertEquals(Tuple.of(false, "x"), ts.rdp(Template.of(ANY_BOOLEAN, ANY)));
        assertEquals(1, ts.count(Template.of(ANY_DOUBLE, ANY)));
        assertEquals(8, ts.count(Template.of(ANY, ANY)));
        assertEquals(0, ts.count(Template.of(ANY, ANY, ANY)));
        assertNull(ts.rdp(Template.of("k", ANY_LONG, ANY)), "arity 3 never matches arity 2");
        assertNull(ts.rdp(Template.of("k")), "arity 1 neither");
        assertNull(ts.rdp(Template.of("nope", ANY)));
    }

    @Test
    void oldestMatchFirstOnEveryIndexPath() {
        for (int i = 0; i < 5; i++) {
            ts.out(Tuple.of("q", i, "a"));
            ts.out(Tuple.of("other", i, "a"));
        }
        assertEquals(Tuple.of("q", 0L, "a"), ts.inp(Template.of("q", ANY_LONG, ANY)));
        assertEquals(Tuple.of("q", 1L, "a"), ts.inp(Template.of("q", ANY, ANY)));
        assertEquals(Tuple.of("other", 0L, "a"), ts.inp(Template.of(ANY_STRING, ANY_LONG, "a")), "typed first field: oldest of its type");
        assertEquals(Tuple.of("other", 1L, "a"), ts.inp(Template.of(ANY, ANY, "a")), "wildcard first: oldest of the arity");
        assertEquals(Tuple.of("q", 4L, "a"), ts.inp(Template.of("q", 4, ANY)), "a later field narrows the match");
        assertEquals(Tuple.of("q", 2L, "a"), ts.inp(Template.of("q", ANY_LONG, ANY)));
        assertEquals(Tuple.of("q", 3L, "a"), ts.inp(Template.of("q", ANY_LONG, ANY)));
        assertNull(ts.inp(Template.of("q", ANY_LONG, ANY)));
        assertEquals(3, ts.count(Template.of("other", ANY, ANY)));
    }

    @Test
    void rdAllInAllAndCountHonourMax() {
        for (int i = 0; i < 10; i++) {
            ts.out(Tuple.of("n", i));
        }
        final Template t = Template.of("n", ANY_LONG);
        assertEquals(10, ts.count(t));
        final List<Tuple> first3 = ts.rdAll(t, 3);
        assertEquals(List.of(Tuple.of("n", 0), Tuple.of("n", 1), Tuple.of("n", 2)), first3);
        assertEquals(10, ts.rdAll(t, 100).size());
        assertEquals(List.of(), ts.rdAll(t, 0));
        final List<Long> ids = new ArrayList<>();
        assertEquals(4, ts.rdAll(t, 4, b -> ids.add(b.id())));
        assertTrue(ids.get(0) < ids.get(1) && ids.get(2) < ids.get(3));
        assertEquals(List.of(Tuple.of("n", 0), Tuple.of("n", 1), Tuple.of("n", 2), Tuple.of("n", 3)), ts.inAll(t, 4));
        assertEquals(6, ts.count(t));
        assertEquals(6, ts.inAll(t, 50).size());
        assertEquals(0, ts.count(t));
        assertEquals(List.of(), ts.inAll(t, 5));
    }

    @Test
    void leasesExpireForEveryone() throws Exception {
        final long id = ts.out(Tuple.of("lease", 1), 300, TimeUnit.MILLISECONDS);
        ts.out(Tuple.of("lease", 2));
        final TupleBuffer b = new TupleBuffer();
        assertTrue(ts.rdp(Template.of("lease", 1), b));
        assertEquals(id, b.id());
        assertEquals(b.writtenAtNanos() + 300_000_000L, b.expiresAtNanos());
        try (TupleSpace other = TupleSpace.of(space, "jobs")) {
            assertEquals(2, other.count(Template.of("lease", ANY)));
            Thread.sleep(500);
            assertEquals(1, other.count(Template.of("lease", ANY)));
            assertEquals(1, ts.count(Template.of("lease", ANY)));
            assertNull(ts.inp(Template.of("lease", 1)));
            assertEquals(Tuple.of("lease", 2), ts.rdp(Template.of("lease", ANY)), "the expired one is not the oldest any more");
        }
        // a tuple taken before its lease ends stays the taker's; released after the end, it is gone
        ts.out(Tuple.of("lease", 3), 300, TimeUnit.MILLISECONDS);
        final Taken t = ts.inWithAck(Template.of("lease", 3), 0, TimeUnit.SECONDS);
        assertNotNull(t);
        Thread.sleep(500);
        t.release();
        assertNull(ts.rdp(Template.of("lease", 3)));
        // and one acknowledged after its lease ended is simply gone
        ts.out(Tuple.of("lease", 4), 200, TimeUnit.MILLISECONDS);
        final Taken t4 = ts.inWithAck(Template.of("lease", 4), 0, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertTrue(t4.ack());
        // a handle opened after the leases ended reads the same history to the same state
        Thread.sleep(1_200);
        try (TupleSpace late = TupleSpace.of(space, "jobs")) {
            assertEquals(1, late.count(Template.of("lease", ANY)));
        }
    }

    @Test
    void blockingInAndRdWaitForAWriteAndTimeOut() throws Exception {
        final Template t = Template.of("wake", ANY_LONG);
        final long t0 = System.nanoTime();
        assertNull(ts.in(t, 50, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - t0 >= 50_000_000L, "waited for the timeout");
        assertNull(ts.rd(t, 0, TimeUnit.MILLISECONDS));
        final ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            final Future<Tuple> reader = ex.submit(() -> ts.rd(t, 10, TimeUnit.SECONDS));
            Thread.sleep(100);
            try (TupleSpace writer = TupleSpace.of(space, "jobs")) {
                writer.out(Tuple.of("wake", 1));
            }
            assertEquals(Tuple.of("wake", 1), reader.get(10, TimeUnit.SECONDS));
            final Future<Tuple> taker = ex.submit(() -> ts.in(Template.of("wake", 2), 10, TimeUnit.SECONDS));
            Thread.sleep(100);
            ts.out(Tuple.of("wake", 2));
            assertEquals(Tuple.of("wake", 2), taker.get(10, TimeUnit.SECONDS));
            assertEquals(Tuple.of("wake", 1), ts.in(t, 1, TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
            assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
        }
        Thread.currentThread().interrupt();
        try {
            assertNull(ts.in(t, 10, TimeUnit.SECONDS), "an interrupted thread does not wait");
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void takeWithAckReleaseAndClose() {
        ts.out(Tuple.of("task", 1));
        ts.out(Tuple.of("task", 2));
        final Template t = Template.of("task", ANY_LONG);
        final Taken a = ts.inWithAck(t, 0, TimeUnit.SECONDS);
        assertEquals(Tuple.of("task", 1), a.tuple());
        assertTrue(a.isOpen());
        assertEquals(1, ts.count(t), "a pending take hides the tuple");
        assertEquals(Tuple.of("task", 2), ts.rdp(t));
        a.release();
        assertFalse(a.isOpen());
        assertThrows(IllegalStateException.class, a::ack);
        assertThrows(IllegalStateException.class, a::release);
        assertEquals(Tuple.of("task", 1), ts.rdp(t), "released: back in its place, still the oldest");

        final Taken b = ts.inWithAck(t, 0, TimeUnit.SECONDS);
        assertEquals(a.id(), b.id());
        assertTrue(b.ack());
        assertThrows(IllegalStateException.class, b::ack);
        b.close(); // nothing to do once acknowledged
        assertEquals(Tuple.of("task", 2), ts.rdp(t));

        try (Taken c = ts.inWithAck(t, 0, TimeUnit.SECONDS)) {
            assertEquals(Tuple.of("task", 2), c.tuple());
            assertNull(ts.inp(t));
        }
        assertEquals(Tuple.of("task", 2), ts.inp(t), "closing an open take releases it");
        assertNull(ts.inWithAck(t, 10, TimeUnit.MILLISECONDS));
    }

    @Test
    void closingAHandleReturnsItsOpenTakes() {
        ts.out(Tuple.of("held", 1));
        final TupleSpace other = TupleSpace.of(space, "jobs");
        final Taken t = other.inWithAck(Template.of("held", ANY), 0, TimeUnit.SECONDS);
        assertNotNull(t);
        assertNull(ts.rdp(Template.of("held", ANY)));
        other.close();
        other.close();
        assertFalse(t.isOpen());
        assertEquals(Tuple.of("held", 1), ts.rdp(Template.of("held", ANY)));
        assertThrows(IllegalStateException.class, () -> other.rdp(Template.of("held", ANY)));
    }

    @Test
    void takesOfAClosedAgentReturnToTheSpace() {
        ts.out(Tuple.of("orphan", 1));
        final Space otherAgent = Space.open(SpaceOptions.at(dir).agentId("leaver"));
        final TupleSpace theirs = TupleSpace.of(otherAgent, "jobs");
        final Taken t = theirs.inWithAck(Template.of("orphan", ANY), 0, TimeUnit.SECONDS);
        assertNotNull(t);
        assertNull(ts.rdp(Template.of("orphan", ANY)));
        // the agent closes its space without releasing: its slot is no longer live, so its take is returned
        otherAgent.close();
        assertEquals(Tuple.of("orphan", 1), ts.rd(Template.of("orphan", ANY), 5, TimeUnit.SECONDS));
        assertEquals(Tuple.of("orphan", 1), ts.inp(Template.of("orphan", ANY)));
        assertThrows(IllegalStateException.class, t::ack, "its space is closed");
        int returns = 0;
        try (Tailer tl = space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = tl.next(0, TimeUnit.SECONDS)) != null) {
                if (r.op() == Op.TUPLE_RETURN) {
                    assertTrue(TupleRecord.of(r).takerDied());
                    returns++;
                }
            }
        }
        assertEquals(1, returns);
    }

    @Test
    void threadsOnOneHandleAndHandlesInOneJvmTakeEachTupleOnce() throws Exception {
        final int n = 4_000;
        final TupleBuffer out = new TupleBuffer();
        for (int i = 0; i < n; i++) {
            ts.out(out.clear().addString("w").addLong(i));
        }
        final Set<Long> seen = ConcurrentHashMap.newKeySet();
        final AtomicInteger dups = new AtomicInteger();
        final ExecutorService ex = Executors.newFixedThreadPool(4);
        final List<TupleSpace> handles = new ArrayList<>();
        final CountDownLatch go = new CountDownLatch(1);
        try {
            final List<Future<Integer>> fs = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                // two threads share the first handle, the others have their own
                final TupleSpace h = k < 2 ? ts : TupleSpace.of(space, "jobs");
                if (k >= 2) {
                    handles.add(h);
                }
                final boolean withAck = k % 2 == 1;
                fs.add(ex.submit(() -> {
                    go.await();
                    final TupleBuffer b = new TupleBuffer();
                    int taken = 0;
                    while (true) {
                        final long v;
                        if (withAck) {
                            final Taken t = h.inWithAck(Template.of("w", ANY_LONG), 0, TimeUnit.SECONDS);
                            if (t == null) {
                                break;
                            }
                            assertTrue(t.ack());
                            v = t.tuple().getLong(1);
                        } else {
                            if (!h.inp(Template.of("w", ANY_LONG), b)) {
                                break;
                            }
                            v = b.getLong(1);
                        }
                        if (!seen.add(v)) {
                            dups.incrementAndGet();
                        }
                        taken++;
                    }
                    return taken;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : fs) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(0, dups.get());
            assertEquals(n, seen.size());
            assertEquals(n, total);
        } finally {
            ex.shutdownNow();
            assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
            handles.forEach(TupleSpace::close);
        }
    }

    @Test
    void watchesDeliverWrittenTuplesFromAnIndexOrByName() {
        final long first = ts.out(Tuple.of("ev", 1));
        ts.out(Tuple.of("noise", 1));
        ts.out(Tuple.of("ev", 2));
        final List<Tuple> got = new ArrayList<>();
        try (TupleWatch all = ts.watch(Template.of("ev", ANY_LONG), 0)) {
            while (all.poll(b -> got.add(b.toTuple()))) {
                assertTrue(all.lastId() > 0);
            }
            assertNull(all.name());
        }
        assertEquals(List.of(Tuple.of("ev", 1), Tuple.of("ev", 2)), got);
        try (TupleWatch after = ts.watch(Template.of("ev", ANY_LONG), first)) {
            assertEquals(Tuple.of("ev", 2), after.next(0, TimeUnit.SECONDS).toTuple());
            assertNull(after.next(10, TimeUnit.MILLISECONDS));
        }
        try (TupleWatch fresh = ts.watch(Template.of("ev", ANY_LONG), -1)) {
            assertNull(fresh.next(0, TimeUnit.SECONDS));
            ts.inp(Template.of("ev", 1)); // a take is not a write
            ts.out(Tuple.of("ev", 3));
            assertEquals(Tuple.of("ev", 3), fresh.next(1, TimeUnit.SECONDS).toTuple());
        }
        assertThrows(IllegalArgumentException.class, () -> ts.watch(Template.of("ev", ANY), first + 12345));
        assertThrows(IllegalArgumentException.class, () -> ts.watch(Template.of("ev", ANY), -2));

        // named: resumes after the last tuple handled, in another handle
        try (TupleWatch named = ts.watch("audit", Template.of("ev", ANY_LONG))) {
            assertEquals("audit", named.name());
            assertEquals(Tuple.of("ev", 1), named.next(0, TimeUnit.SECONDS).toTuple());
            assertEquals(Tuple.of("ev", 2), named.next(0, TimeUnit.SECONDS).toTuple());
            // not committed yet: a restart would see ev 2 again
        }
        try (TupleSpace again = TupleSpace.of(space, "jobs"); TupleWatch named = again.watch("audit", Template.of("ev", ANY_LONG))) {
            // close() committed ev 2
            assertEquals(Tuple.of("ev", 3), named.next(0, TimeUnit.SECONDS).toTuple());
            assertNull(named.next(0, TimeUnit.SECONDS));
        }
        ts.deleteWatch("audit");
        try (TupleWatch named = ts.watch("audit", Template.of("ev", ANY_LONG))) {
            assertEquals(Tuple.of("ev", 1), named.next(0, TimeUnit.SECONDS).toTuple(), "deleted: starts over");
        }
    }

    @Test
    void recordsCarryTheirOwnOpsAndLeaveKeyValueVerifyAlone() {
        space.kv().putString("plain", "value");
        final long id = ts.out(Tuple.of("r", 1), 1, TimeUnit.HOURS);
        ts.inWithAck(Template.of("r", ANY), 0, TimeUnit.SECONDS).ack();
        ts.out(Tuple.of("r", 2));
        ts.inWithAck(Template.of("r", ANY), 0, TimeUnit.SECONDS).release();
        ts.inp(Template.of("r", ANY));
        final List<String> seen = new ArrayList<>();
        try (Tailer t = space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.SECONDS)) != null) {
                if (TupleRecord.isTupleOp(r.op())) {
                    assertEquals("jobs", r.key().toString());
                    final TupleRecord tr = TupleRecord.of(r);
                    seen.add(r.op().label() + " " + tr);
                    if (r.op() == Op.TUPLE_OUT && tr.tupleId() == id) {
                        assertEquals(TimeUnit.HOURS.toNanos(1), tr.ttlNanos());
                    }
                } else {
                    seen.add(r.op().label());
                }
            }
        }
        assertEquals(8, seen.size(), seen::toString);
        assertEquals("put", seen.get(0));
        assertTrue(seen.get(1).startsWith("tuple-out [\"r\",1] ttl="), seen::toString);
        assertTrue(seen.get(2).startsWith("tuple-take tuple=" + id + " until-ack pid=" + ProcessHandle.current().pid()), seen::toString);
        assertTrue(seen.get(3).startsWith("tuple-ack tuple=" + id + " take="), seen::toString);
        assertEquals("tuple-out [\"r\",2]", seen.get(4));
        assertTrue(seen.get(5).startsWith("tuple-take"), seen::toString);
        assertTrue(seen.get(6).startsWith("tuple-return") && !seen.get(6).contains("taker-died"), seen::toString);
        assertTrue(seen.get(7).contains(" final "), seen::toString);
        final VerifyReport report = space.journal().verify();
        assertTrue(report.ok(), report::toString);
        assertEquals(1, report.keysChecked());
    }

    @Test
    void badArgumentsAreRefused() {
        final Tuple t = Tuple.of("x");
        final Template any = Template.of(ANY);
        assertRefused("time to live must be > 0, got 0", () -> ts.out(t, 0, TimeUnit.SECONDS));
        assertRefused("time to live must be > 0, got -5", () -> ts.out(t, -5, TimeUnit.MILLISECONDS));
        assertRefused("timeout must be >= 0, got -1", () -> ts.in(any, -1, TimeUnit.SECONDS));
        assertRefused("timeout must be >= 0", () -> ts.rd(any, -1, TimeUnit.SECONDS));
        assertRefused("timeout must be >= 0", () -> ts.inWithAck(any, -1, TimeUnit.SECONDS));
        assertRefused("max must be >= 0", () -> ts.rdAll(any, -1));
        assertRefused("max must be >= 0", () -> ts.inAll(any, -1));
        assertRefused("the buffer holds no field", () -> ts.out(new TupleBuffer()));
        assertRefused("tuple space name must not be empty", () -> TupleSpace.of(space, ""));
        assertRefused("is too long: 49 UTF-8 bytes, at most 48", () -> TupleSpace.of(space, "n".repeat(49)));
        assertRefused("control character", () -> TupleSpace.of(space, "a\nb"));
        assertRefused("watch name must not be empty", () -> ts.watch("", any));
        assertRefused("watch name 'a/b' must not contain '/'", () -> ts.watch("a/b", any));
        assertRefused("' is too long: 100 UTF-8 bytes, at most 48", () -> ts.watch("w".repeat(100), any));
        assertTrue(TupleSpace.of(space, "n".repeat(48)).name().length() == 48);
        assertRefused("tuple spaces need a space opened by Space.open", () -> TupleSpace.of(null, "x"));
    }

    @Test
    void theLargestTupleGoesThroughTheJournal() {
        final byte[] big = new byte[Tuple.MAX_FIELD_BYTES];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        final Tuple t = Tuple.of("big", big, big, big);
        assertTrue(t.encodedLength() > 3 * Tuple.MAX_FIELD_BYTES && t.encodedLength() <= Tuple.MAX_ENCODED_BYTES);
        ts.out(t);
        try (TupleSpace other = TupleSpace.of(space, "jobs")) {
            assertEquals(t, other.inp(Template.of("big", ANY_BYTES, ANY_BYTES, ANY_BYTES)));
        }
    }

    @Test
    void aClosedSpaceClosesItsTupleSpaces() {
        ts.out(Tuple.of("c", 1));
        space.close();
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> ts.rdp(Template.of("c", ANY)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ts.out(Tuple.of("c", 2)));
        space = null;
    }

    @Test
    void manyShapesStayIndexedSeparately() {
        final Set<Tuple> expected = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            ts.out(Tuple.of("shape-" + (i % 50), i, i % 2 == 0));
            ts.out(Tuple.of(i, "x"));
            if (i % 100 == 0) {
                final Tuple t = Tuple.of("target", i);
                ts.out(t);
                expected.add(t);
            }
        }
        assertEquals(20, ts.count(Template.of("target", ANY_LONG)));
        assertEquals(40, ts.count(Template.of("shape-7", ANY_LONG, ANY_BOOLEAN)));
        assertEquals(2_000, ts.count(Template.of(ANY_LONG, "x")));
        final Set<Tuple> got = new HashSet<>(ts.inAll(Template.of("target", ANY_LONG), 100));
        assertEquals(expected, got);
        // take everything of one shape in the middle, then the rest still match in order
        assertEquals(40, ts.inAll(Template.of("shape-7", ANY, ANY), 1_000).size());
        assertEquals(Tuple.of("shape-8", 8L, true), ts.rdp(Template.of("shape-8", ANY, ANY)));
        assertEquals(Tuple.of("shape-0", 0L, true), ts.rdp(Template.of(ANY_STRING, ANY_LONG, ANY_BOOLEAN)));
        assertEquals(1_960, ts.inAll(Template.of(ANY, ANY, ANY), 10_000).size());
        assertEquals(0, ts.count(Template.of(ANY, ANY, ANY)));
    }

    private static void assertRefused(final String messagePart, final Runnable r) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' should contain '" + messagePart + "'");
    }
}
