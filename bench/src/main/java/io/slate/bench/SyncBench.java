package io.slate.bench;

import io.slate.internal.JvmFlags;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.AtomicCounter;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the sync primitives through the public API, uncontended, in one process: a mutex's {@code lock()} +
 * {@code unlock()} (two compare-and-sets on {@code sync.slate} plus the token's load and release store), a counter's
 * {@code add}, a semaphore's {@code acquire()} + {@code release()}. {@link #casPairBaseline()} is the floor measured in
 * the same run: two compare-and-sets on a direct buffer. Journaling is off (the default); none of them should
 * allocate.
 *
 * <p>Contended handoff between two JVMs is measured by {@link Handoff}, a separate program (JMH cannot place the
 * waiter in another process; with {@code -cp} the jar manifest's JVM flags do not apply, so they are passed):
 * <pre>
 * J=bench/target/benchmarks.jar; java $(java -cp $J io.slate.internal.JvmFlags) -cp $J 'io.slate.bench.SyncBench$Handoff' [ITERATIONS]
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SyncBench {
    private Mutex mutex;
    private AtomicCounter counter;
    private Semaphore semaphore;
    private UnsafeBuffer baseline;

    /** Makes this thread's primitives in the trial's space. */
    @Setup(Level.Trial)
    public void setUp(final SpaceState state) {
        final Sync sync = Sync.of(state.space());
        final String thread = Long.toString(Thread.currentThread().getId());
        mutex = sync.mutex("bench-mutex-" + thread);
        counter = sync.counter("bench-counter-" + thread);
        semaphore = sync.semaphore("bench-semaphore-" + thread, 4);
        baseline = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    }

    /** {@link Mutex#lock()} then {@link Mutex#unlock()}, nobody else wanting it; returns the fencing token. */
    @Benchmark
    public long lockUnlock() {
        final long token = mutex.lock();
        mutex.unlock();
        return token;
    }

    /** {@link AtomicCounter#add(long)}: one atomic add on shared memory. */
    @Benchmark
    public long counterAdd() {
        return counter.add(1);
    }

    /** {@link Semaphore#acquire()} then {@link Semaphore#release()}: the guard taken twice, the holder table scanned twice. */
    @Benchmark
    public int semaphoreAcquireRelease() {
        semaphore.acquire();
        semaphore.release();
        return semaphore.permits();
    }

    /** Floor: compare-and-set 0 to 1 and back on a direct buffer, what lock + unlock cannot beat. */
    @Benchmark
    public boolean casPairBaseline() {
        return baseline.compareAndSetLong(0, 0, 1) & baseline.compareAndSetLong(0, 1, 0);
    }

    /**
     * Mutex handoff latency between two JVMs: the time from the holder's {@code unlock()} to the waiter's
     * {@code lock()} returning, with the waiter already waiting (spinning, as the default idle strategy does first).
     * The two processes take turns: the holder waits until the other has announced it is about to wait, lets it get
     * into its wait loop (about 2 us), stamps {@link System#nanoTime()} (CLOCK_MONOTONIC, the same clock in every
     * process on the host) into a shared counter and unlocks; the waiter reads the stamp as soon as it holds the
     * mutex. Each side prints its percentiles after a warm-up of a fifth of the iterations.
     */
    public static final class Handoff {
        private static final long SETTLE_NANOS = 2_000;
        private static final long PEER_WAIT_SECONDS = 60;

        private Handoff() {
        }

        /** {@code [ITERATIONS]} runs both sides (starting the peer JVM); {@code --peer DIR ITERATIONS} is the peer. */
        public static void main(final String[] args) throws Exception {
            if (args.length == 3 && args[0].equals("--peer")) {
                try (Space space = Space.open(SpaceOptions.at(Paths.get(args[1])).agentId("handoff-b"))) {
                    System.out.println(run(space, false, Integer.parseInt(args[2])));
                }
                return;
            }
            final int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
            final Path dir = SpaceState.newDirectory("handoff");
            Process peer = null;
            try (Space space = Space.open(SpaceOptions.at(dir).agentId("handoff-a"))) {
                final Sync sync = Sync.of(space);
                sync.mutex("handoff").lock(); // A holds first; B's first turn is to wait
                final List<String> cmd = new ArrayList<>();
                cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(JvmFlags.arguments());
                cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add(Handoff.class.getName());
                cmd.add("--peer");
                cmd.add(dir.toString());
                cmd.add(Integer.toString(iterations));
                peer = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                final String mine = run(space, true, iterations);
                final String theirs;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
                    final StringBuilder sb = new StringBuilder();
                    String line;
                    while ((line = r.readLine()) != null) {
                        sb.append(line).append('\n');
                    }
                    theirs = sb.toString().strip();
                }
                if (!peer.waitFor(PEER_WAIT_SECONDS, TimeUnit.SECONDS) || peer.exitValue() != 0) {
                    throw new IllegalStateException("peer JVM failed: " + theirs);
                }
                System.out.println("mutex handoff between two JVMs, " + iterations + " handoffs each way, " + Runtime.getRuntime().availableProcessors()
                        + " CPUs, idle strategy " + space.options().idleStrategy().get().alias());
                System.out.println("  to A: " + mine);
                System.out.println("  to B: " + theirs);
            } finally {
                if (peer != null && peer.isAlive()) {
                    peer.destroyForcibly();
                    peer.waitFor(PEER_WAIT_SECONDS, TimeUnit.SECONDS);
                }
                SpaceState.delete(dir);
            }
        }

        /**
         * One side: {@code iterations} times, wait for the mutex, then hand it back. Turns are counted by "announce":
         * a waiter adds 1 just before it calls {@code lock()}, and the holder unlocks only after seeing that.
         */
        private static String run(final Space space, final boolean holdsFirst, final int iterations) {
            final Sync sync = Sync.of(space);
            final Mutex m = sync.mutex("handoff");
            final AtomicCounter announce = sync.counter("handoff-announce");
            final AtomicCounter stamp = sync.counter("handoff-stamp");
            final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
            final int warmUp = iterations / 5;
            // A waits for odd announce counts (B is waiting), B for even ones
            long expected = holdsFirst ? 1 : 2;
            if (holdsFirst) {
                handBack(m, announce, stamp, expected, m.lastToken());
                expected += 2;
            }
            for (int i = 0; i < iterations; i++) {
                announce.add(1);
                final long token = m.lock();
                final long handoff = System.nanoTime() - stamp.get();
                if (i >= warmUp) {
                    h.recordValue(Math.min(handoff, h.getHighestTrackableValue()));
                }
                if (holdsFirst && i == iterations - 1) {
                    m.unlock(); // the last acquisition of all
                } else {
                    handBack(m, announce, stamp, expected, token);
                    expected += 2;
                }
            }
            return String.format(Locale.ROOT, "p50 %.2f us, p90 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.1f us (%d samples)",
                    h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, h.getTotalCount());
        }

        /**
         * Waits until the other side has announced (the count reaches {@code announced}), lets it settle into its wait,
         * stamps the time and unlocks; then waits until the other side has acquired (the token moved past
         * {@code token}), so this side cannot take the mutex back before it.
         */
        private static void handBack(final Mutex m, final AtomicCounter announce, final AtomicCounter stamp, final long announced,
                                     final long token) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PEER_WAIT_SECONDS);
            while (announce.get() < announced) {
                checkDeadline(deadline, "the other side never announced turn " + announced);
                Thread.onSpinWait();
            }
            final long settle = System.nanoTime() + SETTLE_NANOS;
            while (System.nanoTime() - settle < 0) {
                Thread.onSpinWait();
            }
            stamp.compareAndSet(stamp.get(), System.nanoTime()); // only the holder writes it
            m.unlock();
            while (m.lastToken() == token) {
                checkDeadline(deadline, "the other side never acquired after token " + token);
                Thread.onSpinWait();
            }
        }

        private static void checkDeadline(final long deadline, final String problem) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(problem);
            }
        }
    }
}
