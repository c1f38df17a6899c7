package io.slate.space;

import io.slate.internal.JvmFlags;
import io.slate.shm.SpaceDescriptor;
import io.slate.shm.SpaceFiles;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every file and directory of a space, whatever made it (Slate or Chronicle, at creation or at a later roll-over),
 * has the space's mode whatever the process umask: owner-only by default, the group's when group-shared, never
 * others'. And a space is opened by its owner only, unless it was made group-shared: checked by owner, so root is
 * no exception.
 */
class SpacePermissionsTest {
    private static final int NOBODY = 65534;

    @RegisterExtension
    final Processes processes = new Processes();

    /** Every path under {@code root} (itself included) with its mode, in octal. */
    private static Map<String, String> modes(final Path root) throws IOException {
        final Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                modes.put(root.relativize(p).toString(), Integer.toOctalString(SpaceFiles.mode(p)));
            }
        }
        return modes;
    }

    /** Asserts the modes of everything in the space and its archive, and that all the kinds of files are there. */
    private static void assertModes(final Path dir, final Path archive, final boolean shared) throws IOException {
        final String dirMode = shared ? "2770" : "700";
        final String fileMode = shared ? "660" : "600";
        final Map<String, String> space = modes(dir);
        final List<String> wrong = new ArrayList<>();
        space.forEach((path, mode) -> {
            final boolean isDir = Files.isDirectory(dir.resolve(path), LinkOption.NOFOLLOW_LINKS);
            if (!mode.equals(isDir ? dirMode : fileMode)) {
                wrong.add(path + " " + mode);
            }
        });
        modes(archive).forEach((path, mode) -> {
            if (!mode.equals(Files.isDirectory(archive.resolve(path)) ? dirMode : fileMode)) {
                wrong.add("archive/" + path + " " + mode);
            }
        });
        assertEquals(List.of(), wrong, () -> "expected directories " + dirMode + " and files " + fileMode + "; all: " + space);
        for (String f : List.of("", ".lock", SpaceDescriptor.FILE_NAME, SpaceDescriptor.AGENTS_FILE_NAME, SpaceDescriptor.TAILERS_FILE_NAME,
                SpaceDescriptor.MAP_FILE_NAME, "sync.slate", "journal", "journal/metadata.cq4t")) {
            assertTrue(space.containsKey(f), () -> f + " missing from " + space);
        }
        assertTrue(space.keySet().stream().filter(p -> p.endsWith(".cq4")).count() >= 1, space::toString);
        assertTrue(modes(archive).keySet().stream().anyMatch(p -> p.endsWith(".cq4")), "a cycle rolled over and was archived");
    }

    @Test
    void privateSpaceIsOwnerOnlyThroughout() throws Exception {
        final Path dir = processes.dir("perm-private");
        final Path archive = processes.dir("perm-private-archive");
        PermissionsChild.useEverything(dir, archive, false);
        assertModes(dir, archive, false);
    }

    @Test
    void groupSharedSpaceIsTheGroupsThroughout() throws Exception {
        final Path dir = processes.dir("perm-shared");
        final Path archive = processes.dir("perm-shared-archive");
        PermissionsChild.useEverything(dir, archive, true);
        assertModes(dir, archive, true);
    }

    /** The same in a JVM whose umask would give files to everyone (000), or nothing to the group (077). */
    @Test
    void modesDoNotDependOnTheUmask() throws Exception {
        for (boolean shared : new boolean[] {false, true}) {
            final String umask = shared ? "077" : "000";
            final Path dir = processes.dir("perm-umask-" + umask);
            final Path archive = processes.dir("perm-umask-" + umask + "-archive");
            final List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\"",
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(JvmFlags.arguments());
            cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    PermissionsChild.class.getName(), dir.toString(), archive.toString(), Boolean.toString(shared)));
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child under umask " + umask + " did not finish");
                assertEquals(0, p.exitValue(), out);
                assertTrue(out.contains("DONE"), out);
            } finally {
                p.destroyForcibly();
            }
            assertModes(dir, archive, shared);
        }
    }

    private static void assumeRoot() {
        assumeTrue(SpaceFiles.currentUid() == 0, "skipped: giving a space to another user (chown) needs root");
    }

    private static void chownAll(final Path dir, final int uid) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    @Test
    void anotherUsersPrivateSpaceIsRefusedEvenToRoot() throws IOException {
        assumeRoot();
        final Path dir = processes.dir("owner-private");
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            s.kv().putString("k", "v");
        }
        chownAll(dir, NOBODY);
        final SpaceAccessException e = assertThrows(SpaceAccessException.class, () -> Space.open(SpaceOptions.at(dir)));
        assertMessage(e, dir.toString(), "owned by user", "(uid 65534)", "not by '" + System.getProperty("user.name") + "' (uid 0)",
                "private to the user who created it", "groupShared(true)");
        final SpaceAccessException shared = assertThrows(SpaceAccessException.class, () -> Space.open(SpaceOptions.at(dir).groupShared(true)));
        assertMessage(shared, dir.toString(), "(uid 65534)", "created private, not group-shared", "only its owner may open it");
        assertEquals(NOBODY, SpaceFiles.ownerUid(dir.resolve(SpaceDescriptor.AGENTS_FILE_NAME)), "refused opens changed nothing");
        chownAll(dir, 0);
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            assertEquals("v", s.kv().get("k").valueAsString());
        }
    }

    @Test
    void anotherUsersGroupSharedSpaceOpensWithTheGroupOption() throws IOException {
        assumeRoot();
        final Path dir = processes.dir("owner-shared");
        try (Space s = Space.open(SpaceOptions.at(dir).groupShared(true))) {
            s.kv().putString("k", "v");
        }
        chownAll(dir, NOBODY);
        assertMessage(assertThrows(SpaceAccessException.class, () -> Space.open(SpaceOptions.at(dir))), "(uid 65534)", "groupShared(true)");
        try (Space s = Space.open(SpaceOptions.at(dir).groupShared(true))) {
            assertEquals("v", s.kv().get("k").valueAsString());
            assertEquals(2, s.kv().putString("k", "v2"));
        }
    }

    private static void assertMessage(final Throwable t, final String... parts) {
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "message '" + t.getMessage() + "' should contain '" + p + "'");
        }
    }
}
