package io.slate.internal;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * JNA's native library is kept once per user, owner-only, and loaded from there only when nobody else could have
 * written it ({@link JnaBootLibrary}); otherwise JNA unpacks its own as it always did.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JnaBootLibraryTest {
    @RegisterExtension
    final Processes processes = new Processes();

    @TempDir
    Path tmp;

    private int uid;
    private String resource;

    @BeforeEach
    void linuxWithJna() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the kept library is for Linux only");
        uid = JnaBootLibrary.currentUid();
        assertTrue(uid >= 0, "this process's user from /proc/self");
        resource = "com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/" + JnaBootLibrary.FILE_NAME;
    }

    @Test
    void theDirectoryIsNamedAfterJnasVersionsUnderTheUsersCache() {
        final Path d = JnaBootLibrary.directory(Map.of("XDG_CACHE_HOME", "/x/cache"), "/home/u");
        assertNotNull(d);
        assertEquals(Paths.get("/x/cache/slate/jna/" + com.sun.jna.Native.VERSION + "-" + com.sun.jna.Native.VERSION_NATIVE
                + "-linux-" + System.getProperty("os.arch")), d);
        assertEquals(Paths.get("/home/u/.cache/slate/jna"), JnaBootLibrary.directory(Map.of(), "/home/u").getParent());
        // a relative XDG_CACHE_HOME is ignored, as the XDG spec says; no home and no cache: no directory
        assertEquals(Paths.get("/home/u/.cache/slate/jna"), JnaBootLibrary.directory(Map.of("XDG_CACHE_HOME", "rel"), "/home/u").getParent());
        assertNull(JnaBootLibrary.directory(Map.of(), "?"));
    }

    @Test
    void anInstalledLibraryIsOwnerOnlyTheJarsOwnAndAccepted() throws Exception {
        final Path dir = tmp.resolve("cache/slate/jna/v");
        assertNull(JnaBootLibrary.install(dir, uid, getClass().getClassLoader(), resource));
        final Path lib = dir.resolve(JnaBootLibrary.FILE_NAME);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(lib));
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(lib), files.toList(), "nothing but the library (no temporary file left)");
        }
        assertNull(JnaBootLibrary.refusal(dir, uid));
        // again (another JVM found it missing too): replaced whole, still accepted
        assertNull(JnaBootLibrary.install(dir, uid, getClass().getClassLoader(), resource));
        assertNull(JnaBootLibrary.refusal(dir, uid));
    }

    @Test
    void aLibraryOwnedByAnotherUserIsRefused() throws Exception {
        final Path dir = installed();
        // the same files, seen by another user: neither the library nor its directory is theirs
        final String r = JnaBootLibrary.refusal(dir, uid + 1);
        assertNotNull(r);
        assertTrue(r.contains("owned by user " + uid), r);
    }

    @Test
    void aLibraryOthersMayWriteIsRefused() throws Exception {
        final Path dir = installed();
        final Path lib = dir.resolve(JnaBootLibrary.FILE_NAME);
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefused(dir, "writable by group or others");
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwx-w----"));
        assertRefused(dir, "writable by group or others");
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("r-xr-xr-x"));
        assertNull(JnaBootLibrary.refusal(dir, uid), "others may read it, not write it");
    }

    @Test
    void aDirectoryOthersMayWriteIsRefusedAndNothingIsWrittenThere() throws Exception {
        final Path dir = installed();
        final Path lib = dir.resolve(JnaBootLibrary.FILE_NAME);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefused(dir, "writable by group or others");
        Files.delete(lib);
        final String r = JnaBootLibrary.install(dir, uid, getClass().getClassLoader(), resource);
        assertNotNull(r);
        assertTrue(r.contains("writable by group or others"), r);
        assertFalse(Files.exists(lib), "nothing written into a directory others may write");
    }

    @Test
    void aDirectoryAboveOthersMayWriteIsRefusedUnlessSticky() throws Exception {
        final Path dir = installed();
        final Path above = dir.getParent().getParent(); // cache/slate
        Files.setPosixFilePermissions(above, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefused(dir, above + " (above");
        // sticky, as /tmp: others may add entries there but neither rename nor remove ours
        Files.setAttribute(above, "unix:mode", 01777);
        assertNull(JnaBootLibrary.refusal(dir, uid));
        Files.setAttribute(above, "unix:mode", 0700);
        assertNull(JnaBootLibrary.refusal(dir, uid));
    }

    @Test
    void linksAreRefused() throws Exception {
        final Path dir = installed();
        final Path lib = dir.resolve(JnaBootLibrary.FILE_NAME);
        final Path elsewhere = Files.move(lib, tmp.resolve("elsewhere.so"));
        Files.createSymbolicLink(lib, elsewhere);
        assertRefused(dir, "not a regular file");
        final Path linkedDir = tmp.resolve("cache/slate/jna/linked");
        Files.createSymbolicLink(linkedDir, dir);
        assertRefused(linkedDir, "not a directory");
        assertRefused(tmp.resolve("cache/slate/jna/missing"), "missing");
    }

    /**
     * Fresh JVMs with their own cache directory: the first loads JNA from its jar as before and keeps the library;
     * the next loads JNA from the kept library (and the boot path it was given is taken back); when the kept library's
     * directory becomes writable by others, the next refuses it and JNA unpacks its own again. JNA works every time
     * (Affinity's Linux binding is JNA's).
     */
    @Test
    void freshJvmsKeepTheLibraryOnceAndLoadItOnlyWhenSafe() throws Exception {
        final Path cache = tmp.resolve("xdg-cache");
        final Path space = processes.dir("jna-boot");
        final String first = probe(cache, space);
        final Path dir = JnaBootLibrary.directory(Map.of("XDG_CACHE_HOME", cache.toString()), "/nonexistent");
        final Path lib = dir.resolve(JnaBootLibrary.FILE_NAME);
        assertFalse(first.startsWith(lib + " "), "the first JVM cannot have found it: " + first);
        assertTrue(first.endsWith(" null LinuxJNAAffinity"), first);
        assertTrue(Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS), "the first JVM keeps the library");
        assertNull(JnaBootLibrary.refusal(dir, uid));

        assertEquals(lib + " null LinuxJNAAffinity", probe(cache, space), "the next JVM loads the kept library");

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        final String refused = probe(cache, space);
        assertFalse(refused.startsWith(lib + " "), "loaded a library others could have written: " + refused);
        assertTrue(refused.endsWith(" null LinuxJNAAffinity"), refused);
    }

    /** A fresh JVM with XDG_CACHE_HOME=cache that opens the space; returns the line {@link JnaProbe} prints. */
    private String probe(final Path cache, final Path space) throws Exception {
        final ChildJvm c = ChildJvm.startWithOptions("jna-boot", JvmFlags.arguments(), Map.of("XDG_CACHE_HOME", cache.toString()),
                JnaProbe.class, space.toString());
        try {
            final String line = c.awaitLine(60, TimeUnit.SECONDS);
            assertEquals(0, c.awaitExit(30, TimeUnit.SECONDS), c.stderr());
            assertNotNull(line, c.stderr());
            return line;
        } finally {
            c.close();
        }
    }

    private Path installed() throws IOException {
        final Path dir = tmp.resolve("cache/slate/jna/v");
        assertNull(JnaBootLibrary.install(dir, uid, getClass().getClassLoader(), resource));
        assertNull(JnaBootLibrary.refusal(dir, uid));
        return dir;
    }

    private void assertRefused(final Path dir, final String why) {
        final String r = JnaBootLibrary.refusal(dir, uid);
        assertNotNull(r, dir + " accepted");
        assertTrue(r.contains(why), r);
    }

    /**
     * args: dir — opens the space and puts, waits for the start-up thread (which keeps the library); prints where JNA
     * loaded its library from, JNA's boot path property now, and Affinity's binding.
     */
    static final class JnaProbe {
        public static void main(final String[] args) throws Exception {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
                s.kv().putString("k", "v");
            }
            if (!ChronicleStartup.awaitWarmUp(30_000)) {
                throw new IllegalStateException("start-up thread still running after 30 s");
            }
            System.out.println(System.getProperty("jnidispatch.path") + " " + System.getProperty(JnaBootLibrary.BOOT_PATH) + " "
                    + Affinity.getAffinityImpl().getClass().getSimpleName());
        }
    }
}
