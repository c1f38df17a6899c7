package io.slate.space;

import io.slate.testing.TestSpaces;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a space created with the default options promises its clients in other languages. */
class DefaultSpaceTest {
    /** 2^53: above it a JavaScript number (how Node's Redis clients read integer replies) cannot hold every integer. */
    private static final long JS_SAFE = 1L << 53;

    @Test
    void defaultsRollEveryFiveMinutes() {
        assertEquals(JournalRollCycle.FIVE_MINUTELY, SpaceOptions.DEFAULT_ROLL_CYCLE,
                "retention frees whole cycles: a long default cycle holds up to a cycle's worth of records beyond the budget");
    }

    /**
     * A journal index is the cycle number shifted left (by 32 bits for five-minute cycles); counted from 1970, a five-minute cycle number makes today's
     * indices about 2.6e16. Each space's journal counts its cycles from the day it was created, so every roll
     * cycle, short ones included, gives indices far below 2^53.
     */
    @ParameterizedTest
    @EnumSource(JournalRollCycle.class)
    void journalIndicesFitAJavaScriptNumber(final JournalRollCycle cycle) {
        final Path dir = TestSpaces.newDirectory("indices-" + cycle);
        try (Space s = Space.open(SpaceOptions.at(dir).rollCycle(cycle)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            s.kv().putString("k", "v");
            final long id = ts.out(Tuple.of("job", 1L));
            final long last = s.journal().lastIndex();
            assertTrue(last < JS_SAFE && id < JS_SAFE, "journal index " + last + " / tuple id " + id + " is at or above 2^53 with "
                    + "roll cycle " + cycle + ": Node clients of the gateway would read it wrongly");
            // the cycle counts from the day before the space's creation day: at most two days' worth of cycles
            final long cycles = last >>> 32;
            assertTrue(cycles <= 2 * 86_400, "cycle number " + cycles + " counts from long before the space was created");
        } finally {
            TestSpaces.delete(dir);
        }
    }

    /**
     * No record ever has journal index 0, whatever the time of day: readers (tuple ids, the gateway's stream ids,
     * tailer positions) take 0 for "none". Cycles count from the day before the space was created, so even the first
     * record of the first cycle after midnight is at a cycle of one day's worth or more, never at cycle 0.
     */
    @ParameterizedTest
    @EnumSource(JournalRollCycle.class)
    void noRecordHasIndexZeroAtAnyTimeOfDay(final JournalRollCycle cycle) {
        final Path dir = TestSpaces.newDirectory("index-zero-" + cycle);
        try (Space s = Space.open(SpaceOptions.at(dir).rollCycle(cycle)); TupleSpace ts = TupleSpace.of(s, "jobs")) {
            final long id = ts.out(Tuple.of("job", 1L));
            final long first = s.journal().lastIndex();
            assertEquals(id, first);
            assertTrue(first > 0, "the first record's index is " + first);
            final long cyclesPerDay = 86_400L / secondsOf(cycle);
            assertTrue((first >>> 32) >= cyclesPerDay, "the first record is in cycle " + (first >>> 32) + ", less than a day's worth ("
                    + cyclesPerDay + ") of " + cycle + " cycles: right after midnight it would be cycle 0, index 0");
        } finally {
            TestSpaces.delete(dir);
        }
    }

    private static long secondsOf(final JournalRollCycle cycle) {
        switch (cycle) {
            case SECONDLY:
                return 1;
            case FIVE_MINUTELY:
                return 300;
            case TEN_MINUTELY:
                return 600;
            case HALF_HOURLY:
                return 1_800;
            case HOURLY:
                return 3_600;
            case DAILY:
                return 86_400;
            default:
                throw new IllegalArgumentException("roll cycle " + cycle);
        }
    }
}
