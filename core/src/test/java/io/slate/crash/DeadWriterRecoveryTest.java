package io.slate.crash;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.FaultPoints;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer JVM is SIGKILLed at each of the places where a crash used to take the space down: holding the key's Chronicle
 * Map segment lock before its journal append, after the append but before the map update, and inside the journal's
 * write lock with its record written but not committed. The survivor's next writes to the same key and to another key
 * must go through (not Chronicle's dead-lock exception after a minute), the dead writer's acknowledged write must be
 * kept, a committed write must reach the map, an uncommitted one must leave no trace, and verify must hold.
 */
class DeadWriterRecoveryTest {
    /** Larger than the survivor's records, so its leftovers outlast the record written over it. */
    private static final int VICTIM_VALUE_BYTES = 3000;

    /** Small writes after the kill: they land where the dead writer's bytes were. */
    private static final int AFTER_WRITES = 100;

    @RegisterExtension
    final Processes processes = new Processes();

    private static final class Outcome {
        final List<String> records = new ArrayList<>();
        Entry k;
        VerifyReport verify;
        long repairs;
        long scrubs;
        int smallWrites;
    }

    private Outcome killInside(final String point) throws Exception {
        final Path dir = processes.dir("dead-writer");
        final Outcome out = new Outcome();
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("survivor"))) {
            assertEquals(1, s.kv().put("k", "0".getBytes()));
            final ChildJvm victim = processes.child("victim", Victims.StopInsidePut.class, dir.toString(), "victim", point, "k",
                    Integer.toString(VICTIM_VALUE_BYTES));
            assertEquals("ACK before 2", victim.awaitLine(30, TimeUnit.SECONDS));
            assertEquals("INSIDE " + point, victim.awaitLine(30, TimeUnit.SECONDS));
            victim.kill();
            s.kv().put("other", "x".getBytes());
            s.kv().put("k", "after".getBytes());
            for (int i = 0; i < AFTER_WRITES; i++) {
                s.kv().put("n" + i, new byte[i % 7]);
            }
            try (Tailer t = s.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(50, TimeUnit.MILLISECONDS)) != null) {
                    if (r.key().charAt(0) == 'n') {
                        out.smallWrites++;
                        continue;
                    }
                    out.records.add(r.op() + " " + r.key() + " v" + r.version() + " by " + r.agent() + " (" + r.valueLength() + " bytes)");
                }
            }
            out.k = s.kv().get("k");
            out.verify = s.journal().verify();
            out.repairs = ((ChronicleSpace) s).chronicleKv().guards().repairs();
            out.scrubs = ((ChronicleSpace) s).chronicleJournal().scrubs();
        }
        return out;
    }

    @Test
    void killedHoldingTheSegmentLockBeforeAppending() throws Exception {
        final Outcome o = killInside(FaultPoints.KV_LOCKED);
        assertTheDeadWriteNeverHappened(o);
        assertEquals(0, o.scrubs, "nothing of the dead write reached the journal");
    }

    /** The journal and the map as if the victim had never started its second write; the segment was repaired once. */
    private static void assertTheDeadWriteNeverHappened(final Outcome o) {
        assertEquals(List.of("PUT k v1 by survivor (1 bytes)", "PUT k v2 by victim (6 bytes)", "PUT other v1 by survivor (1 bytes)",
                "PUT k v3 by survivor (5 bytes)"), o.records);
        assertEquals(3, o.k.version());
        assertTrue(o.verify.ok(), o.verify.toString());
        assertEquals(AFTER_WRITES, o.smallWrites);
        assertEquals(1, o.repairs, "the segment was taken over from the dead writer once");
    }

    @Test
    void killedAfterTheJournalAppendBeforeTheMap() throws Exception {
        final Outcome o = killInside(FaultPoints.KV_APPENDED);
        // the dead writer's record was committed: the survivor that took the segment over put it in the map
        assertEquals(List.of("PUT k v1 by survivor (1 bytes)", "PUT k v2 by victim (6 bytes)",
                "PUT k v3 by victim (" + VICTIM_VALUE_BYTES + " bytes)", "PUT other v1 by survivor (1 bytes)",
                "PUT k v4 by survivor (5 bytes)"), o.records);
        assertEquals(4, o.k.version());
        assertArrayEquals("after".getBytes(StandardCharsets.UTF_8), o.k.value());
        assertTrue(o.verify.ok(), o.verify.toString());
        assertEquals(AFTER_WRITES, o.smallWrites);
        assertEquals(1, o.repairs);
    }

    /**
     * A waiter learns of a put from its journal record, the commit point, before the writer has updated the map
     * ({@code awaitChange} into a buffer): here the writer stops right after its append, and the waiter already has
     * the new version and value. What the waiter saw is what stays: the writer is killed there, and the survivor that
     * takes the segment over puts that record into the map.
     */
    @Test
    void aWaiterSeesACommittedWriteBeforeTheMapAndTheWriterDyingKeepsIt() throws Exception {
        final Path dir = processes.dir("waiter");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("survivor"))) {
            assertEquals(1, s.kv().put("k", "0".getBytes()));
            final EntryBuffer b = new EntryBuffer();
            assertEquals(1, s.kv().awaitChange("k", 0, b, 0, TimeUnit.SECONDS), "the waiter's cursor is placed");
            final ChildJvm victim = processes.child("victim", Victims.StopInsidePut.class, dir.toString(), "victim", FaultPoints.KV_APPENDED, "k",
                    Integer.toString(VICTIM_VALUE_BYTES));
            assertEquals("ACK before 2", victim.awaitLine(30, TimeUnit.SECONDS));
            assertEquals(2, s.kv().awaitChange("k", 1, b, 30, TimeUnit.SECONDS));
            assertEquals("before", b.valueAsString());
            assertEquals("INSIDE " + FaultPoints.KV_APPENDED, victim.awaitLine(30, TimeUnit.SECONDS));
            // the victim holds the key's segment, its record committed and the map not updated: the waiter has it
            assertEquals(3, s.kv().awaitChange("k", 2, b, 30, TimeUnit.SECONDS));
            assertEquals(VICTIM_VALUE_BYTES, b.length());
            assertEquals("victim", b.writer().toString());
            assertTrue(victim.isAlive(), "the write is seen while its writer is still inside it");
            victim.kill();
            final Entry k = s.kv().get("k");
            assertEquals(3, k.version(), "the map has what the waiter saw");
            assertEquals(VICTIM_VALUE_BYTES, k.value().length);
            final VerifyReport v = s.journal().verify();
            assertTrue(v.ok(), v.toString());
        }
    }

    /**
     * A writer that dies while it rewrites an entry in place can leave the entry's new version (written first) over the
     * old value. The survivor must not take that version for "the dead writer got as far as the map": it rewrites the
     * whole entry from the committed record. (Simulated: while the victim stops after its append, the test writes the
     * new version into the map's file over the old entry, as a torn in-place write would leave it.)
     */
    @Test
    void killedWithTheEntrysNewVersionWrittenOverItsOldValue() throws Exception {
        final Path dir = processes.dir("torn-entry");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("survivor"))) {
            assertEquals(1, s.kv().put("k", "0".getBytes()));
            final ChildJvm victim = processes.child("victim", Victims.StopInsidePut.class, dir.toString(), "victim", FaultPoints.KV_APPENDED, "k",
                    Integer.toString(VICTIM_VALUE_BYTES));
            assertEquals("ACK before 2", victim.awaitLine(30, TimeUnit.SECONDS));
            assertEquals("INSIDE " + FaultPoints.KV_APPENDED, victim.awaitLine(30, TimeUnit.SECONDS));
            tearEntry(dir.resolve(io.slate.shm.SpaceDescriptor.MAP_FILE_NAME), "victim", "before", 2, 3);
            victim.kill();
            final Entry k = s.kv().get("k");
            assertEquals(3, k.version());
            assertEquals(VICTIM_VALUE_BYTES, k.value().length, "the committed record's value, not the old one under the new version");
            assertEquals("victim", k.writer());
            final VerifyReport v = s.journal().verify();
            assertTrue(v.ok(), v.toString());
            assertEquals(4, s.kv().put("k", "after".getBytes()));
        }
    }

    /**
     * Finds the one entry written by {@code agent} with {@code value} in the map file and replaces its version
     * {@code from} with {@code to} (layout: version, time, index (8 each), flags (1), agent length (1), agent, value).
     */
    private static void tearEntry(final Path mapFile, final String agent, final String value, final long from, final long to) throws java.io.IOException {
        final byte[] a = agent.getBytes(StandardCharsets.UTF_8);
        final byte[] v = value.getBytes(StandardCharsets.UTF_8);
        final byte[] pattern = new byte[1 + a.length + v.length];
        pattern[0] = (byte) a.length;
        System.arraycopy(a, 0, pattern, 1, a.length);
        System.arraycopy(v, 0, pattern, 1 + a.length, v.length);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(mapFile, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            final java.nio.MappedByteBuffer m = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, ch.size());
            m.order(java.nio.ByteOrder.nativeOrder());
            int found = -1;
            for (int i = 25; i + pattern.length <= m.limit(); i++) {
                boolean match = true;
                for (int j = 0; j < pattern.length && match; j++) {
                    match = m.get(i + j) == pattern[j];
                }
                if (match && m.getLong(i - 25) == from) {
                    assertEquals(-1, found, "one entry of " + agent + " with '" + value + "' at version " + from);
                    found = i;
                }
            }
            assertTrue(found > 0, "the entry of " + agent + " with '" + value + "' at version " + from + " is in the map file");
            m.putLong(found - 25, to);
            m.force();
        }
    }

    @Test
    void killedInsideTheJournalWriteLockWithTheRecordUncommitted() throws Exception {
        final Outcome o = killInside(FaultPoints.JOURNAL_WRITING);
        assertTheDeadWriteNeverHappened(o);
        assertEquals(1, o.scrubs, "the dead writer's uncommitted bytes were cleared before the next record");
    }
}
