package io.slate.bench;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to get a space sized for {@value #ENTRIES} entries, one shot per iteration: {@link #create1M} creates it in a
 * fresh directory under {@code /dev/shm} and closes it; {@link #reopen1M} attaches to one that exists (what every
 * agent after the first does) and closes it. Deleting the directory is left out of the measured time.
 *
 * <p>Nothing opens a space in {@link #create1M}'s fork before its first warmup iteration, so that iteration is the
 * cold first open of a fresh JVM (class loading, Chronicle start-up); the score counts only the warm ones.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OpenBench {
    /** The capacity the space is created with. */
    public static final long ENTRIES = 1_000_000;

    static SpaceOptions options(final Path dir) {
        return SpaceOptions.at(dir).agentId("bench-open").maxEntries(ENTRIES);
    }

    /** A directory that does not exist yet, fresh for every iteration. */
    @State(Scope.Thread)
    public static class Fresh {
        private Path dir;

        /** Picks the directory; {@link Space#open} creates it. */
        @Setup(Level.Iteration)
        public void pick() {
            dir = SpaceState.newDirectory("open1m");
        }

        /** Removes what the iteration made. */
        @TearDown(Level.Iteration)
        public void delete() {
            SpaceState.delete(dir);
        }
    }

    /** A space for 1M entries created (and closed) before the trial. */
    @State(Scope.Thread)
    public static class Existing {
        private Path dir;

        /** Creates the space. */
        @Setup(Level.Trial)
        public void create() {
            dir = SpaceState.newDirectory("open1m-existing");
            Space.open(options(dir)).close();
        }

        /** Removes it. */
        @TearDown(Level.Trial)
        public void delete() {
            SpaceState.delete(dir);
        }
    }

    /** Creates a space for 1M entries in a fresh directory, then closes it. */
    @Benchmark
    public long create1M(final Fresh fresh) {
        try (Space space = Space.open(options(fresh.dir))) {
            return space.kv().size();
        }
    }

    /** Opens an existing space for 1M entries, then closes it. */
    @Benchmark
    public long reopen1M(final Existing existing) {
        try (Space space = Space.open(options(existing.dir))) {
            return space.kv().size();
        }
    }
}
