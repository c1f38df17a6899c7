package io.slate.bench.ipc;

import io.slate.testing.ExternalPrograms;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the harness's etcd cases in {@code --smoke} mode as {@code scripts/bench-ipc.sh --smoke --only etcd-...} would:
 * the harness starts its own 3-member loopback etcd cluster, the Slate cases run between two real child JVMs on spaces
 * opened by {@code etcd://} address, the raw jetcd floor runs in the harness and between two child JVMs (alone, with a
 * take per message, with a queue commit per message), then 1 and 2 writer JVMs put to an etcd
 * space (puts, journal appends, tuple out + inp pairs) next to raw Txns at the same concurrency. Every case must produce samples, the report its etcd section, and
 * nothing may be left running or in {@code /dev/shm}. Skipped when etcd is not installed (failed under CI=true). No
 * timing is asserted.
 */
class IpcBenchEtcdSmokeTest {
    @TempDir
    Path out;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @SuppressWarnings("unchecked")
    void theEtcdCasesRunAgainstRawJetcd() throws IOException {
        ExternalPrograms.require(EtcdServers.find() != null, "etcd (apt-get install etcd-server)");
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream log = new PrintStream(captured, true, StandardCharsets.UTF_8);
        final int status = IpcBench.run(new String[] {"--smoke", "--out", out.toString(), "--only", String.join(",", Cases.ETCD)}, log);
        final String console = captured.toString(StandardCharsets.UTF_8);
        System.out.print(console);
        assertEquals(0, status, "the etcd smoke run failed:\n" + console);
        assertTrue(console.contains("3 members on 127.0.0.1:"), console);

        final Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(out.resolve("results.json")));
        final List<Map<String, Object>> cases = (List<Map<String, Object>>) json.get("cases");
        assertTrue(((List<Object>) json.get("failures")).isEmpty(), "failures: " + json.get("failures"));
        assertTrue(((List<Object>) json.get("skipped")).isEmpty(), "skipped: " + json.get("skipped"));
        for (final String name : Cases.ETCD) {
            final String[] modes = "etcd-raw".equals(name) ? new String[] {"rtt"} : new String[] {"rtt", "oneway"};
            for (final String mode : modes) {
                final Map<String, Object> c = find(cases, name, mode, -1);
                assertTrue((Double) c.get("samples") > 0, name + " " + mode + " has no samples");
                final double p50 = (Double) c.get("p50Nanos");
                assertTrue(p50 > 0 && p50 <= (Double) c.get("p99Nanos") && (Double) c.get("p99Nanos") <= (Double) c.get("maxNanos"),
                        name + " " + mode + ": percentiles out of order: " + c);
                final Histogram h = Peer.decode((String) c.get("histogram"));
                assertEquals(((Double) c.get("samples")).longValue(), h.getTotalCount(), name + " " + mode + ": histogram and samples disagree");
            }
        }
        for (final String name : new String[] {"etcd-kv", "etcd-journal", "etcd-tuple", "etcd-raw", Cases.ETCD_RAW_TXN}) {
            for (final int writers : new int[] {1, 2}) {
                final Map<String, Object> c = find(cases, name, "throughput", writers);
                assertTrue((Double) c.get("samples") > 0 && (Double) c.get("opsPerSec") > 0, "no operations: " + c);
                assertNull(c.get("p50Nanos"), "a throughput result has no percentiles: " + c);
            }
        }
        final String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("## Slate on etcd against raw jetcd"), md);
        for (final String name : Cases.ETCD) {
            assertTrue(md.contains("| " + name + " | "), name + " missing from the etcd table of results.md");
        }
        assertTrue(md.contains("| writers | raw Txn/s, harness threads | raw Txn/s, writer JVMs | etcd-kv ops/s | etcd-kv ÷ raw (threads)"
                + " | etcd-kv ÷ raw (JVMs) | etcd-journal ops/s | etcd-journal ÷ raw (threads) | etcd-journal ÷ raw (JVMs) | etcd-tuple ops/s"
                + " | etcd-tuple ÷ raw (threads) | etcd-tuple ÷ raw (JVMs) |"), md);

        try (Stream<Path> shm = Files.list(Paths.get("/dev/shm"))) {
            final String mine = "slate-bench-" + ProcessHandle.current().pid() + "-";
            assertFalse(shm.anyMatch(p -> p.getFileName().toString().startsWith(mine)), "the run left its directory in /dev/shm");
        }
        for (final ProcessHandle child : ProcessHandle.current().children().toArray(ProcessHandle[]::new)) {
            assertFalse(child.isAlive() && child.info().command().orElse("").endsWith("etcd"), "an etcd member is still running: " + child.pid());
        }
    }

    private static Map<String, Object> find(final List<Map<String, Object>> cases, final String name, final String mode, final int writers) {
        for (final Map<String, Object> c : cases) {
            if (name.equals(c.get("name")) && mode.equals(c.get("mode"))
                    && (writers < 0 || ((Double) c.get("writers")).intValue() == writers)) {
                return c;
            }
        }
        return fail("no result for " + name + " " + mode + (writers < 0 ? "" : ", " + writers + " writers"));
    }
}
