package io.slate.internal;

import net.openhft.posix.PosixAPI;
import net.openhft.posix.internal.PosixAPIHolder;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * What a JVM does once before it first touches Chronicle, so that an agent starts in a fraction of a second (issue 17).
 *
 * <ul>
 *   <li>Chronicle's analytics, announcer and disk monitor are switched off, and its mapped files skip the
 *       {@code msync(MS_ASYNC)} on release (unless set otherwise on the command line).</li>
 *   <li>Chronicle's POSIX binding is made lazy. Chronicle Core's {@code Jvm} class binds it eagerly in its static
 *       initializer: jnr-ffi generates native call stubs with ASM and, through Java-Thread-Affinity, JNA loads its
 *       native library, about 0.3 s of a fresh JVM's start on a 2-core machine. A space only needs it on rare paths
 *       (Chronicle Map's {@code fallocate} when the map file is created, {@code msync}), so the binding installed here
 *       makes the real one on the first call of any of its methods, and nothing before ({@link LazyPosixAPI}).</li>
 *   <li>JNA is told where the system's libraries are ({@code jna.platform.library.path}, unless set otherwise on the
 *       command line). Chronicle Core's {@code Jvm} loads Java-Thread-Affinity, and so JNA, in its static initializer;
 *       without that property, JNA's {@code NativeLibrary} runs {@code /sbin/ldconfig -p} in a child process to find
 *       library directories: a fork and exec in every fresh JVM (about 30 ms of its start on a 2-core machine). The
 *       directories given are the standard ones JNA itself lists before it adds ldconfig's; JNA opens a library by
 *       its name first in any case, which the dynamic linker resolves through the same cache ldconfig prints.</li>
 *   <li>JNA loads its own native library from one owner-only place per user and JNA version instead of unpacking it
 *       from its jar into a new temporary file in every JVM ({@link JnaBootLibrary}): {@code jna.boot.library.path}
 *       points there while JNA starts (unless set otherwise on the command line), and only when nobody else could
 *       have written the library there. The first JVM that finds no library there puts one there after its JNA
 *       started the usual way.</li>
 * </ul>
 * Pre-generated code for Chronicle's runtime compilation lives next to Chronicle's own classes
 * ({@code net.openhft.chronicle.hash.VanillaGlobalMutableState$$Native}, found by Chronicle Values before it would
 * compile one with javac; {@code ChronicleStartupTest} checks it is the class Chronicle Values generates).
 */
public final class ChronicleStartup {
    /** JNA's list of system library directories; when it is set, JNA does not ask {@code ldconfig} for one. */
    static final String JNA_LIBRARY_PATH = "jna.platform.library.path";
    private static final Object LOCK = new Object();
    private static volatile PosixAPI real;
    /** The value this class gave {@code jna.boot.library.path} (taken back once JNA started), or null. */
    private static final String JNA_BOOT_PATH;
    /** Where JNA's library is to be put for the next JVMs (it is not there yet), or null. */
    private static final Path JNA_INSTALL;
    private static final int UID;
    private static final Thread WARM_UP;

    static {
        setDefault("chronicle.analytics.disable", "true");
        setDefault("chronicle.announcer.disable", "true");
        setDefault("chronicle.disk.monitor.disable", "true");
        // MS_ASYNC is a no-op on Linux (since 2.6.19) and msync does nothing on tmpfs; without it, releasing a
        // mapping never binds the native POSIX library
        setDefault("mappedFile.defaultSyncMode", "NONE");
        if (System.getProperty(JNA_LIBRARY_PATH) == null) {
            final String dirs = systemLibraryDirectories();
            if (!dirs.isEmpty()) {
                System.setProperty(JNA_LIBRARY_PATH, dirs);
            }
        }
        String bootPath = null;
        Path install = null;
        int uid = -1;
        if (System.getProperty(JnaBootLibrary.BOOT_PATH) == null && System.getProperty("jna.boot.library.name") == null) {
            final Path dir = JnaBootLibrary.directory(System.getenv(), System.getProperty("user.home"));
            if (dir != null) {
                uid = JnaBootLibrary.currentUid();
                if (Files.exists(dir.resolve(JnaBootLibrary.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        final Path real = dir.toRealPath();
                        if (JnaBootLibrary.refusal(real, uid) == null) {
                            bootPath = real.toString();
                            System.setProperty(JnaBootLibrary.BOOT_PATH, bootPath);
                        }
                    } catch (IOException e) {
                        // gone meanwhile: JNA unpacks its library as before
                    }
                } else if (uid >= 0) {
                    install = dir;
                }
            }
        }
        JNA_BOOT_PATH = bootPath;
        JNA_INSTALL = install;
        UID = uid;
        WARM_UP = new Thread(ChronicleStartup::warmUp, "slate-start-warm-up");
        WARM_UP.setDaemon(true);
        WARM_UP.start();
        if (PosixAPIHolder.POSIX_API == null) {
            PosixAPIHolder.POSIX_API = new LazyPosixAPI();
        }
    }

    private ChronicleStartup() {
    }

    /** Runs the one-time set-up above (idempotent; the work happens in this class's initializer). */
    public static void prepare() {
        // class initialization did it
    }

    /** Waits at most {@code millis} for the start-up thread to finish (for tests); true when it did. */
    static boolean awaitWarmUp(final long millis) throws InterruptedException {
        WARM_UP.join(millis);
        return !WARM_UP.isAlive();
    }

    /** True once the real POSIX binding was made (for tests). */
    static boolean posixBound() {
        return real != null;
    }

    private static void setDefault(final String property, final String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * Runs on a thread of its own while the opening thread starts on Chronicle: initializes what Chronicle needs of
     * the JDK and of JNA, which Chronicle itself would initialize later on the opening thread. Touches no class of
     * Chronicle or of Slate (none can wait for it in a class initializer it waits for: no deadlock), and any failure
     * is left for the opening thread to meet where it always did.
     * <ul>
     *   <li>JNA's {@code Native} (loads JNA's native library), which Chronicle Core's {@code Jvm} needs through
     *       Java-Thread-Affinity;</li>
     *   <li>a {@code SimpleDateFormat} of the default locale (the JDK's locale and calendar providers), which Chronicle
     *       Wire's serializers create in their static initializer;</li>
     *   <li>a {@code SecureRandom} (the JDK's security providers), which Chronicle Queue creates for every queue it
     *       opens (JNA's temporary file name used to make one on this thread first; it no longer unpacks a file).</li>
     * </ul>
     * Once JNA started, {@code jna.boot.library.path} is taken back when this class set it, and JNA's library is put
     * in its place for the next JVMs when it was not there ({@link JnaBootLibrary}).
     */
    private static void warmUp() {
        try {
            Class.forName("com.sun.jna.Native", true, ChronicleStartup.class.getClassLoader());
        } catch (Throwable e) {
            // JNA missing or unusable: Affinity falls back on its own, on the opening thread
        }
        if (JNA_BOOT_PATH != null && JNA_BOOT_PATH.equals(System.getProperty(JnaBootLibrary.BOOT_PATH))) {
            System.clearProperty(JnaBootLibrary.BOOT_PATH); // JNA read it; no other JNA of this JVM is to take it
        }
        try {
            new SimpleDateFormat("yyyy-MM-dd").format(new Date(0));
        } catch (Throwable e) {
            // nothing of Chronicle's depends on this having run
        }
        try {
            new SecureRandom();
        } catch (Throwable e) {
            // nothing of Chronicle's depends on this having run
        }
        if (JNA_INSTALL != null) {
            try {
                JnaBootLibrary.install(JNA_INSTALL, UID, com.sun.jna.Native.class.getClassLoader(),
                        "com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/" + JnaBootLibrary.FILE_NAME);
            } catch (Throwable e) {
                // JNA unusable: nothing to keep for the next JVMs
            }
        }
    }

    /**
     * The standard library directories of this Linux host that exist (multi-arch first, as JNA orders them), joined
     * with ':'; empty on other systems, where JNA's own search is left alone.
     */
    static String systemLibraryDirectories() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "";
        }
        final String multiArch = multiArchName(System.getProperty("os.arch", ""));
        final List<String> candidates = new ArrayList<>();
        if (multiArch != null) {
            candidates.add("/usr/lib/" + multiArch);
            candidates.add("/lib/" + multiArch);
        }
        if (System.getProperty("os.arch", "").endsWith("64")) {
            candidates.add("/usr/lib64");
            candidates.add("/lib64");
        }
        candidates.add("/usr/lib");
        candidates.add("/lib");
        final StringBuilder b = new StringBuilder();
        for (String d : candidates) {
            if (Files.isDirectory(Paths.get(d))) {
                if (b.length() > 0) {
                    b.append(File.pathSeparatorChar);
                }
                b.append(d);
            }
        }
        return b.toString();
    }

    /** Debian's multi-arch directory name for a JVM's os.arch (as JNA derives it), null when unknown. */
    private static String multiArchName(final String osArch) {
        switch (osArch) {
            case "amd64":
            case "x86_64":
                return "x86_64-linux-gnu";
            case "aarch64":
                return "aarch64-linux-gnu";
            case "x86":
            case "i386":
                return "i386-linux-gnu";
            case "ppc64le":
                return "powerpc64le-linux-gnu";
            case "s390x":
                return "s390x-linux-gnu";
            default:
                return null;
        }
    }

    /** The real binding, made on the first call ({@link LazyPosixAPI} forwards every call here). */
    static PosixAPI real() {
        PosixAPI r = real;
        if (r == null) {
            synchronized (LOCK) {
                r = real;
                if (r == null) {
                    final PosixAPI lazy = PosixAPIHolder.POSIX_API;
                    PosixAPIHolder.POSIX_API = null;
                    PosixAPIHolder.loadPosixApi(); // jnr-ffi, or Chronicle's no-op binding when it cannot load
                    r = PosixAPIHolder.POSIX_API;
                    PosixAPIHolder.POSIX_API = lazy; // callers keep the one object; it forwards from now on
                    real = r;
                }
            }
        }
        return r;
    }
}
