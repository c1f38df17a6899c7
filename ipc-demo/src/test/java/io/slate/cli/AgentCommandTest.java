package io.slate.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code slate agent}: its usage errors and help, in-process (running an agent is covered by the fleet demo test). */
class AgentCommandTest {
    @Test
    void unknownKindIsBadUsage() {
        final String[] result = run("agent", "bogus", "--space", "/dev/shm/slate-test/agent-command-never-created");
        assertEquals("2", result[0], result[2]);
        assertTrue(result[2].contains("unknown agent kind 'bogus'"), result[2]);
    }

    @Test
    void missingSpaceIsBadUsage() {
        final String[] result = run("agent", "sensor");
        assertEquals("2", result[0], result[2]);
        assertTrue(result[2].contains("no space"), result[2]);
    }

    @Test
    void helpListsTheKinds() {
        final String[] result = run("agent", "--help");
        assertEquals("0", result[0], result[2]);
        assertTrue(result[1].contains("sensor") && result[1].contains("responder") && result[1].contains("planner"), result[1]);
    }

    private static String[] run(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SlateCli.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
