package io.slate.demo;

import io.slate.testing.ChildJvm;
import io.slate.testing.ExternalPrograms;
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
 * Runs the fleet demo in a child JVM (which starts its own agent JVMs, and with {@code --polyglot} the gateway and a
 * Python and a Node responder) with four agents and {@code --chaos}, and checks the invariants of its JSON summary: every
 * alert produced was consumed exactly once although a responder was SIGKILLed mid-run while it held something, the
 * kill was recovered from, the space was removed and no process was left running. Two cases force a Python and a Node
 * victim: it held one unacknowledged alert when killed, and another responder acknowledged that alert once.
 */
class FleetDemoTest {
    private Path dir;

    @AfterEach
    void cleanUp() {
        TestSpaces.delete(dir);
    }

    /** The project's directory (holding clients/). */
    private static Path projectRoot() {
        Path root = Paths.get("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("clients"))) {
            root = root.getParent();
        }
        return root;
    }

    /** What the Python and Node agents need and is missing here, or null when they can run. */
    private static String polyglotMissing() {
        final Path root = projectRoot();
        if (root == null) {
            return "the project's clients/ directory";
        }
        boolean python;
        try {
            final Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import redis").redirectErrorStream(true).start();
            python = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        } catch (Exception e) {
            python = false;
        }
        if (!python) {
            return "/usr/bin/python3 with python3-redis (apt-get install python3-redis)";
        }
        if (ExternalPrograms.onPath("node") == null) {
            return "node";
        }
        if (!Files.isDirectory(root.resolve("clients/node/node_modules/redis"))) {
            return "clients/node/node_modules/redis ('npm ci' in clients/node)";
        }
        return null;
    }

    /**
     * The project's directory when the Python and Node agents can run (python3-redis, node, clients/node/node_modules),
     * else null; under CI=true they must be there.
     */
    private static Path polyglotRoot() {
        final String missing = polyglotMissing();
        if (missing != null && ExternalPrograms.ci()) {
            throw new AssertionError("CI=true: the fleet demo's Python and Node agents need " + missing + " (.ci/run installs it)");
        }
        return missing == null ? projectRoot() : null;
    }

    /**
     * Without --chaos-victim the demo picks its victim's kind at random (with --polyglot among the JVM, Python and Node
     * responders): whichever it is, it dies holding something and nothing is lost.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void chaosRunKeepsEveryAlertExactlyOnceAndCleansUp() throws Exception {
        final Path root = polyglotRoot();
        final String summary = runChaos(root, null);
        final String kind = string(summary, "killedKind");
        if (root == null) {
            assertEquals("jvm", kind, summary);
        }
        if (kind.equals("jvm")) {
            assertTrue(summary.contains("\"killed\":[\"responder-"), summary);
            // the victim died holding something (the drone's mutex, an unacknowledged alert), so the recovery is real
            assertTrue(summary.contains("\"killedHeldDrone\":true") || number(summary, "killedUnacknowledged") > 0, summary);
        } else {
            assertForeignVictim(summary, kind);
        }
        if (root != null) {
            // the Python and Node responders ran through the gateway (to the end, but for a victim) and reported their acks
            assertTrue(kind.equals("python") || number(summary, "python-1") >= 0, summary);
            assertTrue(kind.equals("node") || number(summary, "node-1") >= 0, summary);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void chaosKillsThePythonAgentWhileItHoldsAnUnacknowledgedAlert() throws Exception {
        final String missing = polyglotMissing();
        ExternalPrograms.require(missing == null, missing);
        final String summary = runChaos(projectRoot(), "python");
        assertForeignVictim(summary, "python");
        assertTrue(number(summary, "node-1") >= 0, summary);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void chaosKillsTheNodeAgentWhileItHoldsAnUnacknowledgedAlert() throws Exception {
        final String missing = polyglotMissing();
        ExternalPrograms.require(missing == null, missing);
        final String summary = runChaos(projectRoot(), "node");
        assertForeignVictim(summary, "node");
        assertTrue(number(summary, "python-1") >= 0, summary);
    }

    /**
     * A Python or Node victim was killed holding exactly one alert it had taken and not acknowledged (the journal showed
     * it taken through the gateway and unacknowledged while the agent was frozen), that alert came back and was
     * acknowledged once, by another responder, after the kill.
     */
    private static void assertForeignVictim(final String summary, final String kind) {
        assertEquals(kind, string(summary, "killedKind"), summary);
        assertTrue(summary.contains("\"killed\":[\"" + kind + "-1\"]"), summary);
        assertEquals(1, number(summary, "killedUnacknowledged"), summary);
        final Matcher m = Pattern.compile("\"killedAlerts\":\\[\\{\"id\":(\\d+),\"acks\":(\\d+),\"ackedAfterReturnBy\":\"([^\"]+)\"\\}\\]")
                .matcher(summary);
        assertTrue(m.find(), () -> "no acknowledged alert of the victim in " + summary);
        assertEquals("1", m.group(2), summary);
        final String by = m.group(3);
        assertFalse(by.equals(kind + "-1"), summary);
        assertTrue(by.startsWith("responder-") || by.equals(kind.equals("python") ? "node-1" : "python-1"), summary);
    }

    /**
     * Runs the demo with four agent JVMs and --chaos (with --polyglot when root is given, the victim's kind forced when
     * given), checks what holds for every run (exactly once, a recovery, the space removed, no process left) and returns
     * its JSON summary.
     */
    private String runChaos(final Path root, final String victim) throws Exception {
        dir = TestSpaces.newDirectory("fleet");
        final Path json = Files.createTempFile("fleet-summary", ".json");
        final List<String> args = new java.util.ArrayList<>(List.of("--agents", "4", "--duration", "4", "--rate", "100",
                "--chaos", "--clean", "--json", json.toString(), "--space", dir.toString()));
        if (root != null) {
            args.add("--polyglot");
            args.add(root.toString());
        }
        if (victim != null) {
            args.add("--chaos-victim");
            args.add(victim);
        }
        final String summary;
        try (ChildJvm demo = ChildJvm.start("fleet-demo", FleetDemo.class, args.toArray(new String[0]))) {
            final int code = demo.awaitExit(120, TimeUnit.SECONDS);
            final String output = String.join("\n", demo.output());
            assertEquals(0, code, () -> "demo failed:\n" + output + "\n" + demo.stderr());
            summary = Files.readString(json, StandardCharsets.UTF_8);
            final long produced = number(summary, "produced");
            assertTrue(produced > 0, summary);
            assertEquals(produced, number(summary, "consumed"), summary);
            assertEquals(0, number(summary, "duplicates"), summary);
            assertEquals(0, number(summary, "lost"), summary);
            assertEquals(4, number(summary, "agents"), summary);
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
        assertTrue(left.isEmpty(), () -> "agent processes still running: " + left);
        return summary;
    }

    private static String string(final String json, final String name) {
        final Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), () -> "no string field " + name + " in " + json);
        return m.group(1);
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
