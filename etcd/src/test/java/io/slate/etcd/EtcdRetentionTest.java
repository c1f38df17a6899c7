package io.slate.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.etcd.testing.EtcdCluster;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceException;
import io.slate.space.SpaceOptions;
import io.slate.space.SpaceStats;
import io.slate.spi.BackendSpace;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.slate.tuple.Template.ANY_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal retention on a real 3-member etcd cluster, with a budget of {@value #BUDGET} records and a duty that runs
 * every {@value #PERIOD_MILLIS} ms: tuple spaces and blackboards survive many trimming passes through snapshots (seen
 * by a handle opened afterwards in another JVM), a named tailer that fell behind gets a clear error, replay before the
 * retained range says retention removed it, and a duty holder SIGKILLed between two deletes of a pass leaves a
 * consistent journal whose trimming another agent takes over.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EtcdRetentionTest {
    static final int BUDGET = 40;
    static final long PERIOD_MILLIS = 200;
    static final long TTL_SECONDS = 2;
    static final Template OLD = Template.of("job", "old", ANY_LONG);
    static final Template LEASED = Template.of("job", "leased", ANY_LONG);
    static final Template TAKEN = Template.of("job", "taken", ANY_LONG);
    private static EtcdCluster cluster;

    static {
        System.setProperty("slate.etcd.retainRecords", Integer.toString(BUDGET));
        System.setProperty("slate.etcd.dutyPeriodMillis", Long.toString(PERIOD_MILLIS));
        System.setProperty("slate.etcd.leaseTtlSeconds", Long.toString(TTL_SECONDS));
        System.setProperty("slate.etcd.connectTimeoutMillis", "30000");
    }

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static List<String> childOptions(final String... more) {
        final List<String> o = new ArrayList<>(List.of("-Dslate.etcd.retainRecords=" + BUDGET, "-Dslate.etcd.dutyPeriodMillis=" + PERIOD_MILLIS,
                "-Dslate.etcd.leaseTtlSeconds=" + TTL_SECONDS, "-Dslate.etcd.connectTimeoutMillis=30000"));
        o.addAll(List.of(more));
        return o;
    }

    static EtcdSpace etcd(final Space s) {
        return (EtcdSpace) BackendSpace.of(s, "retention test");
    }

    /** Writes filler until the journal is trimmed past {@code index} and {@code passes} more trims happened; checks verify. */
    static void trimThrough(final Space s, final long index, final int passes) {
        final EtcdSpace e = etcd(s);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        final Set<Long> trims = new HashSet<>();
        long rounds = 0;
        while (e.trimmedThrough() <= index || trims.size() < passes) {
            assertTrue(System.nanoTime() < deadline, "not trimmed past " + index + " within 120 s: trimmed through " + e.trimmedThrough()
                    + ", distinct trims seen " + trims.size() + ", problem " + e.retentionProblem());
            s.kv().putString("filler", "f" + rounds);
            if (e.trimmedThrough() > index) {
                trims.add(e.trimmedThrough());
            }
            if (++rounds % 100 == 0) {
                assertTrue(s.journal().verify().ok(), "verify during trimming");
            }
        }
        assertFalse(s.journal().verify().journalComplete(), "records were trimmed");
        assertTrue(s.journal().verify().ok(), "verify after trimming");
    }

    /** args: address entryId — opens the tuple space and the blackboard (an agent of its own) and prints what it sees. */
    static final class Reader {
        public static void main(final String[] args) {
            try (Space s = Space.open(SpaceOptions.of(args[0]).agentId("reader"));
                 TupleSpace ts = TupleSpace.of(s, "jobs");
                 Blackboard bb = Blackboard.of(s, "board")) {
                final Tuple old = ts.rdp(OLD);
                final Tuple leased = ts.rdp(LEASED);
                final Tuple taken = ts.rdp(TAKEN);
                final BlackboardEntry e = bb.entry(Long.parseLong(args[1]));
                System.out.println("SEEN " + (old == null ? "-" : old.getLong(2)) + " " + (leased == null ? "-" : leased.getLong(2)) + " "
                        + (taken == null ? "-" : taken.getLong(2)) + " " + (e == null ? "-" : e.attributes().getLong("x")) + " "
                        + s.journal().verify().ok() + " " + s.journal().firstIndex());
            }
        }
    }

    @Test
    void aLongAgoTupleALeaseAnUnacknowledgedTakeAndAnEntrySurviveManyTrimmingPasses() throws Exception {
        final String address = cluster.address("ret-survive-" + ProcessHandle.current().pid());
        final String target = cluster.address("ret-target-" + ProcessHandle.current().pid());
        try (Space s = Space.open(SpaceOptions.of(address).agentId("writer")); TupleSpace ts = TupleSpace.of(s, "jobs");
             Blackboard bb = Blackboard.of(s, "board", "signal", "plan")) {
            assertEquals(BUDGET, etcd(s).retainRecords(), "the budget is stored with the space");
            ts.out(Tuple.of("job", "old", 1L));
            ts.out(Tuple.of("job", "leased", 2L), 10, TimeUnit.MINUTES);
            ts.out(Tuple.of("job", "taken", 3L));
            final Taken take = ts.inWithAck(TAKEN, 5, TimeUnit.SECONDS);
            assertNotNull(take);
            final long entry = bb.post("signal", Attributes.of("x", 7L), 0.5);
            final long setupEnd = s.journal().lastIndex();
            trimThrough(s, setupEnd, 5);
            final long first = s.journal().firstIndex();
            assertTrue(first > setupEnd, "first " + first + ", setup ended at " + setupEnd);
            final SpaceStats stats = s.stats();
            assertFalse(stats.journalComplete());
            assertTrue(stats.firstIndex() > etcd(s).trimmedThrough(), "the oldest readable record is after the trimmed-through index");
            assertTrue(stats.journalRecords() <= 3L * BUDGET, "bounded: " + stats.journalRecords() + " records");

            try (io.slate.testing.ChildJvm reader = io.slate.testing.ChildJvm.start("ret-reader", Reader.class, childOptions(), address,
                    Long.toString(entry))) {
                final String seen = reader.awaitLineStartingWith("SEEN", 90, TimeUnit.SECONDS);
                assertEquals(0, reader.awaitExit(60, TimeUnit.SECONDS), reader.stderr());
                final String[] f = seen.split(" ");
                assertEquals("1", f[1], "the tuple written long ago: " + seen);
                assertEquals("2", f[2], "the tuple whose lease is running: " + seen);
                assertEquals("-", f[3], "the taken tuple is pending, not available: " + seen);
                assertEquals("7", f[4], "the blackboard entry: " + seen);
                assertEquals("true", f[5], "verify in the other JVM: " + seen);
                assertTrue(Long.parseLong(f[6]) > setupEnd, seen);
            }

            // before the retained range: replay and time travel say that retention removed it
            final IllegalArgumentException tooOld = assertThrows(IllegalArgumentException.class, () -> Blackboard.replay(s, "board", setupEnd));
            assertTrue(tooOld.getMessage().contains("retention removed the journal before index"), tooOld.getMessage());
            assertEquals(7L, Blackboard.replay(s, "board", Long.MAX_VALUE).entry(entry).attributes().getLong("x"));
            try (Space t = Space.open(SpaceOptions.of(target).agentId("target"))) {
                final IllegalStateException noStart = assertThrows(IllegalStateException.class, () -> s.journal().replayInto(t, Long.MAX_VALUE));
                assertTrue(noStart.getMessage().contains("retention removed the journal's records before index"), noStart.getMessage());
            }
            // a tailer from an index retention removed starts at the first retained record
            try (Tailer t = s.journal().tailerFromIndex(1)) {
                final JournalRecord r = t.next(10, TimeUnit.SECONDS);
                assertNotNull(r);
                assertTrue(r.index() > etcd(s).trimmedThrough(), "read " + r.index());
            }

            assertTrue(take.ack(), "the take outlived its record");
            try (TupleSpace fresh = TupleSpace.of(s, "jobs")) {
                assertNull(fresh.rdp(TAKEN));
                assertNotNull(fresh.rdp(OLD));
            }
            assertTrue(s.journal().verify().ok());
        } finally {
            Space.delete(address);
            Space.delete(target);
        }
    }

    /**
     * {@code SpaceOptions.housekeeping(false)} on etcd: an agent that opts out, alone on the space for many duty
     * periods, never holds the duty; an agent that keeps house takes it.
     */
    @Test
    void anAgentThatOptsOutOfHousekeepingNeverHoldsTheDutyAndAnotherTakesIt() throws Exception {
        final String address = cluster.address("ret-optout-" + ProcessHandle.current().pid());
        try (Space spinner = Space.open(SpaceOptions.of(address).agentId("spinner").housekeeping(false))) {
            spinner.kv().putString("k", "v");
            Thread.sleep(10 * PERIOD_MILLIS);
            assertFalse(etcd(spinner).holdsRetentionDuty(), "the agent that opted out holds the duty");
            try (Space keeper = Space.open(SpaceOptions.of(address).agentId("keeper"))) {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!etcd(keeper).holdsRetentionDuty()) {
                    assertTrue(System.nanoTime() < deadline, "the agent that keeps house did not take the duty within 60 s");
                    Thread.sleep(20);
                }
                assertFalse(etcd(spinner).holdsRetentionDuty());
            }
        }
    }

    @Test
    void aNamedTailerThatFellBehindGetsAClearErrorNeverTheRecordsAfterTheGap() throws Exception {
        final String address = cluster.address("ret-tailer-" + ProcessHandle.current().pid());
        try (Space s = Space.open(SpaceOptions.of(address).agentId("writer"))) {
            s.kv().putString("a", "1");
            s.kv().putString("b", "2");
            final long delivered;
            try (Tailer slow = s.journal().namedTailer("slow")) {
                final JournalRecord r = slow.next(10, TimeUnit.SECONDS);
                assertNotNull(r);
                delivered = r.index();
                // within twice the budget the position holds trimming back: its next record stays readable
                for (int i = 0; i < BUDGET; i++) {
                    s.kv().putString("hold", "h" + i);
                }
                Thread.sleep(5 * PERIOD_MILLIS);
                final JournalRecord next = slow.next(10, TimeUnit.SECONDS);
                assertNotNull(next, "held back within twice the budget");
                assertEquals("b", next.key().toString());
                final long secondDelivered = next.index();
                // then it falls more than twice the budget behind: marked lost, the records go
                trimThrough(s, secondDelivered + 1, 3);
                final SpaceException lost = assertThrows(SpaceException.class, () -> slow.next(10, TimeUnit.SECONDS));
                assertTrue(lost.getMessage().contains("named tailer or watch 'slow' lost journal records: it had delivered up to index "
                        + secondDelivered), lost.getMessage());
                assertThrows(SpaceException.class, () -> slow.next(1, TimeUnit.SECONDS), "it keeps failing, never skips the gap");
            }
            final SpaceException again = assertThrows(SpaceException.class, () -> s.journal().namedTailer("slow"));
            assertTrue(again.getMessage().contains("named tailer or watch 'slow' lost journal records"), again.getMessage());
            s.journal().deleteNamedTailer("slow");
            try (Tailer fresh = s.journal().namedTailer("slow")) {
                final JournalRecord r = fresh.next(10, TimeUnit.SECONDS);
                assertNotNull(r);
                assertTrue(r.index() > etcd(s).trimmedThrough(), "deleted and named again, it starts at the first retained record");
            }
            assertTrue(delivered > 0);
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void aCursorThatNeedsTrimmedRecordsFailsSayingSoEveryTime() throws Exception {
        final String address = cluster.address("ret-cursor-" + ProcessHandle.current().pid());
        try (Space s = Space.open(SpaceOptions.of(address).agentId("writer"))) {
            s.kv().putString("a", "1");
            final long a = s.journal().lastIndex();
            s.kv().putString("b", "2");
            final EtcdSpace e = etcd(s);
            trimThrough(s, a + 1, 2);
            // a reader that had read "a" and never read on: its next list finds the journal trimmed past it
            try (JournalTailer t = new JournalTailer(e.connection(), e.layout(), a)) {
                final JournalTailer.Trimmed gap = assertThrows(JournalTailer.Trimmed.class, () -> t.poll(1000));
                assertEquals(a, gap.position);
                assertTrue(gap.trimmedThrough > a);
                assertThrows(JournalTailer.Trimmed.class, () -> t.poll(100), "again, never skipping the gap");
            }
            // the same through the SPI's cursor: a clear error naming both indices, every time
            try (io.slate.spi.RecordCursor c = e.log().cursor()) {
                final SpaceException resume = assertThrows(SpaceException.class, () -> c.after(a));
                assertTrue(resume.getMessage().contains("cannot resume after index " + a + ": retention removed it and the records after it"
                        + " through index "), resume.getMessage());
            }
            // after exactly the last record retention removed, nothing is missing: the reader resumes at the first retained one
            // (once the duty trimmed to the budget, so that no pass moves the trimmed-through index meanwhile)
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (e.log().count() > BUDGET) {
                assertTrue(System.nanoTime() < deadline, "not trimmed to the budget within 30 s: " + e.log().count());
                Thread.sleep(20);
            }
            try (io.slate.spi.RecordCursor c = e.log().cursor()) {
                final long trimmed = e.trimmedThrough();
                c.after(trimmed);
                final io.slate.spi.LogRecord r = c.next();
                assertNotNull(r);
                assertTrue(r.index() > trimmed && r.index() <= e.log().firstIndex(), "resumed at " + r.index() + " after " + trimmed);
            }
        } finally {
            Space.delete(address);
        }
    }

    /**
     * args: address — holds the duty, lets its first trimming pass start only once {@value #HOLDER_RECORDS} records
     * are written (so the pass deletes in several batches), prints {@code WROTE i1,i2,...} and {@code INSIDE} when the
     * pass committed its first batch, and waits there to be killed.
     */
    static final class DutyHolder {
        static final int HOLDER_RECORDS = 350;

        public static void main(final String[] args) throws Exception {
            final CountDownLatch written = new CountDownLatch(1);
            EtcdRetention.faultHandler = point -> {
                try {
                    if (point.equals(EtcdRetention.FAULT_PASS)) {
                        written.await();
                    } else if (point.equals(EtcdRetention.FAULT_BATCH)) {
                        System.out.println("INSIDE");
                        System.out.flush();
                        Thread.sleep(600_000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            try (Space s = Space.open(SpaceOptions.of(args[0]).agentId("holder"))) {
                final EtcdSpace e = etcd(s);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!e.holdsRetentionDuty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                System.out.println("DUTY " + e.holdsRetentionDuty());
                final StringBuilder indices = new StringBuilder();
                for (int i = 0; i < HOLDER_RECORDS; i++) {
                    s.kv().putString("w" + i, "v");
                    indices.append(i == 0 ? "" : ",").append(s.journal().lastIndex());
                }
                System.out.println("WROTE " + indices);
                System.out.flush();
                written.countDown();
                Thread.sleep(600_000);
            }
        }
    }

    @Test
    void aDutyHolderKilledMidPassLeavesAConsistentJournalAndAnotherAgentTakesTheDutyOver() throws Exception {
        final String address = cluster.address("ret-kill-" + ProcessHandle.current().pid());
        try (io.slate.testing.ChildJvm holder = io.slate.testing.ChildJvm.start("ret-holder", DutyHolder.class,
                childOptions("-Dslate.faultPoints=true"), address)) {
            assertEquals("DUTY true", holder.awaitLineStartingWith("DUTY", 90, TimeUnit.SECONDS));
            final String wrote = holder.awaitLineStartingWith("WROTE ", 120, TimeUnit.SECONDS);
            holder.awaitLineStartingWith("INSIDE", 60, TimeUnit.SECONDS);
            holder.kill();
            final long killedNanos = System.nanoTime();
            final List<Long> written = new ArrayList<>();
            for (final String i : wrote.substring("WROTE ".length()).split(",")) {
                written.add(Long.parseLong(i));
            }
            try (Space s = Space.open(SpaceOptions.of(address).agentId("survivor"))) {
                final EtcdSpace e = etcd(s);
                final long trimmed = e.trimmedThrough();
                assertTrue(trimmed > 0, "the killed pass committed a batch");
                assertConsistent(e, written, trimmed);
                assertTrue(written.get(written.size() - 1) > trimmed, "the killed pass stopped before its last batch");
                // another agent takes the duty over once the holder's lease expired, and trims on to the budget
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!(e.holdsRetentionDuty() && e.log().count() <= BUDGET)) {
                    assertTrue(System.nanoTime() < deadline, "no takeover within 60 s: holds " + e.holdsRetentionDuty() + ", records "
                            + e.log().count() + ", problem " + e.retentionProblem());
                    Thread.sleep(50);
                }
                // (reported, not asserted: the lease TTL plus a duty period, plus the survivor's own open)
                System.out.println("retention duty taken over and trimmed to the budget " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                        - killedNanos) + " ms after the holder's SIGKILL (lease TTL " + TTL_SECONDS + " s, duty period " + PERIOD_MILLIS + " ms)");
                final long after = e.trimmedThrough();
                assertTrue(after > trimmed, "trimmed on: " + trimmed + " -> " + after);
                assertConsistent(e, written, after);
                assertTrue(s.journal().verify().ok());
            }
        } finally {
            Space.delete(address);
        }
    }

    /** Every record at or before {@code trimmed} is gone, every written record after it is there, and a reader from the start reads exactly those. */
    private static void assertConsistent(final EtcdSpace e, final List<Long> written, final long trimmed) throws Exception {
        final List<KeyValue> upTo = e.connection().get(e.layout().journalPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true)
                .withMaxModRevision(trimmed).build(), "test").getKvs();
        assertEquals(0, upTo.size(), "no record left at or before the trimmed-through index " + trimmed);
        final List<Long> expected = new ArrayList<>();
        for (final long i : written) {
            if (i > trimmed) {
                expected.add(i);
            }
        }
        final List<Long> read = new ArrayList<>();
        try (JournalTailer t = new JournalTailer(e.connection(), e.layout(), 0, true)) {
            EtcdRecord r;
            while ((r = t.pollNow(true)) != null) {
                if (r.index <= written.get(written.size() - 1)) {
                    read.add(r.index);
                }
            }
        }
        assertTrue(read.containsAll(expected), "every written record after the trimmed-through index " + trimmed + " is read, no gap: expected "
                + expected + ", read " + read);
    }
}
