package io.slate.engine.tuple;

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

/**
 * A thread that found nothing remembers the miss until a tuple becomes available: every way a tuple becomes available
 * again ends the miss, and a miss answers for its own template only.
 */
class TupleMissTest {
    private static final Template JOB = Template.of("job", Template.ANY_LONG);

    @Test
    @Timeout(60)
    void aRememberedMissEndsWhenATupleBecomesAvailableAnyWay() throws Exception {
        final Path dir = TestSpaces.newDirectory("tuple-miss");
        try (Space mine = Space.open(SpaceOptions.at(dir).agentId("poller")); TupleSpace ts = TupleSpace.of(mine, "jobs");
             Space theirs = Space.open(SpaceOptions.at(dir).agentId("other")); TupleSpace other = TupleSpace.of(theirs, "jobs")) {
            other.out(Tuple.of("other", 1L));
            assertNull(ts.inp(JOB));
            assertNull(ts.inp(JOB), "the same miss, remembered");
            // another template is not answered by that miss
            assertEquals(Tuple.of("other", 1L), ts.rdp(Template.of("other", Template.ANY_LONG)));

            // written by another handle
            assertNull(ts.inp(JOB));
            other.out(Tuple.of("job", 1L));
            assertEquals(Tuple.of("job", 1L), ts.inp(JOB));

            // written by this handle
            assertNull(ts.inp(JOB));
            ts.out(Tuple.of("job", 2L));
            assertEquals(Tuple.of("job", 2L), ts.inp(JOB));

            // released by the taker in another process-like handle
            other.out(Tuple.of("job", 3L));
            final Taken held = other.inWithAck(JOB, 1, TimeUnit.SECONDS);
            assertNotNull(held);
            assertNull(ts.inp(JOB), "taken, not acknowledged: hidden");
            assertNull(ts.inp(JOB));
            held.release();
            assertEquals(Tuple.of("job", 3L), ts.inp(JOB));

            // returned because its taker is gone
            other.out(Tuple.of("job", 4L));
            assertNotNull(other.inWithAck(JOB, 1, TimeUnit.SECONDS));
            assertNull(ts.inp(JOB));
            other.close();
            theirs.close();
            assertEquals(Tuple.of("job", 4L), ts.in(JOB, 10, TimeUnit.SECONDS));

            // a leased tuple, and a miss after its lease ended
            assertNull(ts.rdp(JOB));
            ts.out(Tuple.of("job", 5L), 200, TimeUnit.MILLISECONDS);
            assertEquals(Tuple.of("job", 5L), ts.rdp(JOB));
            Thread.sleep(400);
            assertNull(ts.rdp(JOB), "its lease ended");
            assertNull(ts.inp(JOB));
            ts.out(Tuple.of("job", 6L));
            assertEquals(Tuple.of("job", 6L), ts.inp(JOB));
        } finally {
            TestSpaces.delete(dir);
        }
    }
}
