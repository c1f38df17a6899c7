package io.slate.testing;

import io.slate.space.Space;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.UUID;

/** Unique space directories under /dev/shm for tests, removed by {@link #delete(Path)}. */
public final class TestSpaces {
    private TestSpaces() {
    }

    /** A fresh, not yet existing directory under {@code /dev/shm/slate-test/} (or the temp dir when /dev/shm is absent). */
    public static Path newDirectory(final String label) {
        final Path shm = Paths.get("/dev/shm");
        final Path root = Files.isDirectory(shm) ? shm.resolve("slate-test") : Paths.get(System.getProperty("java.io.tmpdir"), "slate-test");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + root, e);
        }
        return root.resolve(label + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Copies a (closed) space directory with everything in it, modes included, to {@code to}, which must not exist. */
    public static void copy(final Path from, final Path to) {
        try (java.util.stream.Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + from + " to " + to, e);
        }
    }

    /** Removes a test directory and, when empty, the shared test root. */
    public static void delete(final Path dir) {
        if (dir == null) {
            return;
        }
        Space.delete(dir);
        try {
            Files.deleteIfExists(dir.getParent());
        } catch (IOException e) {
            // not empty: other tests still use it
        }
    }
}
