package io.slate.bench;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One space shared by all threads of a benchmark: opened in a fresh directory under {@code /dev/shm} for the
 * trial, closed and deleted after it.
 *
 * <p>Directories live under {@link #root()}: the directory named by the system property {@value #ROOT_PROPERTY}
 * (set by {@link BenchMain} for its forks, which deletes it after the run) or {@code /dev/shm/slate-bench-<pid>}.
 */
@State(Scope.Benchmark)
public class SpaceState {
    /** System property naming the directory that benchmark spaces are created under. */
    public static final String ROOT_PROPERTY = "slate.bench.root";
    /** Capacity of the benchmark space: room for every thread's keys with plenty of slack. */
    public static final long MAX_ENTRIES = 100_000;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Space space;

    /** Opens the space in a fresh directory. */
    @Setup(Level.Trial)
    public void open() {
        space = Space.open(SpaceOptions.at(newDirectory("kv")).agentId("bench-" + ProcessHandle.current().pid())
                .maxEntries(MAX_ENTRIES));
    }

    /** Closes the space and removes its directory. */
    @TearDown(Level.Trial)
    public void close() {
        if (space != null) {
            final Path dir = space.directory();
            space.close();
            space = null;
            delete(dir);
        }
    }

    /** The open space. */
    public Space space() {
        return space;
    }

    /** Directory that benchmark spaces are created under. */
    public static Path root() {
        final String configured = System.getProperty(ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        return Paths.get("/dev/shm", "slate-bench-" + ProcessHandle.current().pid());
    }

    /** A not yet existing directory under {@link #root()}; {@link io.slate.space.Space#open} creates it. */
    public static Path newDirectory(final String label) {
        return root().resolve(label + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
    }

    /** Deletes a space directory, then {@link #root()} too if that is now empty. */
    public static void delete(final Path dir) {
        Space.delete(dir);
        try {
            Files.deleteIfExists(root());
        } catch (DirectoryNotEmptyException e) {
            // another space of this run still lives there
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes a directory tree (spaces, queues, rings, sockets, logs) as well as it can, printing on stderr, as
     * {@code who}, what it cannot remove: for cleaning up after a benchmark, where a leftover must not fail the run.
     */
    public static void deleteTree(final Path dir, final String who) {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println(who + ": cannot delete " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException e) {
            System.err.println(who + ": cannot clean up " + dir + ": " + e.getMessage());
        }
    }
}
