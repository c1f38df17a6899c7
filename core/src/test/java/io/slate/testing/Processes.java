package io.slate.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a multi-JVM test creates, removed after each test: child JVMs (killed if still running) and space directories.
 * Use as {@code @RegisterExtension final Processes processes = new Processes();}.
 */
public final class Processes implements AfterEachCallback {
    private final List<Path> dirs = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();

    /** A fresh space directory under /dev/shm, removed after the test. */
    public Path dir(final String label) {
        final Path d = TestSpaces.newDirectory(label);
        dirs.add(d);
        return d;
    }

    /** A child JVM running {@code main}, killed after the test if still running. */
    public ChildJvm child(final String label, final Class<?> main, final String... args) {
        final ChildJvm c = ChildJvm.start(label, main, args);
        children.add(c);
        return c;
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        children.forEach(ChildJvm::close);
        children.clear();
        dirs.forEach(TestSpaces::delete);
        dirs.clear();
    }
}
