package io.slate.contract;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal on any backend: one total order, tailers from the start, an index and the end, named tailers, replay, verify. */
public abstract class JournalContract extends ContractBase {
    private static List<Long> indices(final Tailer t, final int n) {
        final List<Long> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final JournalRecord r = t.next(10, TimeUnit.SECONDS);
            assertNotNull(r, "record " + i + " of " + n);
            l.add(r.index());
        }
        return l;
    }

    @Test
    void everyWriteIsOneRecordInOneTotalOrder() {
        final Space s = open("a");
        for (int i = 0; i < 50; i++) {
            s.kv().putString("k" + (i % 5), "v" + i);
        }
        final Map<String, Long> lastVersion = new HashMap<>();
        long last = -1;
        int n = 0;
        try (Tailer t = s.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                assertTrue(r.index() > last, "indices strictly increase: " + r.index() + " after " + last);
                last = r.index();
                assertEquals(Op.PUT, r.op());
                final long before = lastVersion.getOrDefault(r.key().toString(), 0L);
                assertEquals(before + 1, r.version(), "each key's records come in version order");
                lastVersion.put(r.key().toString(), r.version());
                assertEquals("a", r.agent().toString());
                n++;
            }
        }
        assertEquals(50, n);
        assertEquals(last, s.journal().lastIndex());
        assertEquals(s.kv().get("k4").journalIndex(), lastIndexOf(s, "k4"));
    }

    /**
     * A cursor asked for some operations ({@code RecordCursor.next(long)}) returns exactly those records, in journal
     * order, and passes over the others: they move its position and count as read, so a view that reads only its own
     * operations knows how far it is, and a bounded view ({@code Projection} with an end) sees its end even when what
     * lies past it was passed over.
     */
    @Test
    void aCursorAskedForSomeOperationsPassesOverTheOthersInOrder() {
        final Space s = open("a");
        final java.util.List<Long> tupleIds = new ArrayList<>();
        try (io.slate.tuple.TupleSpace ts = io.slate.tuple.TupleSpace.of(s, "ops")) {
            for (int i = 0; i < 30; i++) {
                s.kv().putString("k" + (i % 3), "v" + i);
                if (i % 7 == 0) {
                    tupleIds.add(ts.out(io.slate.tuple.Tuple.of("t", (long) i)));
                }
            }
        }
        final java.util.List<Long> indices = new ArrayList<>();
        final java.util.List<Op> ops = new ArrayList<>();
        try (Tailer t = s.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                indices.add(r.index());
                ops.add(r.op());
            }
        }
        assertEquals(30 + tupleIds.size(), indices.size());
        final long last = indices.get(indices.size() - 1);
        final io.slate.spi.RecordLog log = io.slate.spi.BackendSpace.of(s, "the contract").log();
        try (io.slate.spi.RecordCursor c = log.cursor().toStart()) {
            final long tuples = io.slate.spi.RecordCursor.opsMask(Op.TUPLE_OUT);
            final java.util.List<Long> seen = new ArrayList<>();
            io.slate.spi.LogRecord r;
            while ((r = c.next(tuples)) != null) {
                assertEquals(Op.TUPLE_OUT, r.op());
                seen.add(r.index());
                assertEquals(r.index(), c.lastIndex());
            }
            assertEquals(tupleIds, seen, "every tuple record, in order, and nothing else");
            assertEquals(last, c.lastIndex(), "the key/value records after the last tuple were passed over");
            assertEquals(indices.size(), c.records(), "passed over or returned, every record counts");
        }
        // mixed: every operation, then only puts, from the same cursor
        try (io.slate.spi.RecordCursor c = log.cursor().toStart()) {
            assertEquals(indices.get(0), c.next().index());
            final io.slate.spi.LogRecord firstPutAfterATuple;
            int i = 1;
            while (ops.get(i) != Op.TUPLE_OUT) {
                assertEquals(indices.get(i), c.next(io.slate.spi.RecordCursor.ALL_OPS).index());
                i++;
            }
            firstPutAfterATuple = c.next(io.slate.spi.RecordCursor.opsMask(Op.PUT));
            assertEquals(indices.get(i + 1), firstPutAfterATuple.index(), "the tuple record was passed over");
            assertEquals(Op.PUT, firstPutAfterATuple.op());
        }
        // a bounded view that ends at the last tuple: only key/value records follow, passed over, and it sees its end
        final long end = tupleIds.get(tupleIds.size() - 1);
        assertTrue(end < last);
        final java.util.List<Long> applied = new ArrayList<>();
        try (io.slate.engine.Projection p = new io.slate.engine.Projection(log, "contract view", rec -> applied.add(rec.index()), end, false,
                io.slate.engine.Projection.CATCH_UP_TIMEOUT_NANOS).readingOnly(io.slate.spi.RecordCursor.opsMask(Op.TUPLE_OUT))) {
            p.drainAll();
            assertTrue(p.passedEnd(), "the view passed its end at " + end);
            assertEquals(tupleIds, applied);
        }
    }

    /** {@code JournalRecord.keyEquals} answers as the decoded key does, for keys of one to four UTF-8 bytes a char. */
    @Test
    void aRecordsKeyEqualsWhatItDecodesTo() {
        final Space s = open("a");
        final String[] keys = {"plain", "naïve", "日本", "emoji/🙂", "k"};
        for (String k : keys) {
            s.kv().putString(k, "v");
        }
        int n = 0;
        try (Tailer t = s.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                for (String k : keys) {
                    assertEquals(k.equals(keys[n]), r.keyEquals(k), "record of '" + keys[n] + "' against '" + k + "'");
                }
                assertEquals(keys[n], r.key().toString());
                assertTrue(r.keyEquals(keys[n]), "after the key was decoded too");
                assertTrue(!r.keyEquals(keys[n] + "x") && !r.keyEquals(""));
                n++;
            }
        }
        assertEquals(keys.length, n);
    }

    /**
     * A reader that asks every record about the same key (the common case, which {@code keyEquals} answers from the
     * key's bytes after the second ask) gets the same answers as one that decodes each key, for keys of one to four
     * UTF-8 bytes a char, keys that differ only in their last byte, and a text with an unpaired surrogate (no UTF-8
     * form: it equals nothing, however often asked).
     */
    @Test
    void aReaderAskingAboutOneKeyOverAndOverGetsTheDecodedAnswer() {
        final Space s = open("a");
        final String[] keys = {"bench/ping", "bench/pong", "naïve", "日本", "emoji/🙂", "bench/ping", "bench/pin", "bench/pingg"};
        for (String k : keys) {
            s.kv().putString(k, "v");
        }
        final String lone = "bench/p\uD800ng";
        for (String asked : new String[] {"bench/ping", "日本", "emoji/🙂", lone}) {
            final String[] askedAs = {asked, new String(asked)}; // the same text as another String: answered the same
            for (String a : askedAs) {
                int n = 0;
                try (Tailer t = s.journal().tailerFromStart()) {
                    JournalRecord r;
                    while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                        final boolean expected = a.equals(keys[n]);
                        for (int i = 0; i < 3; i++) {
                            assertEquals(expected, r.keyEquals(a), "record of '" + keys[n] + "' asked about '" + a + "', ask " + i);
                        }
                        n++;
                    }
                }
                assertEquals(keys.length, n);
            }
        }
    }

    private static long lastIndexOf(final Space s, final String key) {
        long found = -1;
        try (Tailer t = s.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                if (r.key().toString().equals(key)) {
                    found = r.index();
                }
            }
        }
        return found;
    }

    @Test
    void tailersStartWhereTheyAreAsked() {
        final Space s = open("a");
        s.kv().putString("k", "1");
        final long second = indexOf(s.kv().putString("k", "2"), s);
        s.kv().putString("k", "3");
        try (Tailer from = s.journal().tailerFromIndex(second); Tailer end = s.journal().tailerFromEnd()) {
            assertEquals("2", from.next(1, TimeUnit.SECONDS).valueAsString());
            assertEquals("3", from.next(1, TimeUnit.SECONDS).valueAsString());
            assertNull(end.next(0, TimeUnit.MILLISECONDS), "from the end: only what is written after");
            s.kv().putString("k", "4");
            assertEquals("4", end.next(10, TimeUnit.SECONDS).valueAsString());
        }
    }

    private static long indexOf(final long version, final Space s) {
        assertEquals(version, s.kv().get("k").version());
        return s.kv().get("k").journalIndex();
    }

    @Test
    void aNamedTailerResumesInAnotherProcessWithNoGapAndNoDuplicate() throws Exception {
        final Space s = open("writer");
        for (int i = 0; i < 30; i++) {
            s.kv().putString("k", "v" + i);
        }
        final List<Long> all;
        try (Tailer t = s.journal().tailerFromStart()) {
            all = indices(t, 30);
        }
        final ChildJvm first = agent("named-tail", "reader", "12");
        final List<String> one = untilDone(first);
        assertEquals(0, first.awaitExit(30, TimeUnit.SECONDS));
        final ChildJvm second = agent("named-tail", "reader", "18");
        final List<String> two = untilDone(second);
        final List<Long> delivered = new ArrayList<>();
        for (String line : one) {
            delivered.add(Long.parseLong(line.substring(2)));
        }
        for (String line : two) {
            delivered.add(Long.parseLong(line.substring(2)));
        }
        assertEquals(all, delivered, "the two processes together delivered every record once, in order");
    }

    @Test
    void replayRebuildsTheMapAndVerifyAgrees() {
        final Space s = open("a");
        for (int i = 0; i < 40; i++) {
            s.kv().putString("k" + (i % 7), "v" + i);
        }
        s.kv().remove("k3");
        final VerifyReport report = s.journal().verify();
        assertTrue(report.ok(), report.toString());
        final String copyAddress = fixture().newAddress("replay-target");
        try (Space copy = Space.open(fixture().options(copyAddress).agentId("replayer"))) {
            assertEquals(41, s.journal().replayInto(copy, Long.MAX_VALUE));
            final Set<String> keys = new HashSet<>();
            s.kv().forEach(e -> keys.add(e.key()));
            assertEquals(6, keys.size());
            for (String k : keys) {
                final Entry a = s.kv().get(k);
                final Entry b = copy.kv().get(k);
                assertEquals(a.version(), b.version(), k);
                assertEquals(a.valueAsString(), b.valueAsString(), k);
                assertEquals(a.writer(), b.writer(), k);
            }
            assertNull(copy.kv().get("k3"));
            assertTrue(copy.journal().verify().ok());
        } finally {
            fixture().remove(copyAddress);
        }
    }
}
