package io.slate.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Programs a test needs from outside the JVM (redis-cli, node, python3-redis, etcd): found on the PATH or not. A missing
 * one skips the test with the reason, except under {@code CI=true}, where it fails it ({@code .ci/run} installs them).
 */
public final class ExternalPrograms {
    private ExternalPrograms() {
    }

    /** True under {@code CI=true}. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or under CI=true fails) the test unless {@code present}; {@code what} names what is missing. */
    public static void require(final boolean present, final String what) {
        if (!present && ci()) {
            throw new AssertionError("CI=true and " + what + " is missing; .ci/run installs it");
        }
        Assumptions.assumeTrue(present, what + " is missing: test skipped (CI=true makes this a failure)");
    }

    /** The executable {@code name} on the PATH (or in /usr/bin, /usr/local/bin), or null. */
    public static Path onPath(final String name) {
        final String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                final Path p = Paths.get(d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        for (String d : new String[] {"/usr/bin", "/usr/local/bin"}) {
            final Path p = Paths.get(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
