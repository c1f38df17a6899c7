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
