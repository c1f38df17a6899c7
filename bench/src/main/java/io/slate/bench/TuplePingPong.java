package io.slate.bench;

import io.slate.idle.BusySpinIdleStrategy;
import io.slate.internal.ChronicleJournal;
import io.slate.internal.ChronicleSpace;
import io.slate.internal.JvmFlags;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.tuple.Template;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Round trip of a tuple between two JVMs: the pinger {@code out}s ("ping", n) and spins on {@code inp} of
 * ("pong", ?long); the echo spins on {@code inp} of ("ping", ?long) and {@code out}s ("pong", n). Every leg is an
 * {@code out} and a take (two journal appends, the take read back), so a round trip is four appends and two handoffs.
 * Round trips are timed one at a time (no coordinated omission: the next ping leaves when the previous pong arrived)
 * into an HdrHistogram.
 *
 * <p>The baseline, measured first by the same launcher: the same exchange as bare journal records (one append per leg,
 * read by a spinning journal tailer), i.e. the floor that the journal underneath sets on this machine at this moment.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.slate.bench.TuplePingPong [ROUND_TRIPS [WARMUP]]
 * </pre>
 * Defaults: 200,000 round trips after 50,000 of warm-up. The launcher starts the echo and the pinger as two child
 * JVMs with the flags Chronicle needs, in spaces under {@code /dev/shm} that it removes at the end. Both sides spin:
 * on a 2-core machine they take both cores.
 */
public final class TuplePingPong {
    private static final Template PING = Template.of("ping", Template.ANY_LONG);
    private static final Template PONG = Template.of("pong", Template.ANY_LONG);
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final byte[] NO_BYTES = new byte[0];

    private TuplePingPong() {
    }

    /** {@code [ROUND_TRIPS [WARMUP]]}, or internally {@code --echo DIR} / {@code --ping DIR ROUND_TRIPS WARMUP}. */
    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--echo")) {
            echo(Paths.get(args[1]));
        } else if (args.length > 0 && args[0].equals("--ping")) {
            ping(Paths.get(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else if (args.length > 0 && args[0].equals("--raw-echo")) {
            rawEcho(Paths.get(args[1]));
        } else if (args.length > 0 && args[0].equals("--raw-ping")) {
            rawPing(Paths.get(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            final int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
            final int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
            launch("--raw-echo", "--raw-ping", roundTrips, warmup);
            launch("--echo", "--ping", roundTrips, warmup);
        }
    }

    private static Space open(final Path dir, final String agent) {
        return Space.open(SpaceOptions.at(dir).agentId(agent).idleStrategy(BusySpinIdleStrategy::new));
    }

    private static void launch(final String echoRole, final String pingRole, final int roundTrips, final int warmup) throws Exception {
        final Path dir = Paths.get("/dev/shm", "slate-bench-pingpong-" + ProcessHandle.current().pid());
        Process echo = null;
        Process ping = null;
        try {
            echo = start(echoRole, dir.toString());
            final BufferedReader echoOut = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
            final String ready = echoOut.readLine();
            if (!"READY".equals(ready)) {
                throw new IllegalStateException("echo JVM did not start: " + ready);
            }
            ping = start(pingRole, dir.toString(), Integer.toString(roundTrips), Integer.toString(warmup));
            try (BufferedReader r = new BufferedReader(new InputStreamReader(ping.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println(line);
                }
            }
            if (!ping.waitFor(5, TimeUnit.MINUTES) || ping.exitValue() != 0) {
                throw new IllegalStateException("ping JVM failed (exit " + (ping.isAlive() ? "none" : ping.exitValue()) + ")");
            }
            if (!echo.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("echo JVM did not stop");
            }
        } finally {
            for (final Process p : new Process[] {ping, echo}) {
                if (p != null && p.isAlive()) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
            Space.delete(dir);
        }
    }

    private static Process start(final String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TuplePingPong.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Takes every ping and answers with a pong of the same number; stops at ping -1. */
    private static void echo(final Path dir) {
        try (Space space = open(dir, "echo"); TupleSpace ts = TupleSpace.of(space, "pingpong")) {
            final TupleBuffer in = new TupleBuffer();
            final TupleBuffer out = new TupleBuffer();
            System.out.println("READY");
            System.out.flush();
            while (true) {
                await(ts, PING, in);
                final long n = in.getLong(1);
                if (n < 0) {
                    return;
                }
                ts.out(out.clear().addString("pong").addLong(n));
            }
        }
    }

    /** Answers every bare "ping" record with a "pong" record of the same version; stops at version -1. */
    private static void rawEcho(final Path dir) {
        try (Space space = open(dir, "echo"); Tailer t = space.journal().tailerFromEnd()) {
            final ChronicleJournal journal = ((ChronicleSpace) space).chronicleJournal();
            System.out.println("READY");
            System.out.flush();
            while (true) {
                final JournalRecord r = awaitRecord(t, "ping");
                final long n = r.version();
                if (n < 0) {
                    return;
                }
                journal.append(Op.PUT, 0, n, "pong", NO_BYTES, 0, 0);
            }
        }
    }

    private static void rawPing(final Path dir, final int roundTrips, final int warmup) {
        final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (Space space = open(dir, "ping"); Tailer t = space.journal().tailerFromEnd()) {
            final ChronicleJournal journal = ((ChronicleSpace) space).chronicleJournal();
            final long start = System.nanoTime();
            for (int i = 0; i < warmup + roundTrips; i++) {
                final long t0 = System.nanoTime();
                journal.append(Op.PUT, 0, i, "ping", NO_BYTES, 0, 0);
                final JournalRecord r = awaitRecord(t, "pong");
                final long rtt = System.nanoTime() - t0;
                if (r.version() != i) {
                    throw new IllegalStateException("pong " + r.version() + " for ping " + i);
                }
                if (i >= warmup) {
                    h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
                }
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            journal.append(Op.PUT, 0, -1, "ping", NO_BYTES, 0, 0);
            report("baseline, bare journal records between two JVMs (one append each way, spinning tailers)", h, roundTrips, warmup, seconds);
        }
    }

    /** Spins on the tailer until a record with this key; skips others (each side also reads its own). */
    private static JournalRecord awaitRecord(final Tailer t, final String key) {
        final long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (true) {
            final JournalRecord r = t.next(0, TimeUnit.NANOSECONDS);
            if (r != null) {
                if (key.contentEquals(r.key())) {
                    return r;
                }
            } else if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no '" + key + "' record for " + TimeUnit.NANOSECONDS.toSeconds(MAX_WAIT_NANOS) + " s");
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private static void report(final String what, final Histogram h, final int roundTrips, final int warmup, final double seconds) {
        System.out.printf(Locale.ROOT, "%s: %,d round trips after %,d warm-up, %.1f s%n", what, roundTrips, warmup, seconds);
        System.out.printf(Locale.ROOT, "  round trip us: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  p99.99 %.2f  max %.1f  (mean %.2f)%n",
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3, h.getMean() / 1e3);
    }

    private static void ping(final Path dir, final int roundTrips, final int warmup) {
        final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (Space space = open(dir, "ping"); TupleSpace ts = TupleSpace.of(space, "pingpong")) {
            final TupleBuffer in = new TupleBuffer();
            final TupleBuffer out = new TupleBuffer();
            final long start = System.nanoTime();
            for (int i = 0; i < warmup + roundTrips; i++) {
                final long t0 = System.nanoTime();
                ts.out(out.clear().addString("ping").addLong(i));
                await(ts, PONG, in);
                final long rtt = System.nanoTime() - t0;
                if (in.getLong(1) != i) {
                    throw new IllegalStateException("pong " + in.getLong(1) + " for ping " + i);
                }
                if (i >= warmup) {
                    h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
                }
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            ts.out(out.clear().addString("ping").addLong(-1));
            report("tuples between two JVMs (out + inp each way, both spinning)", h, roundTrips, warmup, seconds);
        }
    }

    /** Spins on {@code inp} until a tuple matching {@code t} is taken into {@code into}. */
    private static void await(final TupleSpace ts, final Template t, final TupleBuffer into) {
        final long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (!ts.inp(t, into)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("nothing matching " + t + " for " + TimeUnit.NANOSECONDS.toSeconds(MAX_WAIT_NANOS) + " s");
            }
            Thread.onSpinWait();
        }
    }
}
