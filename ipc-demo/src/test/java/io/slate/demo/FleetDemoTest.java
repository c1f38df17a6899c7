package io.slate.demo;

import io.slate.testing.ChildJvm;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

    /**
     * The project's directory when the Python and Node agents can run (python3-redis, node, clients/node/node_modules),
     * else null; under CI=true they must be there.
     */
    private static Path polyglotRoot() {
        Path root = Paths.get("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("clients"))) {
            root = root.getParent();
        }
        boolean python = false;
        try {
            final Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import redis").redirectErrorStream(true).start();
            python = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            python = false;
        }
        final boolean ok = root != null && python && Files.isDirectory(root.resolve("clients/node/node_modules/redis"))
                && (Files.isExecutable(Paths.get("/usr/bin/node")) || Files.isExecutable(Paths.get("/usr/local/bin/node")));
        if (!ok && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true: the fleet demo's Python and Node agents need /usr/bin/python3 with python3-redis, node and "
                    + "'npm ci' in clients/node (.ci/run installs them)");
        }
        return ok ? root : null;
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void chaosRunKeepsEveryAlertExactlyOnceAndCleansUp() throws Exception {
        dir = TestSpaces.newDirectory("fleet");
        final Path json = Files.createTempFile("fleet-summary", ".json");
        final Path root = polyglotRoot();
        final List<String> args = new java.util.ArrayList<>(List.of("--agents", "4", "--duration", "4", "--rate", "100",
                "--chaos", "--clean", "--json", json.toString(), "--space", dir.toString()));
        if (root != null) {
            args.add("--polyglot");
            args.add(root.toString());
        }
        try (ChildJvm demo = ChildJvm.start("fleet-demo", FleetDemo.class, args.toArray(new String[0]))) {
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
            // the victim died holding something (the drone's mutex, an unacknowledged alert), so the recovery is real
            assertTrue(summary.contains("\"killedHeldDrone\":true") || number(summary, "killedUnacknowledged") > 0, summary);
            if (root != null) {
                // the Python and Node responders ran through the gateway to the end and reported their acks
                assertTrue(number(summary, "python-1") >= 0, summary);
                assertTrue(number(summary, "node-1") >= 0, summary);
            }
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
        assertTrue(left.isEmpty(), () -> "agent processes still running: " + left);
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
