package io.slate.bench.soak;

import io.slate.internal.JvmFlags;
import io.slate.space.Space;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The soak: agent JVMs ({@link SoakAgent}, half producers, half consumers) work one space at a fixed rate for a given
 * time while this process samples, every interval, each agent's resident memory, the space's use of /dev/shm and the
 * handoff latency the consumers saw in that interval. At the end it prints a summary, writes {@code soak.csv},
 * {@code summary.json} and {@code soak.png}, and exits 0 only when no agent reported an error, each agent's memory
 * stayed flat and /dev/shm use stayed bounded after the warm-up.
 *
 * <pre>
 * scripts/soak.sh [--duration SECONDS] [--agents N] [--rate PER_SECOND] [--interval SECONDS] [--dir PARENT] [--out DIR]
 * </pre>
 * Defaults: 600 s, 6 agents, 200 tasks/s per producer (about 3,000 journal records a second, the fleet demo's rate),
 * 5 s intervals, the space under /dev/shm with the default space options (a bounded journal). "Flat": after the
 * warm-up (the first fifth of the run, at least 60 s when the run allows, and not before retention first retired a
 * journal cycle), the mean of the last quarter of the samples exceeds the mean of the first quarter by at most
 * 10% + 16 MiB (memory), and the peak of /dev/shm use in the second half exceeds the peak in the first half by at
 * most 25% + 8 MiB (retention frees a whole cycle at a time: a sawtooth). At the end every task must have been handed
 * off exactly once (taken and acknowledged, or still in the space), and a tuple space handle opened afresh must open
 * within {@value #OPEN_BOUND_MILLIS} ms.
 */
public final class Soak {
    private static final long MIB = 1024 * 1024;

    private final int durationSeconds;
    private final int agents;
    private final double rate;
    private final int intervalSeconds;
    /** A tuple space handle opened at the end must open within this (a sanity bound; the time is reported). */
    static final long OPEN_BOUND_MILLIS = 1000;
    private final Path out;
    private final Path dir;
    private final List<Agent> children = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();

    /** One agent JVM and what it reported last. */
    static final class Agent {
        final String name;
        final boolean producer;
        final Process process;
        final Path log;
        long ops;
        long lastP999;
        long lastMax;
        long samplesInInterval;
        /** A producer's task count, from its PRODUCED line (-1 until then). */
        long produced = -1;
        /** A consumer's takes per producer: count, sum and sum of squares of the sequence numbers. */
        final java.util.Map<String, long[]> taken = new java.util.TreeMap<>();
        final List<String> errors = new ArrayList<>();
        private int readBytes;

        Agent(final String name, final boolean producer, final Process process, final Path log) {
            this.name = name;
            this.producer = producer;
            this.process = process;
            this.log = log;
        }

        /** Waits until the agent has opened the space and everything it uses. */
        void awaitReady(final long timeoutNanos) throws IOException, InterruptedException {
            final long deadline = System.nanoTime() + timeoutNanos;
            while (!Files.readAllLines(log, StandardCharsets.UTF_8).contains("READY")) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not get ready (alive=" + process.isAlive() + "); its log: " + log);
                }
                Thread.sleep(20);
            }
        }

        /** Reads the complete lines the agent wrote since last time (a line still being written waits for the next poll). */
        void poll() throws IOException {
            final byte[] bytes = Files.readAllBytes(log);
            int start = readBytes;
            for (int i = readBytes; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    line(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            readBytes = start;
        }

        private void line(final String l) {
            if (l.startsWith("I ")) {
                final String[] f = l.split(" ");
                ops = Long.parseLong(f[2]);
                samplesInInterval = Long.parseLong(f[3]);
                lastP999 = Long.parseLong(f[6]);
                lastMax = Long.parseLong(f[7]);
            } else if (l.startsWith("PRODUCED ")) {
                produced = Long.parseLong(l.substring("PRODUCED ".length()).trim());
            } else if (l.startsWith("TAKEN ")) {
                final String[] f = l.split(" ");
                taken.put(f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])});
            } else if (l.startsWith("ERROR") && errors.size() < 20) {
                errors.add(l);
            }
        }
    }

    /** One row of soak.csv. */
    static final class Sample {
        final double seconds;
        final long[] rssBytes;
        final long shmBytes;
        final long p999Nanos;
        final long maxNanos;
        final long handoffs;
        /** The oldest journal cycle file when sampled, its name's digits as a number (it grows once retention retires cycles), or -1. */
        final long firstIndex;

        Sample(final double seconds, final long[] rssBytes, final long shmBytes, final long p999Nanos, final long maxNanos, final long handoffs) {
            this(seconds, rssBytes, shmBytes, p999Nanos, maxNanos, handoffs, -1);
        }

        Sample(final double seconds, final long[] rssBytes, final long shmBytes, final long p999Nanos, final long maxNanos, final long handoffs,
               final long firstIndex) {
            this.firstIndex = firstIndex;
            this.seconds = seconds;
            this.rssBytes = rssBytes;
            this.shmBytes = shmBytes;
            this.p999Nanos = p999Nanos;
            this.maxNanos = maxNanos;
            this.handoffs = handoffs;
        }
    }

    Soak(final int durationSeconds, final int agents, final double rate, final int intervalSeconds, final Path out, final Path dir) {
        this.durationSeconds = durationSeconds;
        this.agents = agents;
        this.rate = rate;
        this.intervalSeconds = intervalSeconds;
        this.out = out;
        this.dir = dir;
    }

    public static void main(final String[] args) throws Exception {
        int duration = 600;
        int agents = 6;
        double rate = 200;
        int interval = 5;
        Path parent = Paths.get("/dev/shm");
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println("usage: scripts/soak.sh [--duration SECONDS] [--agents N] [--rate PER_SECOND] [--interval SECONDS] [--dir PARENT] [--out DIR]");
                return;
            }
            if (i + 1 >= args.length) {
                usage("option " + a + " needs a value");
            }
            final String v = args[++i];
            switch (a) {
                case "--duration":
                    duration = positive(a, v);
                    break;
                case "--agents":
                    agents = positive(a, v);
                    if (agents < 2) {
                        usage("--agents must be at least 2 (a producer and a consumer), got " + v);
                    }
                    break;
                case "--rate":
                    rate = positive(a, v);
                    break;
                case "--interval":
                    interval = positive(a, v);
                    break;
                case "--dir":
                    parent = Paths.get(v);
                    break;
                case "--out":
                    out = Paths.get(v);
                    break;
                default:
                    usage("unknown option " + a);
            }
        }
        if (out == null) {
            out = Paths.get("bench", "results", "soak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        final Path dir = parent.resolve("slate-soak-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        final Soak soak = new Soak(duration, agents, rate, interval, out, dir);
        System.exit(soak.run() ? 0 : 1);
    }

    private static int positive(final String option, final String value) {
        try {
            final int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        usage(option + " must be a positive whole number, got '" + value + "'");
        return -1;
    }

    private static void usage(final String problem) {
        System.err.println("soak: " + problem);
        System.exit(2);
    }

    boolean run() throws Exception {
        Files.createDirectories(out);
        final Thread cleanup = new Thread(this::stopAndRemove, "soak-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            // create the space once, with the options every agent uses
            Space.open(SoakAgent.options(dir, "soak-monitor")).close();
            monitor = Space.open(SoakAgent.options(dir, "soak-monitor"));
            System.out.printf(Locale.ROOT, "soak: %d agents (%d producers at %.0f tasks/s each), %d s, space %s, results %s%n",
                    agents, producers(), rate, durationSeconds, dir, out.toAbsolutePath());
            for (int i = 0; i < agents; i++) {
                final boolean producer = i < producers();
                children.add(start((producer ? "producer-" : "consumer-") + i, producer));
            }
            for (Agent a : children) {
                a.awaitReady(TimeUnit.MINUTES.toNanos(3));
            }
            Files.createFile(dir.resolve(SoakAgent.GO_FILE));
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(durationSeconds);
            long next = start + TimeUnit.SECONDS.toNanos(intervalSeconds);
            while (System.nanoTime() < end) {
                final long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += TimeUnit.SECONDS.toNanos(intervalSeconds);
                final Sample s = sample((System.nanoTime() - start) / 1e9);
                samples.add(s);
                progress(s);
                for (Agent a : children) {
                    if (!a.process.isAlive()) {
                        a.poll();
                        a.errors.add("exited early with status " + a.process.exitValue());
                    }
                }
                if (children.stream().anyMatch(a -> !a.errors.isEmpty())) {
                    break;
                }
            }
            Files.createFile(dir.resolve(SoakAgent.STOP_FILE));
            for (Agent a : children) {
                if (!a.process.waitFor(30, TimeUnit.SECONDS)) {
                    a.errors.add("did not stop within 30 s of being asked");
                } else if (a.process.exitValue() != 0 && a.errors.isEmpty()) {
                    a.errors.add("exited with status " + a.process.exitValue());
                }
                a.poll();
            }
            monitor.close();
            monitor = null;
            checkAtTheEnd();
            return SoakReport.write(this, out);
        } finally {
            if (monitor != null) {
                monitor.close();
            }
            stopAndRemove();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    private Space monitor;
    private String spaceOptions = "";
    private final List<String> endProblems = new ArrayList<>();
    private final List<String> endLines = new ArrayList<>();

    /**
     * After the agents stopped: every task handed off exactly once (the takes acknowledged plus the tasks still in the
     * space account for each producer's sequence numbers 0..n-1, by count, sum and sum of squares), and a fresh
     * handle on the tuple space opens fast.
     */
    private void checkAtTheEnd() {
        final long t0 = System.nanoTime();
        try (Space s = Space.open(SoakAgent.options(dir, "soak-checker"))) {
            final long t1 = System.nanoTime();
            final io.slate.tuple.TupleSpace tasks = io.slate.tuple.TupleSpace.of(s, "tasks");
            final long t2 = System.nanoTime();
            spaceOptions = "rollCycle " + s.options().rollCycle() + ", retainBytes " + s.options().retainBytes() / (1024 * 1024) + " MiB, retainCycles "
                    + s.options().retainCycles() + "; journal now from index " + s.journal().firstIndex() + " to " + s.journal().lastIndex()
                    + ", " + s.stats().journalRecords() + " records retained";
            final java.util.Map<String, long[]> left = new java.util.TreeMap<>();
            for (io.slate.tuple.Tuple t : tasks.rdAll(SoakAgent.TASKS, Integer.MAX_VALUE)) {
                final long[] c = left.computeIfAbsent(t.getString(1), k -> new long[3]);
                final long n = t.getLong(2);
                c[0]++;
                c[1] += n;
                c[2] += n * n;
            }
            tasks.close();
            final double spaceMs = (t1 - t0) / 1e6;
            final double tupleMs = (t2 - t1) / 1e6;
            endLines.add(String.format(Locale.ROOT, "  at the end: space opened in %.1f ms, tuple space 'tasks' opened in %.1f ms (bound %d ms)",
                    spaceMs, tupleMs, OPEN_BOUND_MILLIS));
            if (tupleMs > OPEN_BOUND_MILLIS) {
                endProblems.add(String.format(Locale.ROOT, "the tuple space took %.1f ms to open at the end", tupleMs));
            }
            long tasksChecked = 0;
            for (Agent p : children) {
                if (!p.producer) {
                    continue;
                }
                if (p.produced < 0) {
                    endProblems.add(p.name + " did not report what it produced");
                    continue;
                }
                final long n = p.produced;
                long count = 0;
                long sum = 0;
                long squares = 0;
                for (Agent c : children) {
                    final long[] t = c.taken.get(p.name);
                    if (t != null) {
                        count += t[0];
                        sum += t[1];
                        squares += t[2];
                    }
                }
                final long[] l = left.getOrDefault(p.name, new long[3]);
                count += l[0];
                sum += l[1];
                squares += l[2];
                final long wantSum = n * (n - 1) / 2;
                final long wantSquares = (n - 1) * n * (2 * n - 1) / 6;
                if (count != n || sum != wantSum || squares != wantSquares) {
                    endProblems.add(p.name + ": produced " + n + " tasks, but takes + tasks left = " + count + " (sum " + sum + " vs " + wantSum
                            + ", squares " + squares + " vs " + wantSquares + "): a task was lost or handed off twice");
                }
                tasksChecked += n;
                endLines.add(String.format(Locale.ROOT, "  %s: %,d tasks, %,d handed off, %,d left in the space", p.name, n, count - l[0], l[0]));
            }
            endLines.add(String.format(Locale.ROOT, "  exactly-once: %,d tasks checked: %s", tasksChecked,
                    endProblems.stream().anyMatch(x -> x.contains("twice")) ? "FAILED" : "every task handed off once or still in the space"));
        }
    }

    int producers() {
        return agents / 2;
    }

    private Agent start(final String name, final boolean producer) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        // the whole heap committed and touched at start: resident memory then grows only with what the agent keeps
        // (a leak) or maps, not with the collector touching more of its heap regions for the first time as it cycles
        cmd.addAll(Arrays.asList("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), SoakAgent.class.getName(), dir.toString(), name,
                producer ? "producer" : "consumer", Double.toString(rate), Long.toString(TimeUnit.SECONDS.toMillis(intervalSeconds))));
        final Path log = out.resolve(name + ".log");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Agent(name, producer, p, log);
    }

    private Sample sample(final double seconds) throws IOException, InterruptedException {
        final long[] rss = new long[children.size()];
        long p999 = 0;
        long max = 0;
        long handoffs = 0;
        for (int i = 0; i < children.size(); i++) {
            final Agent a = children.get(i);
            a.poll();
            rss[i] = residentBytes(a.process.pid());
            if (!a.producer) {
                p999 = Math.max(p999, a.lastP999);
                max = Math.max(max, a.lastMax);
                handoffs += a.ops;
            }
        }
        return new Sample(seconds, rss, diskUsage(dir), p999, max, handoffs, oldestCycle(dir));
    }

    private void progress(final Sample s) {
        final StringBuilder rss = new StringBuilder();
        for (long r : s.rssBytes) {
            rss.append(rss.length() == 0 ? "" : " ").append(r / MIB);
        }
        System.out.printf(Locale.ROOT, "t=%5.0fs  handoffs %,d  p99.9 %s  max %s  rss MiB [%s]  /dev/shm %.1f MiB%n", s.seconds, s.handoffs,
                micros(s.p999Nanos), micros(s.maxNanos), rss, s.shmBytes / (double) MIB);
    }

    static String micros(final long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    /** The oldest journal cycle file's name as a number (yyyyMMddHHmm...: it grows as retention retires cycles), or -1. */
    static long oldestCycle(final Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().findFirst()
                    .map(n -> Long.parseLong("0" + n.replaceAll("[^0-9]", ""))).orElse(-1L);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** VmRSS of a live process, from /proc; 0 once it is gone. */
    static long residentBytes(final long pid) {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException gone) {
            return 0;
        }
        return 0;
    }

    /** Memory the directory takes in its file system (allocated blocks, as du counts them: tmpfs files are sparse). */
    static long diskUsage(final Path dir) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            final String line = r.readLine();
            p.waitFor(30, TimeUnit.SECONDS);
            if (line == null || !line.matches("\\d+\\s.*")) {
                return -1;
            }
            return Long.parseLong(line.split("\\s")[0]) * 1024;
        }
    }

    private synchronized void stopAndRemove() {
        for (Agent a : children) {
            if (a.process.isAlive()) {
                a.process.destroyForcibly();
                try {
                    a.process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try {
            Space.delete(dir);
        } catch (RuntimeException | Error ignored) {
            // already removed
        }
    }

    List<Agent> agents() {
        return children;
    }

    List<Sample> samples() {
        return samples;
    }

    int durationSeconds() {
        return durationSeconds;
    }

    double rate() {
        return rate;
    }

    String spaceOptions() {
        return spaceOptions;
    }

    List<String> endProblems() {
        return endProblems;
    }

    List<String> endLines() {
        return endLines;
    }
}
