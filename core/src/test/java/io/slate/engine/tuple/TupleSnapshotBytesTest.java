package io.slate.engine.tuple;

import io.slate.engine.ViewSnapshots;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.spi.BackendSpace;
import io.slate.testing.TestSpaces;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tuple space's snapshot bytes read back exactly, and any damage to them is a clear error, never a wrong index. */
class TupleSnapshotBytesTest {
    @Test
    void aSnapshotRestoresEveryTupleAndTakeAndEveryTruncationIsAClearError() {
        final Path dir = TestSpaces.newDirectory("tuple-snapshot-bytes");
        try (Space s = Space.open(SpaceOptions.at(dir)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            for (long i = 0; i < 20; i++) {
                ts.out(Tuple.of("job", i, "x".repeat((int) i)));
            }
            ts.out(Tuple.of("lease", 1L), 1, TimeUnit.HOURS);
            final Taken held = ts.inWithAck(Template.of("job", 0L, Template.ANY), 1, TimeUnit.SECONDS);
            assertNotNull(held);
            final BackendSpace b = BackendSpace.of(s, "test");
            assertTrue(TupleSnapshots.write(b, "jobs") > 0);
            final byte[] bytes = ViewSnapshots.newest(b, TupleSnapshots.PREFIX + "jobs").data();

            final TupleIndex restored = new TupleIndex();
            restored.restore(bytes);
            assertEquals(21, restored.size(), "20 jobs (one of them held by a take) and the leased tuple");
            final Template anyJob = Template.of("job", Template.ANY_LONG, Template.ANY_STRING);
            final byte[] tpl = new byte[anyJob.encodedLength()];
            anyJob.encodeTo(tpl, 0);
            assertEquals(19, restored.count(tpl, System.nanoTime()), "the held job is not available");

            for (int cut = 0; cut < bytes.length; cut++) {
                final byte[] torn = Arrays.copyOf(bytes, cut);
                final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TupleIndex().restore(torn),
                        "a snapshot cut to " + cut + " of " + bytes.length + " bytes");
                assertTrue(e.getMessage().startsWith("tuple snapshot"), e.getMessage());
            }
            held.release();
        } finally {
            TestSpaces.delete(dir);
        }
    }
}
