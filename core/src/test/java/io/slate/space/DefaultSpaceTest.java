package io.slate.space;

import io.slate.testing.TestSpaces;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a space created with the default options promises its clients in other languages. */
class DefaultSpaceTest {
    /** 2^53: above it a JavaScript number (how Node's Redis clients read integer replies) cannot hold every integer. */
    private static final long JS_SAFE = 1L << 53;

    @Test
    void journalIndicesFitAJavaScriptNumber() {
        final Path dir = TestSpaces.newDirectory("default-indices");
        try (Space s = Space.open(SpaceOptions.at(dir)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            s.kv().putString("k", "v");
            final long id = ts.out(Tuple.of("job", 1L));
            final long last = s.journal().lastIndex();
            assertTrue(last < JS_SAFE && id < JS_SAFE, "journal index " + last + " / tuple id " + id + " is at or above 2^53 with the default "
                    + "roll cycle " + s.options().rollCycle() + ": Node clients of the gateway would read it wrongly");
        } finally {
            TestSpaces.delete(dir);
        }
    }
}
