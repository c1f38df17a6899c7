package io.slate.internal;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
