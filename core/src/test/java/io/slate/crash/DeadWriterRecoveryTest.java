package io.slate.crash;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.FaultPoints;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
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

    @Test
    void killedInsideTheJournalWriteLockWithTheRecordUncommitted() throws Exception {
        final Outcome o = killInside(FaultPoints.JOURNAL_WRITING);
        assertTheDeadWriteNeverHappened(o);
        assertEquals(1, o.scrubs, "the dead writer's uncommitted bytes were cleared before the next record");
    }
}
