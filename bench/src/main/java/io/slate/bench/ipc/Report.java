package io.slate.bench.ipc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Writes a run's {@code results.json}, {@code results.md} and one {@code .hgrm} percentile file per latency result. */
final class Report {
    static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private Report() {
    }

    /** Everything a report needs to know about the run besides its results. */
    static final class RunInfo {
        String mode;
        String started;
        double seconds;
        int payloadBytes;
        int rate;
        int rttWarmup;
        int rtt;
        int onewayWarmup;
        int oneway;
        long throughputWarmupMillis;
        long throughputMillis;
        long settleMillis;
        /** Whether the latency pairs' JVMs could take the space's housekeeping duty (--housekeeping). */
        boolean housekeeping;
        String uptimeBefore;
        String uptimeAfter;
        String redis;
        String etcd = "not selected";
        List<String> childJvmArguments = new ArrayList<>();
        Map<String, String> skipped = new java.util.LinkedHashMap<>();
        Map<String, String> failures = new java.util.LinkedHashMap<>();
    }

    static void write(final Path out, final RunInfo info, final List<CaseResult> results) throws IOException {
        Files.createDirectories(out.resolve("hgrm"));
        for (final CaseResult r : results) {
            if (r.histogram != null) {
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                    r.histogram.outputPercentileDistribution(ps, 5, 1.0);
                }
                Files.write(out.resolve("hgrm").resolve(r.name + "-" + r.mode + ".hgrm"), bytes.toByteArray());
            }
        }
        Files.writeString(out.resolve("results.json"), json(info, results), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.md"), markdown(info, results), StandardCharsets.UTF_8);
    }

    static String json(final RunInfo info, final List<CaseResult> results) {
        final Json j = new Json().beginObject();
        j.name("machine").beginObject()
                .name("cpus").value(Runtime.getRuntime().availableProcessors())
                .name("cpuModel").value(Machine.cpuModel())
                .name("memoryGiB").value(Machine.memoryGiB())
                .name("os").value(System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"))
                .name("uptimeBefore").value(info.uptimeBefore)
                .name("uptimeAfter").value(info.uptimeAfter)
                .name("load1Before").value(Machine.load1(info.uptimeBefore))
                .name("load1After").value(Machine.load1(info.uptimeAfter))
                .endObject();
        j.name("jvm").beginObject()
                .name("name").value(System.getProperty("java.vm.name"))
                .name("vendor").value(System.getProperty("java.vm.vendor"))
                .name("version").value(System.getProperty("java.runtime.version"))
                .name("childArguments").beginArray();
        for (final String a : info.childJvmArguments) {
            j.value(a);
        }
        j.endArray().endObject();
        j.name("run").beginObject()
                .name("mode").value(info.mode)
                .name("started").value(info.started)
                .name("seconds").value(info.seconds)
                .name("payloadBytes").value(info.payloadBytes)
                .name("onewayRatePerSec").value(info.rate)
                .name("rttWarmup").value(info.rttWarmup)
                .name("rtt").value(info.rtt)
                .name("onewayWarmup").value(info.onewayWarmup)
                .name("oneway").value(info.oneway)
                .name("throughputWarmupMillis").value(info.throughputWarmupMillis)
                .name("throughputMillis").value(info.throughputMillis)
                .name("settleMillis").value(info.settleMillis)
                .name("pairsHousekeeping").value(info.housekeeping ? "on" : "off")
                .name("redis").value(info.redis)
                .name("etcd").value(info.etcd)
                .endObject();
        j.name("cases").beginArray();
        for (final CaseResult r : results) {
            j.beginObject().name("name").value(r.name).name("mode").value(r.mode);
            if (r.histogram == null) {
                j.name("p50Nanos").nullValue().name("p90Nanos").nullValue().name("p99Nanos").nullValue()
                        .name("p999Nanos").nullValue().name("maxNanos").nullValue();
            } else {
                j.name("p50Nanos").value(r.percentile(50)).name("p90Nanos").value(r.percentile(90))
                        .name("p99Nanos").value(r.percentile(99)).name("p999Nanos").value(r.percentile(99.9))
                        .name("maxNanos").value(r.max());
            }
            j.name("samples").value(r.samples).name("opsPerSec").value(r.opsPerSec)
                    .name("payloadBytes").value(r.payloadBytes);
            if (r.writers > 0) {
                j.name("writers").value(r.writers);
            }
            j.name("allocatedBytesPerOp").value(r.allocatedBytesPerOp).name("pinning").value(r.pinning).name("carries").value(r.note);
            if (r.histogram != null) {
                j.name("histogram").value(Peer.encode(r.histogram));
            }
            j.endObject();
        }
        j.endArray();
        j.name("skipped").beginArray();
        for (final Map.Entry<String, String> e : info.skipped.entrySet()) {
            j.beginObject().name("name").value(e.getKey()).name("reason").value(e.getValue()).endObject();
        }
        j.endArray();
        j.name("failures").beginArray();
        for (final Map.Entry<String, String> e : info.failures.entrySet()) {
            j.beginObject().name("name").value(e.getKey()).name("error").value(e.getValue()).endObject();
        }
        j.endArray();
        return j.endObject().toString();
    }

    private static CaseResult find(final List<CaseResult> results, final String name, final String mode) {
        for (final CaseResult r : results) {
            if (r.name.equals(name) && r.mode.equals(mode) && r.samples > 0) {
                return r;
            }
        }
        return null;
    }

    static String markdown(final RunInfo info, final List<CaseResult> results) {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Slate cross-process benchmark\n\n");
        sb.append(String.format(Locale.ROOT, "- run: %s, started %s, %.0f s; payload %d B per message%n", info.mode, info.started, info.seconds, info.payloadBytes));
        sb.append(info.housekeeping
                ? "- the Slate latency pairs' JVMs could take the space's housekeeping duty (--housekeeping): its thread takes a CPU from a spinning one now and then\n"
                : "- the Slate latency pairs' JVMs leave the space's housekeeping duty (snapshots, retention) to others, as agents spinning on pinned CPUs should; --housekeeping keeps it in them\n");
        sb.append(String.format(Locale.ROOT, "- machine: %d CPUs (%s), %.1f GiB, %s %s%n", Runtime.getRuntime().availableProcessors(),
                Machine.cpuModel(), Machine.memoryGiB(), System.getProperty("os.name"), System.getProperty("os.version")));
        sb.append(String.format(Locale.ROOT, "- JVM: %s %s (%s)%n", System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor")));
        sb.append("- load before: `").append(info.uptimeBefore).append("`\n");
        sb.append("- load after: `").append(info.uptimeAfter).append("`\n");
        sb.append("- redis: ").append(info.redis).append('\n');
        sb.append("- etcd: ").append(info.etcd).append('\n');
        for (final Map.Entry<String, String> e : info.skipped.entrySet()) {
            sb.append("- skipped ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        for (final Map.Entry<String, String> e : info.failures.entrySet()) {
            sb.append("- FAILED ").append(e.getKey()).append(": ").append(e.getValue().replace('\n', ' ')).append('\n');
        }
        sb.append('\n');
        sb.append("Each latency case is two JVMs, each pinned to its own CPU with OpenHFT Affinity where possible (see the pinning\n"
                + "column) and busy-spinning; the peers carry the same payload bytes as the Slate cases.\n\n");
        latencyTable(sb, results, "rtt", String.format(Locale.ROOT,
                "## Round trip (A sends, B answers), %,d after %,d of warm-up", info.rtt, info.rttWarmup));
        latencyTable(sb, results, "oneway", String.format(Locale.ROOT,
                "## One way at a fixed %,d messages/s (arrival minus the *intended* send time), %,d after %,d of warm-up",
                info.rate, info.oneway, info.onewayWarmup));
        sb.append("A late send or a stalled receiver counts against the case (coordinated omission corrected on purpose). "
                + "The key/value case keeps only the latest value: a receiver that looks after two puts sees one, so it may record fewer samples.\n\n");

        sb.append("## Slate against the others (p50)\n\n");
        sb.append("Slate ÷ peer: below 1 Slate is faster. For Redis the last column is how many times faster Slate is. "
                + "One-way ratios mean little on a loaded machine: there the one-way numbers are mostly the scheduler.\n\n");
        sb.append("| Slate case | mode | p50 | ÷ chronicle-queue | ÷ agrona-ring | ÷ aeron-ipc | Redis ÷ Slate |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (final String name : Cases.LATENCY) {
            if (!name.startsWith("slate-")) {
                continue;
            }
            for (final String mode : new String[] {"rtt", "oneway"}) {
                final CaseResult s = find(results, name, mode);
                if (s == null) {
                    continue;
                }
                sb.append("| ").append(name).append(" | ").append(mode).append(" | ").append(micros(s.percentile(50)))
                        .append(" | ").append(ratio(s, find(results, "chronicle-queue", mode), false))
                        .append(" | ").append(ratio(s, find(results, "agrona-ring", mode), false))
                        .append(" | ").append(ratio(s, find(results, "aeron-ipc", mode), false))
                        .append(" | ").append(ratio(s, find(results, "redis", mode), true)).append(" |\n");
            }
        }
        sb.append('\n');

        targets(sb, results);
        etcd(sb, results);

        final TreeSet<Integer> writers = new TreeSet<>();
        for (final CaseResult r : results) {
            if ("throughput".equals(r.mode)) {
                writers.add(r.writers);
            }
        }
        if (!writers.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## Throughput (operations per second, all writer JVMs together; %d ms after %d ms of warm-up)%n%n",
                    info.throughputMillis, info.throughputWarmupMillis));
            sb.append("| kind | operation | payload |");
            for (final int w : writers) {
                sb.append(' ').append(w).append(w == 1 ? " writer |" : " writers |");
            }
            sb.append(" alloc B/op (1 writer) |\n|---|---|---:|");
            for (int i = 0; i < writers.size(); i++) {
                sb.append("---:|");
            }
            sb.append("---:|\n");
            for (final Cases.Kind k : Cases.THROUGHPUT) {
                final StringBuilder row = new StringBuilder();
                row.append("| ").append(k.name).append(" | ").append(k.operation()).append(" | ").append(k.payloadBytes).append(" B |");
                boolean any = false;
                String alloc = "n/a";
                for (final int w : writers) {
                    CaseResult found = null;
                    for (final CaseResult r : results) {
                        if ("throughput".equals(r.mode) && r.name.equals(k.name) && r.payloadBytes == k.payloadBytes && r.writers == w) {
                            found = r;
                        }
                    }
                    if (found == null) {
                        row.append(" - |");
                    } else {
                        any = true;
                        row.append(' ').append(millions(found.opsPerSec)).append(" |");
                        if (w == 1) {
                            alloc = bytes(found.allocatedBytesPerOp);
                        }
                    }
                }
                row.append(' ').append(alloc).append(" |\n");
                if (any) {
                    sb.append(row);
                }
            }
            final int cpus = Runtime.getRuntime().availableProcessors();
            sb.append('\n').append(String.format(Locale.ROOT,
                    "Every writer JVM of a kind writes to the same journal (or queue, or space). This machine has %d CPUs: "
                            + "writer JVMs are pinned one per CPU while there are at most %d; beyond that they are unpinned and "
                            + "oversubscribe the cores (each spins), so more writers share the same CPU time and contend for the "
                            + "journal's tail: the numbers then show contention, not scaling.%n%n", cpus, cpus));
        }

        sb.append("## What each case carries\n\n");
        for (final String name : Cases.LATENCY) {
            final CaseResult r = find(results, name, "rtt");
            if (r != null) {
                sb.append("- `").append(name).append("`: ").append(r.note).append("; pinning ").append(r.pinning).append('\n');
            }
        }
        sb.append("\nThe Redis case uses these commands: ").append(PeerEndpoints.RedisEndpoint.COMMANDS)
                .append(" (one client connection per JVM; blocking reads, not spinning).\n");
        sb.append("\nAllocation: bytes allocated per operation by the measuring thread (HotSpot's per-thread counter) while "
                + "recording; for round trips on side A, for one-way messages on the receiving side.\n");
        sb.append("\nFiles: `latency.png`, `throughput.png`, `hgrm/*.hgrm` (HdrHistogram percentile distributions); "
                + "`results.json` also holds every histogram, compressed and base64-encoded.\n");
        return sb.toString();
    }

    /** The targets of issue #5, checked against this run's numbers (reported, never asserted). */
    private static void targets(final StringBuilder sb, final List<CaseResult> results) {
        sb.append("## Targets (issue #5), against this run\n\n");
        sb.append("| target | measured | met |\n|---|---|---|\n");
        final CaseResult journal = find(results, "slate-journal", "rtt");
        final CaseResult queue = find(results, "chronicle-queue", "rtt");
        final CaseResult ring = find(results, "agrona-ring", "rtt");
        final CaseResult redis = find(results, "redis", "rtt");
        if (journal != null && queue != null) {
            final double r = (double) journal.percentile(50) / queue.percentile(50);
            target(sb, "journal handoff round trip p50 ≤ 1.0× raw Chronicle Queue", String.format(Locale.ROOT, "%.2f× (%s vs %s)", r,
                    micros(journal.percentile(50)), micros(queue.percentile(50))), r <= 1.0);
        }
        final CaseResult queueRecord = find(results, "chronicle-queue-record", "rtt");
        if (journal != null && queueRecord != null) {
            final double r = (double) journal.percentile(50) / queueRecord.percentile(50);
            target(sb, "journal handoff round trip p50 ÷ raw Chronicle Queue writing records of the same size (the floor)",
                    String.format(Locale.ROOT, "%.2f× (%s vs %s)", r, micros(journal.percentile(50)), micros(queueRecord.percentile(50))), r <= 1.0);
        }
        if (journal != null && ring != null) {
            final double r = (double) journal.percentile(50) / ring.percentile(50);
            target(sb, "journal handoff round trip p50 ≤ 3× the Agrona floor", String.format(Locale.ROOT, "%.2f× (%s vs %s)", r,
                    micros(journal.percentile(50)), micros(ring.percentile(50))), r <= 3.0);
        }
        for (final String name : new String[] {"slate-kv", "slate-kv-await"}) {
            final CaseResult kv = find(results, name, "rtt");
            if (kv != null) {
                target(sb, name + ": key/value put → observe round trip p50 ≤ 2 µs", micros(kv.percentile(50)), kv.percentile(50) <= 2_000);
            }
            final CaseResult oneWay = find(results, name, "oneway");
            if (oneWay != null) {
                target(sb, name + ": key/value put → observe one way p50 < 1 µs", micros(oneWay.percentile(50)), oneWay.percentile(50) < 1_000);
            }
        }
        final CaseResult tuple = find(results, "slate-tuple", "rtt");
        if (tuple != null) {
            target(sb, "tuple out → in round trip p50 ≤ 3 µs", micros(tuple.percentile(50)), tuple.percentile(50) <= 3_000);
        }
        final CaseResult queueTake = find(results, "chronicle-queue-take", "rtt");
        if (tuple != null && queueTake != null) {
            final double r = (double) tuple.percentile(50) / queueTake.percentile(50);
            target(sb, "tuple out → in round trip p50 ÷ raw Chronicle Queue with slate-tuple's records, each message taken by an append (the floor)",
                    String.format(Locale.ROOT, "%.2f× (%s vs %s)", r, micros(tuple.percentile(50)), micros(queueTake.percentile(50))), r <= 1.0);
        }
        if (redis != null) {
            for (final String name : new String[] {"slate-journal", "slate-kv", "slate-tuple", "slate-mutex"}) {
                final CaseResult c = find(results, name, "rtt");
                if (c != null) {
                    final double x = (double) redis.percentile(50) / c.percentile(50);
                    target(sb, name + " round trip p50 ≥ 30× faster than Redis loopback", String.format(Locale.ROOT, "%.0f×", x), x >= 30);
                }
            }
        }
        for (final CaseResult r : results) {
            if ("throughput".equals(r.mode) && "slate-journal".equals(r.name) && r.payloadBytes == 16 && r.writers == 1) {
                target(sb, "journal ≥ 3 million appends/s at 16 B from one writer", millions(r.opsPerSec) + " appends/s", r.opsPerSec >= 3e6);
                for (final String raw : new String[] {"chronicle-queue", "chronicle-queue-record"}) {
                    for (final CaseResult q : results) {
                        if ("throughput".equals(q.mode) && raw.equals(q.name) && q.payloadBytes == 16 && q.writers == 1) {
                            final double x = r.opsPerSec / q.opsPerSec;
                            target(sb, "journal appends from one writer ≥ 0.75× " + raw + " (16 B)", String.format(Locale.ROOT, "%.2f×", x), x >= 0.75);
                        }
                    }
                }
            }
        }
        sb.append("\nZero allocation per operation is checked with JMH's GC profiler (`scripts/bench-jmh.sh`); the "
                + "allocation columns here are the harness's own per-thread counter.\n\n");
    }

    private static void target(final StringBuilder sb, final String what, final String measured, final boolean met) {
        sb.append("| ").append(what).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
    }

    private static void latencyTable(final StringBuilder sb, final List<CaseResult> results, final String mode, final String heading) {
        sb.append(heading).append("\n\n");
        sb.append("| case | p50 | p90 | p99 | p99.9 | max | samples | ops/s | alloc B/op |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final String name : Cases.LATENCY) {
            final CaseResult r = find(results, name, mode);
            if (r == null) {
                continue;
            }
            sb.append("| ").append(Cases.isSlate(name) ? "**" + name + "**" : name);
            for (final double p : PERCENTILES) {
                sb.append(" | ").append(micros(r.percentile(p)));
            }
            sb.append(" | ").append(micros(r.max())).append(" | ").append(String.format(Locale.ROOT, "%,d", r.samples))
                    .append(" | ").append(millions(r.opsPerSec)).append(" | ").append(bytes(r.allocatedBytesPerOp)).append(" |\n");
        }
        sb.append('\n');
    }

    private static String ratio(final CaseResult slate, final CaseResult peer, final boolean inverse) {
        if (peer == null) {
            return "n/a";
        }
        final double s = slate.percentile(50);
        final double p = peer.percentile(50);
        return inverse ? significant(p / s) + "×" : significant(s / p);
    }

    /** Two significant digits, without exponent: 0.00085, 0.31, 1.5, 28, 640. */
    static String significant(final double d) {
        if (Double.isNaN(d) || Double.isInfinite(d) || d <= 0) {
            return "n/a";
        }
        return new java.math.BigDecimal(d).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
    }

    /** Nanoseconds as microseconds with 2-3 significant digits. */
    static String micros(final long ns) {
        if (ns < 0) {
            return "-";
        }
        final double us = ns / 1e3;
        if (us >= 1000) {
            return String.format(Locale.ROOT, "%,.0f µs", us);
        }
        if (us >= 10) {
            return String.format(Locale.ROOT, "%.1f µs", us);
        }
        return String.format(Locale.ROOT, "%.2f µs", us);
    }

    static String millions(final double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static String bytes(final double b) {
        return Double.isNaN(b) ? "n/a" : String.format(Locale.ROOT, "%.1f", b);
    }

    /**
     * Slate on etcd against raw jetcd on the same cluster in the same run: round trip p50 ÷ the raw put → watch p50
     * (goal ≤ 1.5), and put throughput of 1..N writer JVMs ÷ raw Txns at the same concurrency (goal ≥ 0.5). Reported,
     * never asserted.
     */
    private static CaseResult find(final List<CaseResult> results, final String name, final String mode, final int writers) {
        for (final CaseResult r : results) {
            if (name.equals(r.name) && mode.equals(r.mode) && r.writers == writers) {
                return r;
            }
        }
        return null;
    }

    /** The raw case that makes the commits a Slate etcd case must make (its floor), or "" for the raw cases. */
    private static String floor(final String name) {
        switch (name) {
            case "etcd-tuple":
                return "etcd-raw-take";
            case "etcd-mutex":
                return "etcd-raw-queue";
            default:
                return name.startsWith("etcd-raw") ? "" : "etcd-raw-pair";
        }
    }

    private static CaseResult floorOf(final List<CaseResult> results, final String name) {
        final String f = floor(name);
        return f.isEmpty() ? null : find(results, f, "rtt");
    }

    private static String ratio(final double x, final double y) {
        return String.format(Locale.ROOT, "%.2f", x / y);
    }

    private static void etcd(final StringBuilder sb, final List<CaseResult> results) {
        final CaseResult raw = find(results, "etcd-raw", "rtt");
        boolean any = false;
        for (final String name : Cases.ETCD) {
            any |= find(results, name, "rtt") != null;
        }
        if (!any) {
            return;
        }
        sb.append("## Slate on etcd against raw jetcd (same cluster, same run)\n\n");
        sb.append("A Slate round trip (A sends, B answers) is two deliveries; the raw jetcd round trip of etcd-raw (one put, its delivery "
                + "to a watch on another client, in one JVM) is one. So the round trip is compared with twice the raw p50, and the one-way "
                + "p50 (at a fixed rate, so it includes queueing when a case cannot keep up with the rate) with the raw p50. "
                + "etcd-raw-pair is the raw round trip between two JVMs, as Slate's cases run (a put, its answer awaited, delivered by a "
                + "watch in the peer, which answers the same way): each case's round trip and one-way p50 are also compared with it. "
                + "etcd-raw-take adds to each message a Txn of the engine's append shape by its receiver before it counts as received: "
                + "the commits a tuple's out and take must make (the take decided before in returns), the floor of etcd-tuple. "
                + "etcd-raw-queue adds to each message a put by its receiver off the path (awaited before its next receipt): the commit "
                + "of a mutex waiter's next place in the queue, whose create revision is its fencing token, the floor of etcd-mutex. "
                + "Goal: ≤ 1.5. Reported, not asserted.\n\n");
        final CaseResult pair = find(results, "etcd-raw-pair", "rtt");
        final CaseResult pairOneWay = find(results, "etcd-raw-pair", "oneway");
        sb.append("| case | rtt p50 | rtt p99 | samples | rtt p50 ÷ (2 × raw p50) | rtt p50 ÷ raw pair | its floor | rtt p50 ÷ floor | one-way p50 "
                + "| one-way p50 ÷ raw p50 | one-way p50 ÷ raw pair |\n"
                + "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (final String name : Cases.ETCD) {
            final CaseResult r = find(results, name, "rtt");
            if (r == null) {
                continue;
            }
            final CaseResult ow = find(results, name, "oneway");
            final boolean isRaw = "etcd-raw".equals(name);
            final CaseResult floor = floorOf(results, name);
            sb.append("| ").append(name).append(" | ").append(micros(r.percentile(50))).append(" | ").append(micros(r.percentile(99)))
                    .append(" | ").append(r.samples).append(" | ")
                    .append(raw == null || isRaw ? "n/a" : ratio(r.percentile(50), 2.0 * raw.percentile(50))).append(" | ")
                    .append(pair == null || name.startsWith("etcd-raw") ? "n/a" : ratio(r.percentile(50), pair.percentile(50))).append(" | ")
                    .append(floor(name)).append(" | ")
                    .append(floor == null ? "n/a" : ratio(r.percentile(50), floor.percentile(50))).append(" | ")
                    .append(ow == null ? "n/a" : micros(ow.percentile(50))).append(" | ")
                    .append(raw == null || ow == null ? "n/a" : ratio(ow.percentile(50), raw.percentile(50))).append(" | ")
                    .append(pairOneWay == null || ow == null || name.startsWith("etcd-raw") ? "n/a" : ratio(ow.percentile(50), pairOneWay.percentile(50)))
                    .append(" |\n");
        }
        final TreeSet<Integer> writers = new TreeSet<>();
        for (final CaseResult r : results) {
            if ("throughput".equals(r.mode) && Cases.isEtcd(r.name)) {
                writers.add(r.writers);
            }
        }
        if (!writers.isEmpty()) {
            sb.append("\nThroughput: operations of all writer JVMs together, each writer with one operation in flight, next to raw Txns "
                    + "of the engine's shape (compare version, put key, put record) from as many clients with one request in flight each: "
                    + "threads of the harness's one JVM (etcd-raw, as until session 9) and writer JVMs of their own, one client each, "
                    + "started like Slate's writers (etcd-raw-txn: the floor in the same kind of process). "
                    + "÷ raw compares commits: an etcd-kv put and an etcd-journal append are one Txn each, an etcd-tuple out + inp pair "
                    + "two (the out and the take). Goal ≥ 0.5.\n\n");
            final List<String> kinds = new ArrayList<>();
            for (final Cases.Kind k : Cases.THROUGHPUT) {
                if (Cases.isEtcd(k.name) && !Cases.ETCD_RAW_TXN.equals(k.name) && !kinds.contains(k.name)) {
                    kinds.add(k.name);
                }
            }
            sb.append("| writers | raw Txn/s, harness threads | raw Txn/s, writer JVMs |");
            final StringBuilder rule = new StringBuilder("|---:|---:|---:|");
            for (final String k : kinds) {
                sb.append(' ').append(k).append(" ops/s | ").append(k).append(" ÷ raw (threads) | ").append(k).append(" ÷ raw (JVMs) |");
                rule.append("---:|---:|---:|");
            }
            sb.append('\n').append(rule).append('\n');
            for (final int w : writers) {
                final CaseResult txn = find(results, "etcd-raw", "throughput", w);
                final CaseResult jvms = find(results, Cases.ETCD_RAW_TXN, "throughput", w);
                sb.append("| ").append(w).append(" | ").append(txn == null ? "-" : String.format(Locale.ROOT, "%.0f", txn.opsPerSec)).append(" | ")
                        .append(jvms == null ? "-" : String.format(Locale.ROOT, "%.0f", jvms.opsPerSec)).append(" |");
                for (final String k : kinds) {
                    final CaseResult r = find(results, k, "throughput", w);
                    final int commits = "etcd-tuple".equals(k) ? 2 : 1;
                    sb.append(' ').append(r == null ? "-" : String.format(Locale.ROOT, "%.0f", r.opsPerSec)).append(" | ")
                            .append(r == null || txn == null ? "n/a" : String.format(Locale.ROOT, "%.2f", commits * r.opsPerSec / txn.opsPerSec))
                            .append(" | ")
                            .append(r == null || jvms == null ? "n/a" : String.format(Locale.ROOT, "%.2f", commits * r.opsPerSec / jvms.opsPerSec))
                            .append(" |");
                }
                sb.append('\n');
            }
        }
        sb.append('\n');
    }

}
