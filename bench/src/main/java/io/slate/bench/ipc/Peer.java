package io.slate.bench.ipc;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A child JVM of the harness ({@link IpcBench} starts them; not meant to be run by hand). Arguments are
 * {@code key=value} pairs; it talks to the harness in lines on stdout, and takes commands on stdin.
 *
 * <p>{@code role=pair}: one side of a latency case. Side B opens first, prints {@code READY <address>}, answers
 * round trips, then receives the one-way messages and prints {@code RESULT oneway ...}. Side A runs the round trips
 * ({@code RESULT rtt ...}), then sends the one-way messages at the fixed rate ({@code SENT ...}). Both print
 * {@code FINISHED} and close their endpoint when the harness sends {@code CLOSE} (A first: B may host what A uses).
 *
 * <p>{@code role=writer}: one writer JVM of the throughput runs: {@code OPEN kind bytes dir} / {@code OPENED},
 * {@code GO startNanos endNanos settleMillis} / {@code COUNT ops elapsedNanos allocatedBytesPerOp}, {@code CLOSE} / {@code CLOSED},
 * {@code QUIT}.
 */
public final class Peer {
    private static final int CLOCK_CHECK_OPS = 64;

    private Peer() {
    }

    /** Entry point of a child JVM; exits 1 (with the stack trace on stderr) when its part fails. */
    public static void main(final String[] args) {
        final Map<String, String> a = new HashMap<>();
        for (final String arg : args) {
            final int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        try {
            final BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if ("writer".equals(a.get("role"))) {
                writer(a, commands);
            } else {
                SlateEndpoints.housekeeping = Boolean.parseBoolean(a.getOrDefault("housekeeping", "true"));
                pair(a, commands);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // non-daemon threads of a transport (Aeron's, Chronicle's) must not keep it alive
    }

    private static void say(final String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static String required(final Map<String, String> a, final String key) {
        final String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key + "=");
        }
        return v;
    }

    private static int number(final Map<String, String> a, final String key) {
        return Integer.parseInt(required(a, key));
    }

    private static void pair(final Map<String, String> a, final BufferedReader commands) throws IOException {
        final String name = required(a, "case");
        final boolean sideA = "A".equals(required(a, "side"));
        final Path dir = Paths.get(required(a, "dir"));
        final int payload = number(a, "payload");
        // the measuring thread is pinned. An etcd case's space starts the client's own threads (gRPC's and Netty's event
        // loops, jetcd's executor), which a thread inherits its CPUs from its creator: opened after the pinning, they
        // were all bound to the measuring thread's one CPU, and every answer and watch event waited for that CPU even
        // while the other was free. They are started before it now, so they keep every CPU, as the raw jetcd floor's
        // threads do (it runs unpinned in the harness). A shared-memory case has no such threads on its path and is
        // opened after the pinning, as before. (The etcd backend now opens on the process's CPUs whatever the opening
        // thread's pinning, and Slate's own threads run there too: this order only keeps the runs comparable.)
        final boolean clientThreads = Cases.isEtcd(name);
        final Endpoint e = clientThreads ? Cases.open(name, dir, payload, sideA, a.getOrDefault("address", "")) : null;
        final Pinning pin = Pinning.pin(number(a, "cpu"), a.getOrDefault("nopin", "not asked"));
        say("PIN " + pin.description() + (clientThreads ? " (its etcd client's threads on every CPU)" : ""));
        final Endpoint opened = e != null ? e : Cases.open(name, dir, payload, sideA, a.getOrDefault("address", ""));
        pairOn(opened, a, sideA, commands, pin);
    }

    private static void pairOn(final Endpoint e, final Map<String, String> a, final boolean sideA, final BufferedReader commands,
                               final Pinning pin) throws IOException {
        try {
            if (sideA) {
                e.connect();
                final long settle = number(a, "settle");
                final Loops.Measured rtt = Loops.roundTrips(e, number(a, "rttWarmup"), number(a, "rtt"), settle);
                say("RESULT rtt " + rtt.elapsedNanos + " " + format(rtt.allocatedBytesPerOp) + " " + encode(rtt.histogram));
                final double sent = Loops.sendAtFixedRate(e, number(a, "owWarmup"), number(a, "ow"), number(a, "rate"), settle);
                say("SENT " + format(sent));
            } else {
                say("READY " + e.address());
                e.connect();
                Loops.echo(e);
                final Loops.Measured ow = Loops.receive(e, number(a, "owWarmup"));
                say("RESULT oneway " + ow.elapsedNanos + " " + format(ow.allocatedBytesPerOp) + " " + encode(ow.histogram));
            }
            say("FINISHED");
            awaitCommand(commands, "CLOSE");
        } finally {
            e.close();
            pin.release();
        }
    }

    private static void writer(final Map<String, String> a, final BufferedReader commands) throws IOException {
        final int index = number(a, "index");
        Pinning pin = Pinning.pin(number(a, "cpu"), a.getOrDefault("nopin", "not asked"));
        say("PIN " + pin.description());
        say("READY");
        Writers.Writer w = null;
        try {
            while (true) {
                final String line = commands.readLine();
                if (line == null || line.equals("QUIT")) {
                    return;
                }
                final String[] f = line.split(" ");
                switch (f[0]) {
                    case "OPEN":
                        if (Cases.isEtcd(f[1])) {
                            // an etcd writer waits on every request, and the client threads the open starts inherit this
                            // thread's CPUs: pinned, they all shared its one CPU (as the latency pairs' did until session 8;
                            // the backend's open now runs on every CPU anyway). The writer itself stays unpinned, as before
                            pin = pin.everyCpu();
                        }
                        w = Writers.open(f[1], f[3], Integer.parseInt(f[2]), index);
                        say("OPENED");
                        break;
                    case "GO":
                        say(run(w, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
                        break;
                    case "CLOSE":
                        w.close();
                        w = null;
                        pin.release();
                        pin = Pinning.pin(number(a, "cpu"), a.getOrDefault("nopin", "not asked")); // as the next kind expects
                        say("CLOSED");
                        break;
                    default:
                        throw new IllegalArgumentException("unknown command " + line);
                }
            }
        } finally {
            if (w != null) {
                w.close();
            }
            pin.release();
        }
    }

    /**
     * Warms up until {@code settleMillis} before {@code start}, sleeps until {@code start} (the JIT gets the CPUs),
     * then counts operations until {@code end}; checks the clock every 64 operations.
     */
    private static String run(final Writers.Writer w, final long start, final long end, final long settleMillis) {
        long seq = 0;
        final long warmEnd = start - settleMillis * 1_000_000L;
        while (System.nanoTime() - warmEnd < 0) {
            for (int i = 0; i < CLOCK_CHECK_OPS; i++) {
                w.op(seq++);
            }
        }
        final long left = start - System.nanoTime();
        if (left > 0) {
            Loops.settle(left / 1_000_000L);
        }
        final long bytes0 = Loops.allocatedBytes();
        final long t0 = System.nanoTime();
        long count = 0;
        long now;
        do {
            for (int i = 0; i < CLOCK_CHECK_OPS; i++) {
                w.op(seq++);
            }
            count += CLOCK_CHECK_OPS;
            now = System.nanoTime();
        } while (now - end < 0);
        final long bytes = Loops.allocatedBytes() - bytes0;
        return "COUNT " + count + " " + (now - t0) + " " + format((double) bytes / count);
    }

    private static void awaitCommand(final BufferedReader commands, final String expected) throws IOException {
        final String line = commands.readLine();
        if (line != null && !line.equals(expected)) {
            throw new IllegalStateException("expected " + expected + ", got " + line);
        }
    }

    private static String format(final double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

    /** A histogram as one token: base64 of HdrHistogram's compressed encoding. */
    static String encode(final Histogram h) {
        final ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        final int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b.array(), n));
    }

    /** The inverse of {@link #encode}. */
    static Histogram decode(final String token) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(token)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }
}
