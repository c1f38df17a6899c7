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
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A take whose record directly follows the last record the taker's view read wins without being read back; the view
 * applies it on its next read, and every rule holds as if it had been read back.
 */
class TupleTakeTest {
    private static final Template JOB = Template.of("job", Template.ANY_LONG);

    @Test
    @Timeout(60)
    void aTakeRightAfterTheViewWinsWithoutBeingReadBack() {
        final Path dir = TestSpaces.newDirectory("tuple-take");
        try (Space mine = Space.open(SpaceOptions.at(dir).agentId("taker")); TupleSpace ts = TupleSpace.of(mine, "jobs");
             Space theirs = Space.open(SpaceOptions.at(dir).agentId("writer")); TupleSpace other = TupleSpace.of(theirs, "jobs")) {
            final JournalTupleSpace view = (JournalTupleSpace) ts;

            // a final take: the view stops at the tuple's own record, the take after it is not read back
            final long first = other.out(Tuple.of("job", 1L));
            assertEquals(Tuple.of("job", 1L), ts.inp(JOB));
            assertEquals(first, view.viewPosition(), "the take was read back");
            assertNull(ts.rdp(JOB), "the taker's own view applies its take on the next read");
            assertNull(other.inp(JOB), "taken for everyone else");

            // a take with acknowledgement, acknowledged
            final long second = other.out(Tuple.of("job", 2L));
            final Taken acked = ts.inWithAck(JOB, 1, TimeUnit.SECONDS);
            assertNotNull(acked);
            assertEquals(second, view.viewPosition(), "the take was read back");
            assertNull(other.rdp(JOB), "pending: hidden");
            assertTrue(acked.ack(), "the ack ends the take it was not read back for");
            assertNull(other.inp(JOB), "acknowledged: gone");

            // a take with acknowledgement, released: the tuple is back, in its place
            final long third = other.out(Tuple.of("job", 3L));
            final Taken released = ts.inWithAck(JOB, 1, TimeUnit.SECONDS);
            assertNotNull(released);
            assertEquals(third, view.viewPosition(), "the take was read back");
            released.release();
            assertEquals(Tuple.of("job", 3L), other.inp(JOB));

            // one take record per take, none void
            int takes = 0;
            try (Tailer t = mine.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.SECONDS)) != null) {
                    if (r.op() == Op.TUPLE_TAKE) {
                        takes++;
                    }
                }
            }
            assertEquals(4, takes, "three by the taker, one by the writer");
        } finally {
            TestSpaces.delete(dir);
        }
    }

    @Test
    @Timeout(60)
    void aTakeOfALeasedTupleIsReadBack() {
        final Path dir = TestSpaces.newDirectory("tuple-take-lease");
        try (Space mine = Space.open(SpaceOptions.at(dir).agentId("taker")); TupleSpace ts = TupleSpace.of(mine, "jobs")) {
            final JournalTupleSpace view = (JournalTupleSpace) ts;
            final long id = ts.out(Tuple.of("job", 1L), 1, TimeUnit.HOURS);
            assertEquals(Tuple.of("job", 1L), ts.inp(JOB));
            assertTrue(view.viewPosition() > id, "whether the take came before the lease's end is in its record: read back");
            assertNull(ts.rdp(JOB));
        } finally {
            TestSpaces.delete(dir);
        }
    }
}
