package io.slate.bench;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.tuple.Template;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code out} and {@code inp} each on their own ({@link TupleBench#outInp()} measures them as a pair), in a fresh space
 * per iteration, allocation-free variants (a reused {@link TupleBuffer}).
 *
 * <ul>
 *   <li>{@link #out}: writes ("job", n); nobody reads in this process, so it is the append and the encoding (the
 *       handle indexes tuples when it next reads);</li>
 *   <li>{@link #inp}: takes ("job", ?long) from {@value #BATCH} tuples written and indexed before the iteration: the
 *       match, the take record appended and read back. One single-shot invocation of {@value #BATCH} takes per
 *       iteration, so no take ever finds the space empty; the score is per take. JMH's GC profiler counts the
 *       iteration's setup here (writing and indexing the batch), so its B/op is not the take's: a take allocates
 *       nothing in steady state ({@link TupleBench#outInp()}, and the harness's {@code slate-tuple} case).</li>
 * </ul>
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TupleOpsBench {
    /** Takes per single-shot iteration of {@link #inp}, and tuples written before it. */
    public static final int BATCH = 100_000;

    private static final Template JOB = Template.of("job", Template.ANY_LONG);

    /** A fresh, empty tuple space per iteration. */
    @State(Scope.Thread)
    public static class Empty {
        Space space;
        TupleSpace tuples;
        final TupleBuffer buffer = new TupleBuffer();
        long seq;

        /** Opens a fresh space. */
        @Setup(Level.Iteration)
        public void open() {
            space = Space.open(SpaceOptions.at(SpaceState.newDirectory("tuple-ops")).agentId("bench-" + ProcessHandle.current().pid()));
            tuples = TupleSpace.of(space, "bench");
        }

        /** Closes and removes the space. */
        @TearDown(Level.Iteration)
        public void close() {
            final Path dir = space.directory();
            tuples.close();
            space.close();
            SpaceState.delete(dir);
        }
    }

    /** A fresh tuple space holding {@value #BATCH} ("job", n) tuples, already indexed by the handle. */
    @State(Scope.Thread)
    public static class Filled extends Empty {
        /** Writes the tuples and lets the handle index them, outside the measurement. */
        @Setup(Level.Iteration)
        public void fill() {
            for (int i = 0; i < BATCH; i++) {
                tuples.out(buffer.clear().addString("job").addLong(i));
            }
            if (tuples.count(JOB) != BATCH) {
                throw new IllegalStateException("expected " + BATCH + " tuples");
            }
        }
    }

    /** Key/value puts in the journal of {@link Puts}. */
    public static final int PUTS = 200_000;

    /** A space whose journal holds {@value #PUTS} key/value puts and no tuple. */
    @State(Scope.Thread)
    public static class Puts {
        Space space;
        int opened;

        /** Writes the puts once per trial. */
        @Setup(Level.Trial)
        public void fill() {
            space = Space.open(SpaceOptions.at(SpaceState.newDirectory("tuple-catch-up")).agentId("bench-" + ProcessHandle.current().pid()));
            final byte[] value = new byte[32];
            for (int i = 0; i < PUTS; i++) {
                space.kv().put("bench/kv-" + (i & 1023), value, 0, value.length);
            }
        }

        /** Closes and removes the space. */
        @TearDown(Level.Trial)
        public void close() {
            final Path dir = space.directory();
            space.close();
            SpaceState.delete(dir);
        }
    }

    /**
     * A new tuple space handle reading the journal from its start to answer one {@code rdp}: {@value #PUTS} key/value
     * records, none of them its own. The score is per record: what a tuple space pays for each record of other kinds
     * it reads past (here and whenever it catches up in a space busy with key/value writes).
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(PUTS)
    public boolean catchUpOverPuts(final Puts s) {
        try (TupleSpace t = TupleSpace.of(s.space, "catch-up-" + s.opened++)) {
            return t.rdp(JOB) != null;
        }
    }

    /** {@code out} of ("job", n) from a reused buffer; returns the tuple's id. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public long out(final Empty s) {
        return s.tuples.out(s.buffer.clear().addString("job").addLong(s.seq++));
    }

    /**
     * {@value #BATCH} {@code inp}s of ("job", ?long) into a reused buffer, one single-shot invocation per iteration
     * (so every take finds a tuple); JMH divides by the {@value #BATCH} operations.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(BATCH)
    public long inp(final Filled s) {
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            if (!s.tuples.inp(JOB, s.buffer)) {
                throw new IllegalStateException("no tuple left to take after " + i);
            }
            sum += s.buffer.getLong(1);
        }
        return sum;
    }
}
