package io.slate.engine.tuple;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleRecord;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Returning a dead taker's tuples from a view older than the death. */
class TupleReapTest {
    /**
     * A survivor's view shows two pending takes; the taker acknowledges one and dies before the survivor checks it.
     * The survivor returns only the one still held: a return of the acknowledged take (void by the rules, but a
     * TAKER_DIED record naming a tuple that was never lost) is not written. CI found such a record once.
     */
    @Test
    @Timeout(60)
    void aTakeAcknowledgedAfterTheSurvivorsViewIsNotReturned() {
        final Path dir = TestSpaces.newDirectory("tuple-reap");
        try (Space survivorSpace = Space.open(SpaceOptions.at(dir).agentId("survivor"));
             TupleSpace survivor = TupleSpace.of(survivorSpace, "jobs")) {
            survivor.out(Tuple.of("job", 1L));
            survivor.out(Tuple.of("job", 2L));
            final Space takerSpace = Space.open(SpaceOptions.at(dir).agentId("taker"));
            final TupleSpace taker = TupleSpace.of(takerSpace, "jobs");
            final Taken acked = taker.inWithAck(Template.of("job", 1L), 1, TimeUnit.SECONDS);
            final Taken held = taker.inWithAck(Template.of("job", 2L), 1, TimeUnit.SECONDS);
            assertNotNull(acked);
            assertNotNull(held);
            assertNull(survivor.rdp(Template.of("job", Template.ANY_LONG)), "the survivor's view: both taken, pending");
            assertTrue(acked.ack());
            takerSpace.close(); // the taker's slot is no longer live; its second take is still open

            assertTrue(((JournalTupleSpace) survivor).reapNow(), "the held take is returned");
            assertFalse(((JournalTupleSpace) survivor).reapNow(), "nothing else is pending under a dead taker");
            assertEquals(Tuple.of("job", 2L), survivor.inp(Template.of("job", Template.ANY_LONG)));
            assertNull(survivor.inp(Template.of("job", Template.ANY_LONG)), "the acknowledged job stays gone");

            final List<Long> returned = new ArrayList<>();
            try (Tailer t = survivorSpace.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.SECONDS)) != null) {
                    if (r.op() == Op.TUPLE_RETURN) {
                        final TupleRecord tr = TupleRecord.of(r);
                        assertTrue(tr.takerDied(), tr.toString());
                        returned.add(tr.tupleId());
                    }
                }
            }
            assertEquals(List.of(held.id()), returned);
        } finally {
            TestSpaces.delete(dir);
        }
    }
}
