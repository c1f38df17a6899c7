package io.slate.space;

import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Read-only and full file systems, on small tmpfs mounts of our own (skipped, with the reason, where mounting is not allowed). */
class FileSystemLimitsTest {
    private Path mountPoint;

    @BeforeEach
    void mount() throws Exception {
        mountPoint = TestSpaces.newDirectory("mnt");
        Files.createDirectories(mountPoint);
    }

    @AfterEach
    void unmount() throws Exception {
        // lazy: Chronicle may still hold a mapping it releases in the background
        run("umount", "-l", mountPoint.resolve("ro-view").toString());
        run("umount", "-l", mountPoint.toString());
        TestSpaces.delete(mountPoint);
    }

    private static int run(final String... cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0 && !cmd[0].equals("umount")) {
            System.out.println("FileSystemLimitsTest: '" + String.join(" ", cmd) + "' failed: " + out.trim());
        }
        return p.exitValue();
    }

    private void assumeMounted(final String size) throws Exception {
        final int rc = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        assumeTrue(rc == 0, "skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
    }

    @Test
    void readOnlyFileSystem() throws Exception {
        assumeMounted("64m");
        final Path existing = mountPoint.resolve("existing");
        try (Space s = Space.open(SpaceOptions.at(existing))) {
            s.kv().putString("k", "v");
        }
        // a read-only view of the same file system
        final Path view = mountPoint.resolve("ro-view");
        Files.createDirectories(view);
        assertEquals(0, run("mount", "--bind", mountPoint.toString(), view.toString()));
        assertEquals(0, run("mount", "-o", "remount,bind,ro", view.toString()));
        final Path fresh = view.resolve("fresh");
        final SpaceAccessException e = assertThrows(SpaceAccessException.class, () -> Space.open(SpaceOptions.at(fresh)));
        assertTrue(e.getMessage().contains(fresh.toString()) && e.getMessage().contains("read-only"), e.getMessage());
        final SpaceException e2 = assertThrows(SpaceException.class, () -> Space.open(SpaceOptions.at(view.resolve("existing"))));
        assertTrue(e2.getMessage().contains("read-only"), e2.getMessage());
        try (Space s = Space.open(SpaceOptions.at(existing))) {
            assertEquals("v", s.kv().get("k").valueAsString());
        }
    }

    @Test
    void fullFileSystem() throws Exception {
        assumeMounted("64m");
        Files.write(mountPoint.resolve("filler"), new byte[40 << 20]);
        final Path space = mountPoint.resolve("s");
        final SpaceFullException e = assertThrows(SpaceFullException.class, () -> Space.open(SpaceOptions.at(space).maxEntries(1000)));
        assertTrue(e.getMessage().contains("full") && e.getMessage().contains(space.toString()), e.getMessage());
        Files.delete(mountPoint.resolve("filler"));
        try (Space s = Space.open(SpaceOptions.at(space).maxEntries(1000))) {
            assertEquals(1, s.kv().putString("k", "v"), "after room is freed the space works");
        }
    }
}
