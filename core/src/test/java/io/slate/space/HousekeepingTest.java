package io.slate.space;

import io.slate.shm.ChronicleSpace;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SpaceOptions#housekeeping(boolean)}: an agent that opts out never takes the space's duty and runs no duty
 * thread (a spinning agent's CPU stays its own), while another agent of the space takes the duty up.
 */
class HousekeepingTest {
    private final Path dir = TestSpaces.newDirectory("housekeeping");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void anAgentThatOptsOutNeverTakesTheDutyAndAnotherDoes() throws Exception {
        try (Space spinner = Space.open(SpaceOptions.at(dir).agentId("spinner").housekeeping(false))) {
            spinner.kv().putString("k", "v");
            // alone for more than two of the duty's periods: an agent that does housekeeping takes it within one
            Thread.sleep(2_500);
            assertFalse(((ChronicleSpace) spinner).chronicleJournal().holdsDuty(), "the agent that opted out took the duty");
            final String thread = "slate-snapshots " + dir.resolve("journal");
            assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(thread)),
                    "the agent that opted out runs a duty thread");
            try (Space keeper = Space.open(SpaceOptions.at(dir).agentId("keeper"))) {
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (!((ChronicleSpace) keeper).chronicleJournal().holdsDuty()) {
                    assertTrue(System.nanoTime() < deadline, "the other agent did not take the duty within 30 s");
                    Thread.sleep(50);
                }
                assertFalse(((ChronicleSpace) spinner).chronicleJournal().holdsDuty());
            }
        }
    }

    @Test
    void theOptionIsCopiedAndShown() {
        final SpaceOptions o = SpaceOptions.at(dir).housekeeping(false);
        assertFalse(o.copy().housekeeping());
        assertTrue(o.toString().contains("no housekeeping"), o.toString());
        assertTrue(SpaceOptions.at(dir).housekeeping());
        assertFalse(SpaceOptions.at(dir).observer(true).housekeeping(), "an observer never keeps house");
    }
}
