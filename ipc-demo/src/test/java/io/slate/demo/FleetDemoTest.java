package io.slate.demo;

import io.slate.testing.ChildJvm;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the fleet demo in a child JVM (which starts its own agent JVMs) with four agents and {@code --chaos}, and checks
 * the invariants of its JSON summary: every alert produced was consumed exactly once although a responder was
 * SIGKILLed mid-run, the kill was recovered from, the space was removed and no JVM was left running.
 */
class FleetDemoTest {
    private Path dir;

    @AfterEach
    void cleanUp() {
        TestSpaces.delete(dir);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void chaosRunKeepsEveryAlertExactlyOnceAndCleansUp() throws Exception {
        dir = TestSpaces.newDirectory("fleet");
        final Path json = Files.createTempFile("fleet-summary", ".json");
        try (ChildJvm demo = ChildJvm.start("fleet-demo", FleetDemo.class, "--agents", "4", "--duration", "4", "--rate", "100",
                "--chaos", "--clean", "--json", json.toString(), "--space", dir.toString())) {
            final int code = demo.awaitExit(100, TimeUnit.SECONDS);
            final String output = String.join("\n", demo.output());
            assertEquals(0, code, () -> "demo failed:\n" + output + "\n" + demo.stderr());
            final String summary = Files.readString(json, StandardCharsets.UTF_8);
            final long produced = number(summary, "produced");
            assertTrue(produced > 0, summary);
            assertEquals(produced, number(summary, "consumed"), summary);
            assertEquals(0, number(summary, "duplicates"), summary);
            assertEquals(0, number(summary, "lost"), summary);
            assertEquals(4, number(summary, "agents"), summary);
            assertTrue(summary.contains("\"killed\":[\"responder-"), summary);
            assertTrue(Double.parseDouble(field(summary, "recoveryMillis")) >= 0, summary);
            assertTrue(number(summary, "journalRecords") > produced, summary);
            assertTrue(summary.contains("\"handoffNanos\":{\"p50\":"), summary);
            assertTrue(output.contains("Summary"), output);
            assertFalse(Files.exists(dir), "--clean should have removed " + dir);
        } finally {
            Files.deleteIfExists(json);
        }
        final String marker = dir.toString();
        final List<String> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .collect(Collectors.toList());
        assertTrue(left.isEmpty(), () -> "agent JVMs still running: " + left);
    }

    private static long number(final String json, final String name) {
        return Long.parseLong(field(json, name));
    }

    private static String field(final String json, final String name) {
        final Matcher m = Pattern.compile("\"" + name + "\":(-?[0-9.]+)").matcher(json);
        assertTrue(m.find(), () -> "no field " + name + " in " + json);
        return m.group(1);
    }
}
