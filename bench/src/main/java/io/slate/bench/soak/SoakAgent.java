package io.slate.bench.soak;

import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.kv.Values;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One agent JVM of the soak: a producer or a consumer of task tuples, each also writing key/value state, a shared
 * compare-and-set counter, a mutex and a semaphore, so that every part of a space is used for the whole run.
 *
 * <ul>
 *   <li>A producer outs {@code ("task", producer, seq, intendedNanos)} at a fixed rate: the n-th task is due at
 *   start + n / rate, and carries that intended time (a producer that falls behind does not stretch the schedule,
 *   so its lateness shows in the latency: no coordinated omission).</li>
 *   <li>A consumer takes tasks with take-with-ack and records {@code now - intendedNanos} (System.nanoTime is one
 *   clock for all processes of a host) in a histogram per interval.</li>
 * </ul>
 * Every interval each agent prints one line, {@code I <seconds> <ops> <samples> <p50> <p99> <p999> <max>}
 * (latencies in ns; producers print 0 samples). It prints {@code READY} once it has opened everything, starts when
 * {@code dir/soak.go} exists, and stops when {@code dir/soak.stop} exists. An exception is
 * printed as {@code ERROR ...} and ends the process with status 3.
 *
 * <p>args: {@code dir agent producer|consumer rate intervalMillis}. At the stop a producer prints
 * {@code PRODUCED n} (its tasks have sequence numbers 0..n-1) and a consumer prints, per producer it took from,
 * {@code TAKEN producer count sum sumOfSquares} of the sequence numbers it took, so the monitor can check that every
 * task was handed off exactly once.
 */
public final class SoakAgent {
    static final String STOP_FILE = "soak.stop";
    /** Created once every agent is ready, so all start their schedules together (JVM start-up is not measured). */
    static final String GO_FILE = "soak.go";
    static final Template TASKS = Template.of("task", Template.ANY_STRING, Template.ANY_LONG, Template.ANY_LONG);

    private SoakAgent() {
    }

    /** The options every process of the soak opens the space with: the defaults (bounded journal, five-minute cycles). */
    static SpaceOptions options(final Path dir, final String agent) {
        return SpaceOptions.at(dir).agentId(agent);
    }

    public static void main(final String[] args) {
        final Path dir = Paths.get(args[0]);
        final String agent = args[1];
        final boolean producer = args[2].equals("producer");
        final double rate = Double.parseDouble(args[3]);
        final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4]));
        try (Space space = Space.open(options(dir, agent))) {
            run(space, dir, agent, producer, rate, intervalNanos);
        } catch (Throwable t) {
            System.out.println("ERROR " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(3);
        }
    }

    private static void run(final Space space, final Path dir, final String agent, final boolean producer, final double rate,
                            final long intervalNanos) {
        final KeyValue kv = space.kv();
        final TupleSpace tasks = TupleSpace.of(space, "tasks");
        final Sync sync = Sync.of(space);
        final Mutex mutex = sync.mutex("soak-mutex");
        final Semaphore semaphore = sync.semaphore("soak-permits", 2);
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final EntryBuffer buf = new EntryBuffer();
        final TupleBuffer task = new TupleBuffer();
        final byte[] digits = new byte[20];
        final byte[] state = ("agent " + agent + " state ").getBytes(StandardCharsets.UTF_8);
        final String stateKey = "state/" + agent;
        final Path stop = dir.resolve(STOP_FILE);
        final long periodNanos = (long) (1e9 / rate);
        final java.util.Map<String, long[]> taken = new java.util.TreeMap<>();
        // touch everything once before the start (Chronicle Map generates code on first use)
        kv.put(stateKey, state);
        kv.get(stateKey, buf);
        tasks.rdp(TASKS, task);
        mutex.lock();
        mutex.unlock();
        semaphore.acquire();
        semaphore.release();
        System.out.println("READY");
        System.out.flush();
        awaitGo(dir.resolve(GO_FILE));
        final long start = System.nanoTime();
        long nextReport = start + intervalNanos;
        long ops = 0;
        long seq = 0;
        while (true) {
            final long now = System.nanoTime();
            if (now - nextReport >= 0) {
                report(now - start, ops, latency);
                latency.reset();
                nextReport += intervalNanos;
                if (Files.exists(stop)) {
                    if (producer) {
                        System.out.println("PRODUCED " + seq);
                    } else {
                        taken.forEach((p, t) -> System.out.println("TAKEN " + p + " " + t[0] + " " + t[1] + " " + t[2]));
                    }
                    System.out.println("STOPPED " + ops);
                    return;
                }
            }
            if (producer) {
                final long due = start + seq * periodNanos;
                if (now - due < 0) {
                    LockSupport.parkNanos(Math.min(due - now, 200_000));
                    continue;
                }
                tasks.out(Tuple.of("task", agent, seq, due));
                seq++;
            } else {
                final Taken t = tasks.inWithAck(TASKS, 20, TimeUnit.MILLISECONDS);
                if (t == null) {
                    continue;
                }
                final long intended = t.tuple().getLong(3);
                if (t.ack()) {
                    final long[] c = taken.computeIfAbsent(t.tuple().getString(1), k -> new long[3]);
                    final long n = t.tuple().getLong(2);
                    c[0]++;
                    c[1] += n;
                    c[2] += n * n;
                }
                latency.recordValue(Math.min(Math.max(System.nanoTime() - intended, 0), latency.getHighestTrackableValue()));
            }
            ops++;
            kv.put(stateKey, state);
            if (ops % 10 == 0) {
                // the shared counter, by compare-and-set
                while (true) {
                    final long v = kv.get("soak-counter", buf);
                    final long next = (v == KeyValue.ABSENT ? 0 : buf.valueAsLong()) + 1;
                    final int n = Values.writeDecimal(next, digits, 0);
                    if (kv.compareAndSet("soak-counter", v, digits, 0, n) > 0) {
                        break;
                    }
                }
                mutex.lock();
                mutex.unlock();
                semaphore.acquire();
                semaphore.release();
            }
        }
    }

    private static void awaitGo(final Path go) {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("never told to go: " + go);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void report(final long elapsedNanos, final long ops, final Histogram h) {
        final long n = h.getTotalCount();
        System.out.printf(Locale.ROOT, "I %.3f %d %d %d %d %d %d%n", elapsedNanos / 1e9, ops, n,
                n == 0 ? 0 : h.getValueAtPercentile(50), n == 0 ? 0 : h.getValueAtPercentile(99),
                n == 0 ? 0 : h.getValueAtPercentile(99.9), n == 0 ? 0 : h.getMaxValue());
        System.out.flush();
    }
}
