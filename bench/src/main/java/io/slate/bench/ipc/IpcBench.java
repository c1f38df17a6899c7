package io.slate.bench.ipc;

import io.slate.bench.SpaceState;
import io.slate.internal.JvmFlags;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The cross-process benchmark: Slate's journal handoff, key/value put, tuple out/in and mutex handoff between two
 * JVMs, against raw Chronicle Queue, Agrona's ring buffer, Aeron IPC, Unix domain and TCP sockets and Redis, in one
 * run; then journal, queue, key/value and tuple throughput with 1 to 4 writer JVMs.
 *
 * <pre>
 * scripts/bench-ipc.sh [--quick | --smoke] [--out DIR] [--only CASE,...] [--payload BYTES] [--rate PER_SECOND] [--compare DIR] [--housekeeping] [--jvm-arg ARG]...
 * </pre>
 * <ul>
 *   <li>default: about ten minutes; {@code --quick}: about one; {@code --smoke}: a few hundred messages per case, to
 *       check that every case runs (the test suite uses it);</li>
 *   <li>{@code --only}: the latency cases and throughput kinds to run, by name (default: all);</li>
 *   <li>{@code --payload}: bytes per message (default 64, at least 16); {@code --rate}: one-way messages per second
 *       (default 10,000);</li>
 *   <li>{@code --compare DIR}: a previous run's directory; its figures go beside this run's, case by case, with the
 *       ratio now ÷ then, at the end of the output and of {@code results.md};</li>
 *   <li>{@code --housekeeping}: the latency pairs' two JVMs may take the space's housekeeping duty (snapshots and
 *       retention, {@code SpaceOptions#housekeeping}); by default they leave it, as agents spinning on pinned CPUs
 *       should (the duty's thread could only run by taking a CPU from a spinning thread); the throughput writers
 *       always keep it;</li>
 *   <li>{@code --jvm-arg}: added to every child JVM's command line, e.g. to profile them with
 *       {@code -XX:StartFlightRecording=filename=/tmp/jfr/}.</li>
 * </ul>
 * The baselines (raw Chronicle Queue and Agrona's ring buffer) run first, so that each later case's progress line
 * gives its p50s as multiples of theirs.
 * Results go to {@code DIR} (default {@code bench/results/<timestamp>}): {@code results.json}, {@code results.md},
 * {@code latency.png}, {@code throughput.png}, {@code hgrm/}. Every child JVM is started by this one with the
 * project's JVM flags and killed by its process handle if it outlives its case; every space, queue, ring and socket is
 * under one directory {@code /dev/shm/slate-bench-<pid>-<nanos>}, removed at the end. Redis runs when
 * {@code redis-server} is on the PATH (started on a free loopback port, stopped at the end); otherwise the run says
 * it skipped it. The etcd cases ({@code etcd-kv}, {@code etcd-journal}, {@code etcd-tuple}, {@code etcd-mutex}: the
 * Slate cases on a space opened by {@code etcd://} address; {@code etcd-raw}: raw jetcd put → watch and raw Txn
 * throughput, {@link io.slate.etcd.EtcdFloorBench}'s, in this JVM; {@code etcd-kv} throughput with 1..N writer JVMs)
 * run on a 3-member loopback cluster started on free ports and always stopped, when {@code etcd} is installed;
 * otherwise the run says it skipped them (etcd not found). They run far fewer messages than the shared-memory cases.
 */
public final class IpcBench {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Options o;
    private final PrintStream log;
    private final Path work;
    private final List<CaseResult> results = new ArrayList<>();
    private final Report.RunInfo info = new Report.RunInfo();
    private final int cpus = Runtime.getRuntime().availableProcessors();
    private final List<String> childOptions;
    /** What must die if this JVM is stopped mid-run (Ctrl-C): the child JVMs and redis-server running now. */
    private final Set<Runnable> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The run's etcd cluster while the etcd cases run. */
    private EtcdServers etcd;

    private IpcBench(final Options o, final PrintStream log, final Path work) {
        this.o = o;
        this.log = log;
        this.work = work;
        final List<String> options = new ArrayList<>(Child.jvmOptions("smoke".equals(o.mode)));
        options.addAll(o.jvmArgs);
        this.childOptions = options;
    }

    /** Runs the benchmark and exits with {@link #run}'s status. */
    public static void main(final String[] args) {
        System.exit(run(args, System.out));
    }

    /**
     * Runs the benchmark as the command line says, printing progress to {@code log}. Returns 0 when every case ran,
     * 1 when some failed (the others are still reported), 2 on bad arguments.
     */
    public static int run(final String[] args, final PrintStream log) {
        final Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            log.println("bench-ipc: " + e.getMessage());
            log.println(Options.USAGE);
            return 2;
        }
        if (o.help) {
            log.println(Options.USAGE);
            return 0;
        }
        if (o.compare != null) {
            try {
                o.previous = Comparison.read(o.compare); // a bad directory fails now, not after the run
            } catch (IllegalArgumentException e) {
                log.println("bench-ipc: " + e.getMessage());
                return 2;
            }
        }
        final Path work = Paths.get("/dev/shm").toFile().isDirectory()
                ? Paths.get("/dev/shm", "slate-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
                : Paths.get(System.getProperty("java.io.tmpdir"), "slate-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // the plots need no display
        }
        final IpcBench bench = new IpcBench(o, log, work);
        final Thread cleanup = new Thread(() -> {
            bench.killLive();
            delete(work);
        }, "bench-ipc-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return bench.runAll();
        } catch (IOException e) {
            log.println("bench-ipc: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.println("bench-ipc: interrupted");
            return 1;
        } finally {
            delete(work);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs
            }
        }
    }

    private int runAll() throws IOException, InterruptedException {
        final long t0 = System.nanoTime();
        Files.createDirectories(work);
        Files.createDirectories(o.out);
        info.mode = o.mode;
        info.started = LocalDateTime.now().withNano(0).toString();
        info.payloadBytes = o.payload;
        info.rate = o.rate;
        info.rttWarmup = o.rttWarmup;
        info.rtt = o.rtt;
        info.onewayWarmup = o.onewayWarmup;
        info.oneway = o.oneway;
        info.throughputWarmupMillis = o.tpWarmupMillis;
        info.throughputMillis = o.tpMillis;
        info.settleMillis = o.settleMillis;
        info.housekeeping = o.housekeeping;
        info.childJvmArguments.addAll(JvmFlags.arguments());
        info.childJvmArguments.addAll(childOptions);
        info.uptimeBefore = Machine.uptime();
        log.printf(Locale.ROOT, "bench-ipc: %s run, %d CPUs, payload %d B, results to %s%n", o.mode, cpus, o.payload, o.out);
        log.println("bench-ipc: load before: " + info.uptimeBefore);

        RedisServer redis = null;
        final List<String> cases = new ArrayList<>();
        for (final String c : Cases.LATENCY) {
            if (o.selected(c)) {
                cases.add(c);
            }
        }
        // the baselines first: every later case's progress line gives its ratio to them
        for (final String baseline : new String[] {"agrona-ring", "chronicle-queue"}) {
            if (cases.remove(baseline)) {
                cases.add(0, baseline);
            }
        }
        if (cases.contains("redis")) {
            final Path exe = RedisServer.find();
            if (exe == null) {
                final String why = "redis-server is not on the PATH; install it (Debian: apt-get install redis-server) to include Redis";
                log.println("bench-ipc: skipped the Redis case: " + why);
                info.skipped.put("redis", why);
                info.redis = "skipped";
                cases.remove("redis");
            } else {
                try {
                    redis = RedisServer.start(exe, work.resolve("redis"));
                    live.add(redis::kill);
                    info.redis = "redis-server " + redis.version() + " (" + exe + ") on 127.0.0.1:" + redis.port();
                    log.println("bench-ipc: " + info.redis);
                } catch (IOException e) {
                    info.failures.put("redis", e.getMessage());
                    info.redis = "failed to start";
                    log.println("bench-ipc: redis FAILED: " + e.getMessage());
                    cases.remove("redis");
                }
            }
        } else {
            info.redis = "not selected";
        }
        etcd = startEtcd(cases);
        try {
            try {
                for (int i = 0; i < cases.size(); i++) {
                    final String c = cases.get(i);
                    final String prefix = String.format(Locale.ROOT, "[%d/%d] %-15s", i + 1, cases.size(), c);
                    try {
                        if ("etcd-raw".equals(c)) {
                            etcdRawRoundTrip(prefix);
                        } else {
                            pair(c, "redis".equals(c) ? Integer.toString(redis.port())
                                    : Cases.isEtcd(c) ? etcd.address(c + "-" + Long.toHexString(System.nanoTime())) : "", prefix);
                        }
                    } catch (RuntimeException e) {
                        info.failures.put(c, e.getMessage());
                        log.println(prefix + " FAILED: " + e.getMessage());
                    }
                }
            } finally {
                if (redis != null) {
                    redis.close();
                }
            }
            final List<Cases.Kind> kinds = new ArrayList<>();
            for (final Cases.Kind k : Cases.THROUGHPUT) {
                // the raw Txn writers come with etcd-raw (the floor), not by a name of their own
                final boolean selected = Cases.ETCD_RAW_TXN.equals(k.name) ? o.selected("etcd-raw") : o.selected(k.name);
                if (selected && (!Cases.isEtcd(k.name) || etcd != null)) {
                    kinds.add(k);
                }
            }
            final boolean rawTxn = etcd != null && cases.contains("etcd-raw");
            for (final int w : o.writers) {
                if (!kinds.isEmpty()) {
                    try {
                        throughput(w, kinds);
                    } catch (RuntimeException e) {
                        info.failures.put("throughput-" + w, e.getMessage());
                        log.println("[throughput] " + w + " writers FAILED: " + e.getMessage());
                    }
                }
                if (rawTxn) {
                    try {
                        etcdRawThroughput(w);
                    } catch (RuntimeException e) {
                        info.failures.put("etcd-raw-throughput-" + w, e.getMessage());
                        log.println("[throughput] etcd-raw " + w + " writers FAILED: " + e.getMessage());
                    }
                }
            }
        } finally {
            if (etcd != null) {
                etcd.close();
                etcd = null;
            }
        }
        info.uptimeAfter = Machine.uptime();
        info.seconds = (System.nanoTime() - t0) / 1e9;
        log.println("bench-ipc: load after: " + info.uptimeAfter);
        Report.write(o.out, info, results);
        if (o.previous != null) {
            final String section = o.previous.markdown(results);
            Files.writeString(o.out.resolve("results.md"), section, java.nio.charset.StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
            log.print(section);
        }
        final String title = String.format(Locale.ROOT, "Slate vs peers, %d B payload, %d CPUs, %s %s (%s run)", o.payload, cpus,
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), o.mode);
        Plots.latency(results, title, o.out.resolve("latency.png"));
        Plots.throughput(results, "Throughput with 1 to " + o.writers.get(o.writers.size() - 1) + " writer JVMs, "
                + cpus + " CPUs (" + o.mode + " run)", o.out.resolve("throughput.png"));
        log.printf(Locale.ROOT, "bench-ipc: done in %.0f s: %s/results.md%n", info.seconds, o.out);
        return info.failures.isEmpty() ? 0 : 1;
    }

    /**
     * Starts the 3-member loopback etcd cluster when {@code cases} holds an etcd case; when etcd is not installed, or
     * does not start, removes the etcd cases from {@code cases} and says so. Null when there is none.
     */
    private EtcdServers startEtcd(final List<String> cases) throws InterruptedException {
        boolean wanted = false;
        for (final String c : cases) {
            wanted |= Cases.isEtcd(c);
        }
        for (final Cases.Kind k : Cases.THROUGHPUT) {
            wanted |= Cases.isEtcd(k.name) && o.selected(k.name);
        }
        if (!wanted) {
            return null;
        }
        final Path exe = EtcdServers.find();
        if (exe == null) {
            final String why = "etcd not found: no 'etcd' on the PATH (nor SLATE_ETCD_BIN); install it (Debian: apt-get install etcd-server) to include the etcd cases";
            log.println("bench-ipc: skipped the etcd cases: " + why);
            info.etcd = "skipped: " + why;
            for (final String c : Cases.ETCD) {
                if (cases.remove(c)) {
                    info.skipped.put(c, why);
                }
            }
            return null;
        }
        try {
            final EtcdServers s = EtcdServers.start(exe, work.resolve("etcd"), 3);
            live.add(s::kill);
            info.etcd = "etcd (" + exe + "), " + s.members() + " members on " + s.endpoints();
            log.println("bench-ipc: " + info.etcd);
            return s;
        } catch (IOException e) {
            info.etcd = "failed to start";
            log.println("bench-ipc: etcd FAILED: " + e.getMessage());
            for (final String c : Cases.ETCD) {
                if (cases.remove(c)) {
                    info.failures.put(c, e.getMessage());
                }
            }
            return null;
        }
    }

    /** The engine's round-trip floor: raw jetcd put → watch, in this JVM, on the run's cluster. */
    private void etcdRawRoundTrip(final String prefix) {
        final long t0 = System.nanoTime();
        final Histogram h;
        try {
            h = io.slate.etcd.EtcdFloorBench.rawRoundTrip(etcd.endpoints(), o.etcdRttWarmup, o.etcdRtt, o.payload);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("raw jetcd round trip: " + e, e);
        }
        final long elapsed = System.nanoTime() - t0;
        final CaseResult r = new CaseResult("etcd-raw", "rtt", h, h.getTotalCount(), h.getTotalCount() / (elapsed / 1e9), o.payload, 0,
                Double.NaN, "one JVM (the harness), two clients, unpinned", Cases.carries("etcd-raw", o.payload));
        results.add(r);
        log.printf(Locale.ROOT, "%s rtt p50 %s p99 %s p99.9 %s (%,d) | raw jetcd, in the harness's JVM%n", prefix,
                Report.micros(r.percentile(50)), Report.micros(r.percentile(99)), Report.micros(r.percentile(99.9)), r.samples);
    }

    /** The engine's throughput floor: raw Txns of the engine's shape from {@code writers} clients, in this JVM. */
    private void etcdRawThroughput(final int writers) {
        final double opsPerSec;
        try {
            opsPerSec = io.slate.etcd.EtcdFloorBench.rawTxnThroughput(etcd.endpoints(), writers, o.etcdTpSeconds, Cases.ETCD_TP_BYTES);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("raw Txn throughput: " + e, e);
        }
        results.add(new CaseResult("etcd-raw", "throughput", null, Math.round(opsPerSec * o.etcdTpSeconds), opsPerSec, Cases.ETCD_TP_BYTES,
                writers, Double.NaN, writers + " threads with a client each, in the harness's JVM", "raw Txn (compare version, put key, put record)"));
        log.printf(Locale.ROOT, "[throughput] %-15s %3d B, %d writer%s: %.0f ops/s (threads in the harness's JVM, %d s after 1 s of warm-up)%n",
                "etcd-raw", Cases.ETCD_TP_BYTES, writers, writers == 1 ? " " : "s", opsPerSec, o.etcdTpSeconds);
    }

    /** Kills, each by its own process handle, what is still running (from the shutdown hook). */
    private void killLive() {
        for (final Runnable r : live) {
            r.run();
        }
    }

    /** Starts a child JVM that the shutdown hook kills if the run is stopped while it lives. */
    private Child child(final String label, final Path logs, final List<String> args) {
        final Child c = Child.start(label, logs, childOptions, args);
        live.add(c::close);
        return c;
    }

    /** Runs one latency case: side B, then side A; round trips, then one-way messages. */
    private void pair(final String name, final String redisPort, final String prefix) throws InterruptedException {
        final Path dir = work.resolve(name);
        final Path logs = work.resolve("logs");
        final boolean pin = cpus >= 2;
        final boolean onEtcd = Cases.isEtcd(name); // a network round trip and consensus: far fewer messages, far slower
        final List<String> common = List.of("role=pair", "case=" + name, "dir=" + dir, "payload=" + o.payload,
                "rttWarmup=" + (onEtcd ? o.etcdRttWarmup : o.rttWarmup), "rtt=" + (onEtcd ? o.etcdRtt : o.rtt),
                "owWarmup=" + (onEtcd ? o.etcdOnewayWarmup : o.onewayWarmup), "ow=" + (onEtcd ? o.etcdOneway : o.oneway),
                "rate=" + (onEtcd ? o.etcdRate : o.rate), "settle=" + o.settleMillis, "nopin=" + cpus + "-CPU-machine",
                "housekeeping=" + o.housekeeping);
        final long caseTimeoutSeconds = 600;
        try (Child b = child(name + "-B", logs, with(common, "side=B", "cpu=" + (pin ? 0 : -1), "address=" + redisPort))) {
            final String ready = b.await("READY", 120, TimeUnit.SECONDS);
            final String address = redisPort.isEmpty() ? ready.substring("READY".length()).trim() : redisPort;
            try (Child a = child(name + "-A", logs, with(common, "side=A", "cpu=" + (pin ? 1 : -1), "address=" + address))) {
                final String rttLine = a.await("RESULT rtt", caseTimeoutSeconds, TimeUnit.SECONDS);
                final String sent = a.await("SENT", caseTimeoutSeconds, TimeUnit.SECONDS);
                final String owLine = b.await("RESULT oneway", caseTimeoutSeconds, TimeUnit.SECONDS);
                a.await("FINISHED", 60, TimeUnit.SECONDS);
                b.await("FINISHED", 60, TimeUnit.SECONDS);
                a.send("CLOSE");
                a.awaitExit(60, TimeUnit.SECONDS);
                b.send("CLOSE");
                b.awaitExit(60, TimeUnit.SECONDS);
                final String pinning = "A " + pinOf(a) + ", B " + pinOf(b);
                final CaseResult rtt = latency(name, "rtt", rttLine, pinning);
                final CaseResult ow = latency(name, "oneway", owLine, pinning + ", sender allocated " + sent.substring(5) + " B/msg");
                results.add(rtt);
                results.add(ow);
                log.printf(Locale.ROOT, "%s rtt p50 %s p99 %s p99.9 %s (%,d) | one-way p50 %s p99 %s p99.9 %s (%,d)%s | %s%n", prefix,
                        Report.micros(rtt.percentile(50)), Report.micros(rtt.percentile(99)), Report.micros(rtt.percentile(99.9)), rtt.samples,
                        Report.micros(ow.percentile(50)), Report.micros(ow.percentile(99)), Report.micros(ow.percentile(99.9)), ow.samples,
                        ratios(name, rtt, ow), pinning);
            }
        } finally {
            delete(dir);
        }
    }

    /**
     * The case's p50s as multiples of the baselines measured earlier in this run (raw Chronicle Queue, the substrate;
     * Agrona's ring buffer, the floor): " | p50 ÷ queue rtt 1.10 one-way 0.78, ÷ agrona 3.4 1.9", or "" for a baseline
     * itself or when no baseline ran.
     */
    private String ratios(final String name, final CaseResult rtt, final CaseResult ow) {
        final StringBuilder sb = new StringBuilder();
        for (final String[] b : new String[][] {{"chronicle-queue", "queue"}, {"agrona-ring", "agrona"}}) {
            if (b[0].equals(name)) {
                return "";
            }
            final CaseResult brtt = result(b[0], "rtt");
            final CaseResult bow = result(b[0], "oneway");
            if (brtt == null || bow == null) {
                continue;
            }
            sb.append(sb.length() == 0 ? " | p50 ÷ " : ", ÷ ").append(b[1]).append(String.format(Locale.ROOT, " rtt %.2f one-way %.2f",
                    rtt.percentile(50) / (double) Math.max(1, brtt.percentile(50)), ow.percentile(50) / (double) Math.max(1, bow.percentile(50))));
        }
        return sb.toString();
    }

    private CaseResult result(final String name, final String mode) {
        for (final CaseResult r : results) {
            if (r.name.equals(name) && r.mode.equals(mode) && r.histogram != null && r.samples > 0) {
                return r;
            }
        }
        return null;
    }

    private static String pinOf(final Child c) {
        final String l = c.line("PIN ");
        return l == null ? "unknown" : l.substring(4);
    }

    /** Parses "RESULT mode elapsedNanos allocPerOp histogram". */
    private CaseResult latency(final String name, final String mode, final String line, final String pinning) {
        final String[] f = line.split(" ");
        final long elapsed = Long.parseLong(f[2]);
        final double alloc = Double.parseDouble(f[3]);
        final Histogram h = Peer.decode(f[4]);
        final long n = h.getTotalCount();
        final double opsPerSec = elapsed > 0 ? n / (elapsed / 1e9) : 0;
        return new CaseResult(name, mode, h, n, opsPerSec, "slate-mutex".equals(name) ? 16 : o.payload, 0, alloc, pinning,
                Cases.carries(name, o.payload));
    }

    /** Runs every throughput kind with {@code writers} writer JVMs, started once for all kinds. */
    private void throughput(final int writers, final List<Cases.Kind> kinds) throws InterruptedException {
        final Path root = work.resolve("throughput-" + writers);
        final Path logs = work.resolve("logs");
        final List<Child> children = new ArrayList<>();
        final boolean pin = writers <= cpus;
        try {
            for (int i = 0; i < writers; i++) {
                children.add(child("writer-" + writers + "-" + i, logs, List.of("role=writer", "index=" + i,
                        "cpu=" + (pin ? i : -1), "nopin=" + writers + "-writer-JVMs-on-" + cpus + "-CPUs")));
            }
            for (final Child c : children) {
                c.await("READY", 120, TimeUnit.SECONDS);
            }
            final StringBuilder pins = new StringBuilder();
            for (int i = 0; i < children.size(); i++) {
                pins.append(i == 0 ? "" : ", ").append("W").append(i).append(' ').append(pinOf(children.get(i)));
            }
            for (final Cases.Kind k : kinds) {
                final Path dir = root.resolve(k.name + "-" + k.payloadBytes);
                final boolean onEtcd = Cases.isEtcd(k.name);
                final String location = onEtcd ? etcd.address("tp-" + k.name + "-" + writers + "-" + Long.toHexString(System.nanoTime()))
                        : dir.toString();
                final long warmupMillis = onEtcd ? 1000 : o.tpWarmupMillis;
                final long measureMillis = onEtcd ? o.etcdTpSeconds * 1000L : o.tpMillis;
                try {
                    for (final Child c : children) {
                        c.send("OPEN " + k.name + " " + k.payloadBytes + " " + location);
                    }
                    for (final Child c : children) {
                        c.await("OPENED", 120, TimeUnit.SECONDS);
                    }
                    final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis + o.settleMillis);
                    final long end = start + TimeUnit.MILLISECONDS.toNanos(measureMillis);
                    for (final Child c : children) {
                        c.send("GO " + start + " " + end + " " + o.settleMillis);
                    }
                    double opsPerSec = 0;
                    long ops = 0;
                    double allocBytes = 0;
                    for (final Child c : children) {
                        final String[] f = c.await("COUNT", warmupMillis / 1000 + measureMillis / 1000 + 120, TimeUnit.SECONDS).split(" ");
                        final long count = Long.parseLong(f[1]);
                        final long elapsed = Long.parseLong(f[2]);
                        opsPerSec += count / (elapsed / 1e9);
                        ops += count;
                        allocBytes += Double.parseDouble(f[3]) * count;
                    }
                    for (final Child c : children) {
                        c.send("CLOSE");
                    }
                    for (final Child c : children) {
                        c.await("CLOSED", 60, TimeUnit.SECONDS);
                    }
                    final String pinning = onEtcd ? "unpinned: an etcd writer waits on every request, its client's threads on every CPU"
                            : pins.toString();
                    results.add(new CaseResult(k.name, "throughput", null, ops, opsPerSec, k.payloadBytes, writers,
                            ops == 0 ? Double.NaN : allocBytes / ops, pinning, k.operation()));
                    log.printf(Locale.ROOT, "[throughput] %-15s %3d B, %d writer%s: %s ops/s (%s)%n", k.name, k.payloadBytes, writers,
                            writers == 1 ? " " : "s", Report.millions(opsPerSec), pinning);
                } finally {
                    delete(dir);
                }
            }
            for (final Child c : children) {
                c.send("QUIT");
            }
            for (final Child c : children) {
                c.awaitExit(60, TimeUnit.SECONDS);
            }
        } finally {
            for (final Child c : children) {
                c.close();
            }
            delete(root);
        }
    }

    private static List<String> with(final List<String> base, final String... more) {
        final List<String> l = new ArrayList<>(base);
        l.addAll(Arrays.asList(more));
        return l;
    }

    /** Removes a directory tree (spaces, queues, rings, sockets, logs), reporting what it cannot remove. */
    static void delete(final Path dir) {
        SpaceState.deleteTree(dir, "bench-ipc");
    }

    /** The command line, parsed, with the sizes of the chosen mode. */
    static final class Options {
        static final String USAGE = "usage: bench-ipc [--quick | --smoke] [--out DIR] [--only CASE,...] [--payload BYTES] [--rate PER_SECOND] [--compare DIR] [--housekeeping] [--jvm-arg ARG]...\n"
                + "  cases: " + String.join(", ", Cases.LATENCY) + " (throughput: slate-journal, chronicle-queue, slate-kv, slate-tuple, etcd-kv; etcd-raw also measures raw Txn throughput)";
        String mode = "default";
        boolean help;
        Path out;
        Set<String> only = new LinkedHashSet<>();
        List<String> jvmArgs = new ArrayList<>();
        /** --compare: a previous run's directory, and what was read from it. */
        Path compare;
        Comparison previous;
        /** --housekeeping: the latency pairs' JVMs may take the space's housekeeping duty (default: they leave it). */
        boolean housekeeping;
        int payload = 64;
        int rate = 10_000;
        int rttWarmup;
        int rtt;
        int onewayWarmup;
        int oneway;
        long tpWarmupMillis;
        long tpMillis;
        long settleMillis;
        List<Integer> writers;
        /** The etcd cases' counts: each message is a network round trip through consensus, milliseconds, not microseconds. */
        int etcdRttWarmup;
        int etcdRtt;
        int etcdOnewayWarmup;
        int etcdOneway;
        int etcdRate;
        int etcdTpSeconds;

        boolean selected(final String name) {
            return only.isEmpty() || only.contains(name);
        }

        static Options parse(final String[] args) {
            final Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                switch (a) {
                    case "--quick":
                        o.mode = "quick";
                        break;
                    case "--smoke":
                        o.mode = "smoke";
                        break;
                    case "-h":
                    case "--help":
                        o.help = true;
                        break;
                    case "--out":
                        o.out = Paths.get(value(args, ++i, a));
                        break;
                    case "--only":
                        for (final String s : value(args, ++i, a).split(",")) {
                            if (!s.isBlank()) {
                                o.only.add(s.trim());
                            }
                        }
                        break;
                    case "--payload":
                        o.payload = Integer.parseInt(value(args, ++i, a));
                        break;
                    case "--rate":
                        o.rate = Integer.parseInt(value(args, ++i, a));
                        break;
                    case "--jvm-arg":
                        o.jvmArgs.add(value(args, ++i, a));
                        break;
                    case "--housekeeping":
                        o.housekeeping = true;
                        break;
                    case "--compare":
                        o.compare = Paths.get(value(args, ++i, a)).toAbsolutePath().normalize();
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            for (final String s : o.only) {
                if (!Cases.LATENCY.contains(s)) {
                    throw new IllegalArgumentException("no case " + s);
                }
            }
            if (o.payload < Payload.MIN_BYTES || o.payload > 60_000) {
                throw new IllegalArgumentException("--payload must be 16 to 60000 bytes");
            }
            if (o.rate < 1 || o.rate > 1_000_000) {
                throw new IllegalArgumentException("--rate must be 1 to 1000000 per second");
            }
            switch (o.mode) {
                case "smoke":
                    o.rttWarmup = 100;
                    o.rtt = 300;
                    o.onewayWarmup = 100;
                    o.oneway = 300;
                    o.tpWarmupMillis = 50;
                    o.tpMillis = 150;
                    o.settleMillis = 0;
                    o.writers = List.of(1, 2);
                    o.etcdRttWarmup = 10;
                    o.etcdRtt = 50;
                    o.etcdOnewayWarmup = 10;
                    o.etcdOneway = 30;
                    o.etcdRate = 50;
                    o.etcdTpSeconds = 1;
                    break;
                case "quick":
                    o.rttWarmup = 20_000;
                    o.rtt = 50_000;
                    o.onewayWarmup = o.rate / 4;
                    o.oneway = o.rate;
                    o.tpWarmupMillis = 200;
                    o.tpMillis = 500;
                    o.settleMillis = 300;
                    o.writers = List.of(1, 2, 4);
                    o.etcdRttWarmup = 200;
                    o.etcdRtt = 1_000;
                    o.etcdOnewayWarmup = 50;
                    o.etcdOneway = 300;
                    o.etcdRate = 100;
                    o.etcdTpSeconds = 2;
                    break;
                default:
                    o.rttWarmup = 100_000;
                    o.rtt = 300_000;
                    o.onewayWarmup = o.rate * 2;
                    o.oneway = o.rate * 15;
                    o.tpWarmupMillis = 1_000;
                    o.tpMillis = 3_000;
                    o.settleMillis = 1_000;
                    o.writers = List.of(1, 2, 3, 4);
                    o.etcdRttWarmup = 1_000;
                    o.etcdRtt = 5_000;
                    o.etcdOnewayWarmup = 200;
                    o.etcdOneway = 2_000;
                    o.etcdRate = 100;
                    o.etcdTpSeconds = 3;
                    break;
            }
            if (o.out == null) {
                final Path base = Files.isDirectory(Paths.get("bench")) ? Paths.get("bench", "results") : Paths.get("results");
                o.out = base.resolve(LocalDateTime.now().format(STAMP));
            }
            o.out = o.out.toAbsolutePath().normalize();
            return o;
        }

        private static String value(final String[] args, final int i, final String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
