package io.slate.internal;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import net.openhft.affinity.Affinity;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What makes a fresh JVM start fast ({@link ChronicleStartup}) changes nothing Chronicle does. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChronicleStartupTest {
    private static final String NATIVE_SOURCE = "src/main/java/net/openhft/chronicle/hash/VanillaGlobalMutableState$$Native.java";

    @RegisterExtension
    final Processes processes = new Processes();

    /**
     * The shipped native class is exactly what Chronicle Values generates for this version of Chronicle Map: a new
     * Chronicle Map whose global state changed fails here (regenerate the file with what this test prints).
     */
    @Test
    void theShippedNativeClassIsTheOneChronicleValuesGenerates() throws Exception {
        final Class<?> model = Class.forName("net.openhft.chronicle.values.ValueModel");
        final Object m = model.getMethod("acquire", Class.class).invoke(null, VanillaGlobalMutableState.class);
        final Method generate = Class.forName("net.openhft.chronicle.values.Generators").getDeclaredMethod("generateNativeClass", model, String.class);
        generate.setAccessible(true);
        final String generated = (String) generate.invoke(null, m, "VanillaGlobalMutableState$$Native");
        final String shipped = new String(Files.readAllBytes(Paths.get(NATIVE_SOURCE)), StandardCharsets.UTF_8);
        assertEquals(generated, shipped, "regenerate " + NATIVE_SOURCE);
        // and Chronicle Values takes it instead of compiling one
        assertSame(Class.forName("net.openhft.chronicle.hash.VanillaGlobalMutableState$$Native"), Values.nativeClassFor(VanillaGlobalMutableState.class));
    }

    /** Opening, reading, writing and closing a space never binds the native POSIX library (jnr-ffi, JNA). */
    @Test
    void aFreshJvmWorkingWithASpaceNeverBindsPosix() throws Exception {
        final Path dir = processes.dir("posix");
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            s.kv().putString("k", "v");
        }
        final ChildJvm child = processes.child("posix", PosixProbe.class, dir.toString());
        assertEquals("bound false", child.awaitLine(60, TimeUnit.SECONDS), child.stderr());
        assertEquals(0, child.awaitExit(30, TimeUnit.SECONDS), child.stderr());
    }

    /**
     * A fresh JVM that opens a space tells JNA where the system's libraries are (so JNA runs no {@code ldconfig}
     * child process), and JNA still loads: Java-Thread-Affinity, which Chronicle Core initializes, uses its Linux
     * binding and reads this thread's CPU. A value given on the command line is kept.
     */
    @Test
    void jnaIsGivenTheLibraryDirectoriesAndStillLoads() throws Exception {
        final Path dir = processes.dir("jna");
        final ChildJvm child = processes.child("jna", JnaProbe.class, dir.toString());
        final String line = child.awaitLine(60, TimeUnit.SECONDS);
        assertEquals(0, child.awaitExit(30, TimeUnit.SECONDS), child.stderr());
        final String[] f = line == null ? new String[0] : line.split(" ");
        assertEquals(3, f.length, "child printed '" + line + "'; " + child.stderr());
        assertEquals(ChronicleStartup.systemLibraryDirectories(), f[0]);
        for (String d : f[0].split(":")) {
            assertTrue(Files.isDirectory(Paths.get(d)), d);
        }
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertFalse(f[0].isEmpty());
            assertEquals("LinuxJNAAffinity", f[1], "Affinity fell back: JNA did not load");
            assertTrue(Integer.parseInt(f[2]) >= 0, "cpu " + f[2]);
        }

        final Path own = processes.dir("jna-own");
        final ChildJvm kept = ChildJvm.start("jna-own", JnaProbe.class, List.of("-D" + ChronicleStartup.JNA_LIBRARY_PATH + "=" + own),
                processes.dir("jna-space").toString());
        try {
            final String l = kept.awaitLine(60, TimeUnit.SECONDS);
            assertEquals(0, kept.awaitExit(30, TimeUnit.SECONDS), kept.stderr());
            assertTrue(l != null && l.startsWith(own + " "), "child printed '" + l + "'");
        } finally {
            kept.close();
        }
    }

    /** args: dir — opens the space, puts; prints JNA's library path property, Affinity's binding and this CPU. */
    static final class JnaProbe {
        public static void main(final String[] args) {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
                s.kv().putString("k", "v");
            }
            System.out.println(System.getProperty(ChronicleStartup.JNA_LIBRARY_PATH) + " "
                    + Affinity.getAffinityImpl().getClass().getSimpleName() + " " + Affinity.getCpu());
        }
    }

    /** args: dir — opens the space, gets, puts, closes; prints whether the real POSIX binding was made. */
    static final class PosixProbe {
        public static void main(final String[] args) {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
                s.kv().get("k");
                s.kv().putString("k", "w");
            }
            System.out.println("bound " + ChronicleStartup.posixBound());
        }
    }
}
