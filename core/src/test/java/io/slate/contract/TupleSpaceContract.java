package io.slate.contract;

import io.slate.space.Space;
import io.slate.testing.ChildJvm;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;
import io.slate.tuple.TupleWatch;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tuple spaces on any backend: exactly-once takes across processes, take-with-ack returning on the taker's death, leases, watches. */
public abstract class TupleSpaceContract extends ContractBase {
    private static final Template JOB = Template.of("job", Template.ANY);

    @Test
    void twoProcessesTakeEveryTupleExactlyOnce() throws Exception {
        final Space s = open("producer");
        try (TupleSpace ts = TupleSpace.of(s, "jobs")) {
            final ChildJvm a = agent("take-all", "jobs");
            final ChildJvm b = agent("take-all", "jobs");
            expect(a, "ready");
            expect(b, "ready");
            for (long i = 0; i < 300; i++) {
                ts.out(Tuple.of("job", i));
            }
            final List<String> takenByA = untilDone(a);
            final List<String> takenByB = untilDone(b);
            final Set<String> all = new HashSet<>();
            for (String line : takenByA) {
                assertTrue(all.add(line), "taken twice: " + line);
            }
            for (String line : takenByB) {
                assertTrue(all.add(line), "taken twice: " + line);
            }
            assertEquals(300, all.size(), "every tuple taken once");
            assertEquals(0, ts.count(JOB));
        }
    }

    @Test
    void aTupleTakenWithAckComesBackWhenItsTakerDies() throws Exception {
        final Space s = open("survivor");
        try (TupleSpace ts = TupleSpace.of(s, "jobs")) {
            final long id = ts.out(Tuple.of("job", 7L));
            final ChildJvm taker = agent("take-and-hold", "jobs");
            assertEquals(Long.toString(id), expect(taker, "took"));
            assertNull(ts.rdp(JOB), "taken: not there for others while its taker lives");
            taker.kill();
            final Tuple back = ts.in(JOB, 30, TimeUnit.SECONDS);
            assertNotNull(back, "the dead taker's tuple came back");
            assertEquals(7L, back.getLong(1));
        }
    }

    @Test
    void aLeasedTupleIsGoneForEveryoneOnceItExpires() throws Exception {
        final Space s = open("a");
        try (TupleSpace ts = TupleSpace.of(s, "leases")) {
            ts.out(Tuple.of("job", 1L), 200, TimeUnit.MILLISECONDS);
            ts.out(Tuple.of("job", 2L));
            assertEquals(2, ts.count(JOB));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ts.count(JOB) == 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, ts.count(JOB));
            assertEquals(2L, ts.inp(JOB).getLong(1));
        }
    }

    @Test
    void aNamedWatchSeesEveryMatchingTupleOnceAcrossReopening() {
        final Space s = open("a");
        try (TupleSpace ts = TupleSpace.of(s, "watched")) {
            ts.out(Tuple.of("job", 1L));
            ts.out(Tuple.of("other", 1L));
            try (TupleWatch w = ts.watch("w", JOB)) {
                final TupleBuffer b = w.next(5, TimeUnit.SECONDS);
                assertNotNull(b);
                assertEquals(1L, b.toTuple().getLong(1));
            }
            ts.out(Tuple.of("job", 2L));
            try (TupleWatch w = ts.watch("w", JOB)) {
                final TupleBuffer b = w.next(5, TimeUnit.SECONDS);
                assertNotNull(b);
                assertEquals(2L, b.toTuple().getLong(1), "resumed after the tuple it delivered");
                assertNull(w.next(0, TimeUnit.MILLISECONDS));
            }
        }
    }
}
