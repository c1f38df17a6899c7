package io.slate.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;

/**
 * JNA's native library ({@code libjnidispatch.so}) kept once per user and JNA version, so that a fresh JVM does not
 * unpack it again (issue 17). Without this, JNA's {@code Native} copies the library out of its jar into a new
 * temporary file in every JVM that loads it, which Chronicle Core does in every JVM (through Java-Thread-Affinity):
 * reading it out of the jar, writing 110 kB, and seeding a {@code SecureRandom} for the temporary file's name, about
 * 20 ms of CPU per start on a 2-core machine.
 *
 * <p>Here the library is unpacked once into {@code $XDG_CACHE_HOME/slate/jna/VERSION-NATIVE_VERSION-OS-ARCH/} (by
 * default {@code ~/.cache/...}), which is created owner-only ({@code rwx------}). A JVM that finds it there points
 * JNA's {@code jna.boot.library.path} at it while its JNA starts, and JNA loads it from there. It is only ever used
 * when nobody but this user (or root) could have written it: the library a regular file (not a link) owned by this
 * user that neither group nor others may write; its directory and every directory above it owned by this user or
 * root, and not writable by group or others unless sticky (as {@code /tmp}), so that no one else can have put a
 * library there or swapped a directory. Otherwise the location is refused, nothing is written there, and JNA unpacks
 * its library as it always did. The directory is named after the JNA version and its native library's version: a
 * JVM with another JNA uses another directory (JNA refuses a library of another native version in any case).
 *
 * <p>Only on Linux (where {@code /proc/self} tells this process's user): elsewhere JNA is left alone. A
 * {@code jna.boot.library.path} or {@code jna.boot.library.name} given on the command line is left alone too.
 */
final class JnaBootLibrary {
    /** JNA's property: directories searched for its native library before it unpacks the one in its jar. */
    static final String BOOT_PATH = "jna.boot.library.path";
    /** The library's file name on this system. */
    static final String FILE_NAME = System.mapLibraryName("jnidispatch");

    private static final int TYPE_MASK = 0170000;
    private static final int REGULAR_FILE = 0100000;
    private static final int DIRECTORY = 0040000;
    private static final int STICKY = 01000;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;
    private static final int ROOT = 0;

    private JnaBootLibrary() {
    }

    /**
     * The directory for the JNA on this class path, for this user, null when there is none: not Linux, JNA missing,
     * no cache directory, or an ARM JVM (whose JNA picks a soft- or hard-float library by inspecting the JVM).
     *
     * @param env  the environment (for {@code XDG_CACHE_HOME})
     * @param home the user's home directory ({@code user.home})
     */
    static Path directory(final Map<String, String> env, final String home) {
        final String os = System.getProperty("os.name", "");
        final String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("Linux") || arch.startsWith("arm") || arch.isEmpty()) {
            return null;
        }
        final String versions = jnaVersions();
        if (versions == null) {
            return null;
        }
        final String xdg = env.get("XDG_CACHE_HOME");
        final Path cache;
        if (xdg != null && xdg.startsWith("/")) {
            cache = Paths.get(xdg);
        } else if (home != null && home.startsWith("/")) {
            cache = Paths.get(home, ".cache");
        } else {
            return null;
        }
        return cache.resolve("slate").resolve("jna").resolve(versions + "-linux-" + arch);
    }

    /** "VERSION-NATIVE_VERSION" of the JNA on this class path (without initializing its Native), null without JNA. */
    private static String jnaVersions() {
        try {
            final Class<?> v = Class.forName("com.sun.jna.Version", true, JnaBootLibrary.class.getClassLoader());
            final Field version = v.getField("VERSION");
            final Field nativeVersion = v.getField("VERSION_NATIVE");
            version.setAccessible(true); // a package-private interface of JNA's
            nativeVersion.setAccessible(true);
            final String a = (String) version.get(null);
            final String b = (String) nativeVersion.get(null);
            if (!safeName(a) || !safeName(b)) {
                return null;
            }
            return a + "-" + b;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Letters, digits, dots and underscores only: the name of one directory. */
    private static boolean safeName(final String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** This process's user id (the owner of {@code /proc/self}), -1 when it cannot be told. */
    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Why the library in {@code dir} must not be loaded by user {@code uid}, or null when it may (see the class
     * comment for the rules); a missing library or directory is a reason too.
     */
    static String refusal(final Path dir, final int uid) {
        final String d = directoryRefusal(dir, uid);
        if (d != null) {
            return d;
        }
        final Path lib = dir.resolve(FILE_NAME);
        final Map<String, Object> a;
        try {
            a = Files.readAttributes(lib, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return lib + " is missing (" + e.getClass().getSimpleName() + ")";
        }
        final int mode = (Integer) a.get("mode");
        final int owner = (Integer) a.get("uid");
        if ((mode & TYPE_MASK) != REGULAR_FILE) {
            return lib + " is not a regular file";
        }
        if (owner != uid) {
            return lib + " is owned by user " + owner + ", not by this user (" + uid + ")";
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            return lib + " is writable by group or others (mode " + Integer.toOctalString(mode & 07777) + ")";
        }
        return null;
    }

    /** Why {@code dir} may not hold a library this user loads, null when it may; see {@link #refusal}. */
    static String directoryRefusal(final Path dir, final int uid) {
        if (uid < 0) {
            return "this process's user is unknown";
        }
        final Map<String, Object> own;
        try {
            own = Files.readAttributes(dir, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return dir + " is missing (" + e.getClass().getSimpleName() + ")";
        }
        final int mode = (Integer) own.get("mode");
        if ((mode & TYPE_MASK) != DIRECTORY) {
            return dir + " is not a directory (a link or a file)";
        }
        if ((Integer) own.get("uid") != uid) {
            return dir + " is owned by user " + own.get("uid") + ", not by this user (" + uid + ")";
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            return dir + " is writable by group or others (mode " + Integer.toOctalString(mode & 07777) + ")";
        }
        final Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            return dir + ": " + e.getMessage();
        }
        for (Path p = real.getParent(); p != null; p = p.getParent()) {
            final Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                return p + ": " + e.getMessage();
            }
            final int m = (Integer) a.get("mode");
            final int owner = (Integer) a.get("uid");
            if (owner != uid && owner != ROOT) {
                return p + " (above " + dir + ") is owned by user " + owner + ", neither this user (" + uid + ") nor root";
            }
            if ((m & GROUP_OR_OTHERS_WRITE) != 0 && (m & STICKY) == 0) {
                return p + " (above " + dir + ") is writable by group or others and not sticky (mode " + Integer.toOctalString(m & 07777) + ")";
            }
        }
        return null;
    }

    /**
     * Unpacks JNA's library for this platform from its jar into {@code dir} (created owner-only), written under a
     * temporary name and renamed, so that no JVM ever finds half a library. Returns why it did not, null when it did.
     * Writes nothing into a directory that {@link #directoryRefusal} refuses.
     *
     * @param resource the library's resource name in JNA's jar (JNA's {@code Platform.RESOURCE_PREFIX}/file name)
     */
    static String install(final Path dir, final int uid, final ClassLoader loader, final String resource) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | RuntimeException e) {
            return "cannot create " + dir + ": " + e;
        }
        final String refused = directoryRefusal(dir, uid);
        if (refused != null) {
            return refused;
        }
        final String prefix = "." + FILE_NAME + ".";
        // what a JVM killed while it wrote left behind; a JVM writing now then fails its rename and tries next time
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, prefix + "*.tmp")) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            return "cannot list " + dir + ": " + e;
        }
        final Path tmp = dir.resolve(prefix + ProcessHandle.current().pid() + ".tmp");
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return "JNA's jar has no " + resource;
            }
            try (SeekableByteChannel ch = Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                 OutputStream out = Channels.newOutputStream(ch)) {
                in.transferTo(out);
            }
            Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return null;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // left for the next install to remove
            }
            return "cannot write " + dir.resolve(FILE_NAME) + ": " + e;
        }
    }
}
