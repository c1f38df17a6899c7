package io.slate.demo;

import io.slate.etcd.testing.EtcdCluster;
import io.slate.testing.ExternalPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/demo.sh --backend etcd} as a user runs it: the script starts a 3-member etcd cluster on loopback
 * (scripts/etcd-cluster.sh, free ports, a fresh directory under TMPDIR), runs the fleet demo's agent JVMs over its
 * {@code etcd://} space, and stops the cluster and removes its directory. Checked from the demo's JSON summary: every
 * alert produced was acknowledged exactly once by the journal's rules, with and without {@code --chaos} (which SIGKILLs
 * a responder JVM holding the drone and an unacknowledged alert, and the etcd leader); and afterwards no member or agent
 * runs and nothing is left in the test's TMPDIR. The demo runs on the test's class path (SLATE_CLASSPATH), not the jar.
 * Skipped when etcd or etcdctl is missing, failed under CI=true.
 */
class FleetDemoEtcdTest {
    private static final Path DEMO = Paths.get("..", "scripts", "demo.sh").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void etcdFleetKeepsEveryAlertExactlyOnceAndRemovesTheCluster() throws Exception {
        final String summary = runDemo("--agents", "3", "--duration", "4", "--rate", "10");
        assertTrue(summary.contains("\"killed\":[]"), summary);
        assertTrue(summary.contains("\"etcdKilled\":null"), summary);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void etcdChaosKillsAResponderAndTheLeaderAndLosesNothing() throws Exception {
        final String summary = runDemo("--agents", "4", "--duration", "6", "--rate", "10", "--chaos");
        assertTrue(summary.contains("\"killed\":[\"responder-"), summary);
        // the victim died holding the drone or an unacknowledged alert, and both came back to the survivors
        assertTrue(summary.contains("\"killedHeldDrone\":true") || number(summary, "killedUnacknowledged") > 0, summary);
        assertTrue(Double.parseDouble(field(summary, "recoveryMillis")) >= 0, summary);
        final Matcher member = Pattern.compile("\"etcdKilled\":\"(m[123])\"").matcher(summary);
        assertTrue(member.find(), () -> "no etcd member killed: " + summary);
        assertTrue(summary.contains("\"etcdKilledWasLeader\":true"), summary);
        assertEquals(2, number(summary, "etcdMembersLeft"), summary);
        assertTrue(Double.parseDouble(field(summary, "etcdStallMillis")) >= 0, summary);
    }

    /** Runs demo.sh --backend etcd with these options, checks what holds for every run, and returns its JSON summary. */
    private static String runDemo(final String... options) throws Exception {
        EtcdCluster.requireEtcd();
        ExternalPrograms.require(ExternalPrograms.onPath("etcdctl") != null, "etcdctl (apt-get install etcd-client)");
        final Path tmp = Files.createTempDirectory("slate-demo-etcd-test-");
        final Path json = tmp.resolve("summary.json");
        final Path log = Files.createTempFile("slate-demo-etcd-test-", ".log");
        final String space = "fleet-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final List<String> cmd = new ArrayList<>(List.of("bash", DEMO.toString(), "--backend", "etcd", "--space", space, "--json", json.toString()));
        cmd.addAll(List.of(options));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("SLATE_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // a dead agent's mutex and takes come back within its lease's TTL: shorter than the default 5 s for a short run
        pb.environment().put("SLATE_JAVA_OPTS", "-Dslate.etcd.leaseTtlSeconds=3");
        final Process demo = pb.start();
        try {
            final boolean exited = demo.waitFor(120, TimeUnit.SECONDS);
            final String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(exited, () -> "demo.sh did not finish within 120 s:\n" + output);
            assertEquals(0, demo.exitValue(), () -> "demo failed:\n" + output);
            assertTrue(output.contains("etcd: 3 members on 127.0.0.1:"), output);
            assertTrue(output.contains("Summary"), output);
            assertTrue(output.contains("removed (--clean)"), output);
            final String summary = Files.readString(json, StandardCharsets.UTF_8);
            final long produced = number(summary, "produced");
            assertTrue(produced > 0, summary);
            assertEquals(produced, number(summary, "consumed"), summary);
            assertEquals(0, number(summary, "duplicates"), summary);
            assertEquals(0, number(summary, "lost"), summary);
            assertTrue(number(summary, "journalRecords") > produced, summary);
            // the cluster was stopped and its directory removed: only what the test put in TMPDIR is left
            try (Stream<Path> left = Files.list(tmp)) {
                final List<String> names = left.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
                assertEquals(List.of("summary.json"), names, output);
            }
            final List<String> running = processesNaming(tmp.toString());
            running.addAll(processesNaming("/" + space)); // the agent JVMs, given the space's address
            assertTrue(running.isEmpty(), () -> "still running after the demo: " + running);
            return summary;
        } finally {
            // on failure or timeout: the script, its JVMs and its etcd members (setsid, so found by their data dir)
            final List<ProcessHandle> tree = demo.descendants().collect(Collectors.toList());
            demo.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(tmp.toString()) || c.contains("/" + space))
                    .orElse(false)).forEach(ProcessHandle::destroyForcibly);
            demo.waitFor(10, TimeUnit.SECONDS);
            deleteTree(tmp);
            Files.deleteIfExists(log);
        }
    }

    private static List<String> processesNaming(final String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .collect(Collectors.toList());
    }

    private static void deleteTree(final Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
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
