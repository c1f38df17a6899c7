package io.slate.bench;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The tuple space in one process, through the public API: an {@code out} followed by the {@code inp} that takes it
 * (both journal appends, the take read back to learn it won), the same with {@code inWithAck} + {@code ack}, and the
 * cost of matching alone ({@code rdp} of a resident tuple, and of a shape nobody wrote).
 *
 * <p>{@link #preloaded} unrelated tuples of other shapes are written before measuring: a third of arity 3 with string
 * first fields, a third of arity 2 with long first fields, a third of arity 2 with other string first fields (the
 * benchmark's own tuples are {@code ("job", long)}). Matching uses the index by arity and first field, so its cost must
 * not grow with them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class TupleBench {
    /** Unrelated tuples of other shapes in the space while measuring. */
    @Param({"10", "1000000"})
    public int preloaded;

    private static final Template JOB = Template.of("job", Template.ANY_LONG);
    private static final Template PROBE = Template.of("probe", Template.ANY_LONG);
    private static final Template ABSENT = Template.of("absent", Template.ANY_LONG);

    private Space space;
    private TupleSpace tuples;
    private final TupleBuffer out = new TupleBuffer();
    private final TupleBuffer in = new TupleBuffer();
    private long seq;

    /** Opens a fresh space, writes the unrelated tuples and one probe, and lets the handle index them. */
    @Setup(Level.Trial)
    public void setUp() {
        space = Space.open(SpaceOptions.at(SpaceState.newDirectory("tuples")).agentId("bench-" + ProcessHandle.current().pid()));
        tuples = TupleSpace.of(space, "bench");
        final long t0 = System.nanoTime();
        for (int i = 0; i < preloaded; i++) {
            switch (i % 3) {
                case 0:
                    out.clear().addString("other-" + (i & 63)).addLong(i).addDouble(0.5);
                    break;
                case 1:
                    out.clear().addLong(i).addString("x");
                    break;
                default:
                    out.clear().addString("noise-" + (i & 63)).addLong(i);
                    break;
            }
            tuples.out(out);
        }
        tuples.out(out.clear().addString("probe").addLong(1));
        if (tuples.count(PROBE) != 1) {
            throw new IllegalStateException("probe tuple not found");
        }
        System.out.printf("%n[TupleBench] preloaded %,d tuples and indexed them in %.2f s%n", preloaded, (System.nanoTime() - t0) / 1e9);
    }

    /** Closes and removes the space. */
    @TearDown(Level.Trial)
    public void tearDown() {
        final Path dir = space.directory();
        tuples.close();
        space.close();
        SpaceState.delete(dir);
    }

    /** {@code out} of ("job", n) then {@code inp} of ("job", ?long) into a reused buffer: one producer/consumer pair. */
    @Benchmark
    public long outInp() {
        tuples.out(out.clear().addString("job").addLong(seq++));
        if (!tuples.inp(JOB, in)) {
            throw new IllegalStateException("the job just written was not taken");
        }
        return in.id();
    }

    /** {@code out}, {@code inWithAck} and {@code ack}: three appends (allocates the {@link Taken} and its tuple). */
    @Benchmark
    public boolean outInWithAckAck() {
        tuples.out(out.clear().addString("job").addLong(seq++));
        final Taken t = tuples.inWithAck(JOB, 0, TimeUnit.NANOSECONDS);
        if (t == null) {
            throw new IllegalStateException("the job just written was not taken");
        }
        return t.ack();
    }

    /** {@code rdp} of the one ("probe", ?long) tuple into a reused buffer: catch-up at the journal's end plus matching. */
    @Benchmark
    public boolean rdpHit() {
        return tuples.rdp(PROBE, in);
    }

    /** {@code rdp} of a shape never written: the index answers without looking at any tuple. */
    @Benchmark
    public boolean rdpMiss() {
        return tuples.rdp(ABSENT, in);
    }
}
