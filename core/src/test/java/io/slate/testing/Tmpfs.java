package io.slate.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Small tmpfs mounts of a test's own, for full and read-only file systems and for measuring what a space really
 * allocates. Where mounting is not permitted (not root, no CAP_SYS_ADMIN) the test is skipped with the reason.
 */
public final class Tmpfs {
    private Tmpfs() {
    }

    /** Mounts a tmpfs of {@code size} (e.g. {@code 64m}) on the existing directory {@code mountPoint}, or skips the test. */
    public static void mountOrSkip(final Path mountPoint, final String size) throws IOException, InterruptedException {
        final int rc = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        assumeTrue(rc == 0, "skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
    }

    /** Unmounts lazily (Chronicle may still hold a mapping it releases in the background); nothing mounted is fine. */
    public static void unmount(final Path mountPoint) throws IOException, InterruptedException {
        run("umount", "-l", mountPoint.toString());
    }

    /** Runs a command, bounded; prints its output when it fails (except umount of what is not mounted); returns its exit code. */
    public static int run(final String... cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0 && !cmd[0].equals("umount")) {
            System.out.println("Tmpfs: '" + String.join(" ", cmd) + "' failed: " + out.trim());
        }
        return p.exitValue();
    }
}
