package io.slate.bench.ipc;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the whole cross-process harness in {@code --smoke} mode (a few hundred messages per case, real child JVMs, the
 * real transports) so that no case can rot: every latency case must produce round-trip and one-way samples, every
 * throughput kind operations, and the run must write results.json (parsed here), results.md and both PNGs, and leave
 * nothing in {@code /dev/shm}. Redis is required when {@code redis-server} is on the PATH, and must be reported as
 * skipped otherwise. No timing is asserted.
 */
class IpcBenchSmokeTest {
    @TempDir
    Path out;

    @Test
    @SuppressWarnings("unchecked")
    void everyCaseRunsAndTheReportIsWritten() throws IOException {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream log = new PrintStream(new Tee(System.out, captured), true, StandardCharsets.UTF_8);
        final StringBuilder only = new StringBuilder(); // every case but etcd's (IpcBenchEtcdSmokeTest runs those)
        for (final String name : Cases.LATENCY) {
            if (!Cases.isEtcd(name)) {
                only.append(only.length() == 0 ? "" : ",").append(name);
            }
        }
        final int status = IpcBench.run(new String[] {"--smoke", "--out", out.toString(), "--only", only.toString()}, log);
        final String console = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, "the smoke run failed:\n" + console);

        final Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(out.resolve("results.json")));
        final Map<String, Object> machine = (Map<String, Object>) json.get("machine");
        assertTrue(((Double) machine.get("cpus")) >= 1);
        assertTrue(((String) machine.get("uptimeBefore")).contains("load average"), "uptime before: " + machine.get("uptimeBefore"));
        assertNotNull(((Map<String, Object>) json.get("jvm")).get("version"));
        final List<Map<String, Object>> cases = (List<Map<String, Object>>) json.get("cases");
        final List<Object> failures = (List<Object>) json.get("failures");
        assertTrue(failures.isEmpty(), "failures: " + failures);

        final boolean redis = RedisServer.find() != null;
        for (final String name : Cases.LATENCY) {
            if (name.equals("redis") && !redis || Cases.isEtcd(name)) {
                continue;
            }
            for (final String mode : new String[] {"rtt", "oneway"}) {
                final Map<String, Object> c = find(cases, name, mode, -1, -1);
                assertTrue((Double) c.get("samples") > 0, name + " " + mode + " has no samples");
                assertTrue((Double) c.get("opsPerSec") > 0, name + " " + mode + " has no rate");
                final double p50 = (Double) c.get("p50Nanos");
                final double p999 = (Double) c.get("p999Nanos");
                final double max = (Double) c.get("maxNanos");
                assertTrue(p50 > 0 && p50 <= (Double) c.get("p90Nanos") && (Double) c.get("p99Nanos") <= p999 && p999 <= max,
                        name + " " + mode + ": percentiles out of order: " + c);
                final Histogram h = Peer.decode((String) c.get("histogram"));
                assertEquals(((Double) c.get("samples")).longValue(), h.getTotalCount(), name + " " + mode + ": histogram and samples disagree");
                assertTrue(Files.size(out.resolve("hgrm").resolve(name + "-" + mode + ".hgrm")) > 0);
            }
        }
        final List<Map<String, Object>> skipped = (List<Map<String, Object>>) json.get("skipped");
        if (redis) {
            assertTrue(skipped.isEmpty(), "skipped: " + skipped);
        } else {
            assertEquals("redis", skipped.get(0).get("name"));
            assertTrue(console.contains("skipped the Redis case"), console);
        }
        for (final Cases.Kind k : Cases.THROUGHPUT) {
            if (Cases.isEtcd(k.name)) {
                continue;
            }
            for (final int writers : new int[] {1, 2}) {
                final Map<String, Object> c = find(cases, k.name, "throughput", k.payloadBytes, writers);
                assertTrue((Double) c.get("samples") > 0 && (Double) c.get("opsPerSec") > 0, "no operations: " + c);
                assertNull(c.get("p50Nanos"), "a throughput result has no percentiles: " + c);
            }
        }

        final String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("## Slate against the others"), md);
        assertTrue(md.contains("## Targets (issue #5)") && md.contains("journal handoff round trip p50"), md);
        for (final String name : Cases.LATENCY) {
            if ((redis || !name.equals("redis")) && !Cases.isEtcd(name)) {
                assertTrue(md.contains("| " + name + " ") || md.contains("| **" + name + "** "), name + " missing from results.md");
            }
        }
        assertTrue(md.contains("| slate-journal | rtt |"), "no ratio row for the journal");
        for (final String png : new String[] {"latency.png", "throughput.png"}) {
            final BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png + " is not a readable PNG");
            assertTrue(img.getWidth() >= 800 && img.getHeight() >= 400, png + " is " + img.getWidth() + "x" + img.getHeight());
        }
        try (Stream<Path> shm = Files.list(Paths.get("/dev/shm"))) {
            final String mine = "slate-bench-" + ProcessHandle.current().pid() + "-";
            assertFalse(shm.anyMatch(p -> p.getFileName().toString().startsWith(mine)), "the run left its directory in /dev/shm");
        }
    }

    /**
     * {@code --compare DIR}: a second run puts the first run's figures beside its own, and each Slate case's progress
     * line gives its p50s as multiples of the baselines, which run first. A directory without results is refused
     * before anything runs, naming it.
     */
    @Test
    void aRunIsComparedWithAPreviousOneAndCasesAreRatedAgainstTheBaselines(@TempDir final Path second) throws IOException {
        final String[] only = {"--only", "slate-journal,chronicle-queue,agrona-ring"};
        assertEquals(0, IpcBench.run(concat(new String[] {"--smoke", "--out", out.toString()}, only), new PrintStream(OutputStream.nullOutputStream())));
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream log = new PrintStream(new Tee(System.out, captured), true, StandardCharsets.UTF_8);
        final int status = IpcBench.run(concat(new String[] {"--smoke", "--out", second.toString(), "--compare", out.toString()}, only), log);
        final String console = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, console);
        final String[] lines = console.split("\n");
        String journal = null;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("[1/3]")) {
                assertTrue(lines[i].contains("chronicle-queue") || lines[i].contains("agrona-ring"), "a baseline runs first: " + lines[i]);
            }
            if (lines[i].matches("\\[\\d/3\\] slate-journal .*")) {
                journal = lines[i];
                assertTrue(lines[i].matches(".*p50 ÷ queue rtt \\d+\\.\\d\\d one-way \\d+\\.\\d\\d, ÷ agrona rtt \\d+\\.\\d\\d one-way \\d+\\.\\d\\d \\|.*"),
                        "the journal's ratios to both baselines: " + lines[i]);
            }
        }
        assertTrue(journal != null && journal.startsWith("[3/3]"), "slate-journal runs after both baselines:\n" + console);
        final String md = Files.readString(second.resolve("results.md"));
        assertTrue(md.contains("## Compared with " + out.toAbsolutePath().normalize()), md);
        assertTrue(md.matches("(?s).*\\| slate-journal \\| rtt \\| [0-9.,]+ µs \\| [0-9.,]+ µs \\| \\d+\\.\\d\\d \\|.*"), "a journal rtt row then / now / ratio:\n" + md);
        assertTrue(md.matches("(?s).*\\| slate-journal \\| 16 B \\| 1 \\| [0-9,]+ \\| [0-9,]+ \\| \\d+\\.\\d\\d \\|.*"), "a journal throughput row:\n" + md);
        assertTrue(console.contains("## Compared with"), "the comparison is printed too");

        final ByteArrayOutputStream refused = new ByteArrayOutputStream();
        final Path nowhere = second.resolve("no-such-run");
        assertEquals(2, IpcBench.run(new String[] {"--smoke", "--compare", nowhere.toString()}, new PrintStream(refused, true, StandardCharsets.UTF_8)));
        assertTrue(refused.toString(StandardCharsets.UTF_8).contains("--compare " + nowhere + ": no results.json there"), refused.toString(StandardCharsets.UTF_8));
        Files.createDirectories(nowhere);
        Files.writeString(nowhere.resolve("results.json"), "{\"cases\": [");
        refused.reset();
        assertEquals(2, IpcBench.run(new String[] {"--smoke", "--compare", nowhere.toString()}, new PrintStream(refused, true, StandardCharsets.UTF_8)));
        assertTrue(refused.toString(StandardCharsets.UTF_8).contains("is not JSON: unexpected end"), refused.toString(StandardCharsets.UTF_8));
    }

    private static String[] concat(final String[] a, final String[] b) {
        final String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static Map<String, Object> find(final List<Map<String, Object>> cases, final String name, final String mode,
                                            final int payload, final int writers) {
        for (final Map<String, Object> c : cases) {
            if (name.equals(c.get("name")) && mode.equals(c.get("mode"))
                    && (payload < 0 || ((Double) c.get("payloadBytes")).intValue() == payload)
                    && (writers < 0 || ((Double) c.get("writers")).intValue() == writers)) {
                return c;
            }
        }
        return fail("no result for " + name + " " + mode + (payload < 0 ? "" : " " + payload + " B, " + writers + " writers"));
    }

    /** Writes to two streams: the console (progress lines while it runs) and a buffer the test reads. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(final OutputStream a, final OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(final int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(final byte[] buf, final int off, final int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
