package io.slate.internal;

import net.openhft.posix.PosixAPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lazy POSIX binding forwards every method of Chronicle's interface, and forwards to the real binding. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyPosixAPITest {
    /** A method Chronicle adds to {@link PosixAPI} (abstract or default) must be forwarded, not left to a default. */
    @Test
    void everyMethodOfTheInterfaceIsForwarded() {
        final List<String> missing = new ArrayList<>();
        for (Method m : PosixAPI.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                LazyPosixAPI.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertTrue(missing.isEmpty(), "LazyPosixAPI does not forward " + missing);
    }

    @Test
    void callsReachTheRealBinding() {
        ChronicleStartup.prepare();
        final PosixAPI lazy = new LazyPosixAPI();
        assertEquals(ProcessHandle.current().pid(), lazy.getpid());
        assertTrue(lazy.gettid() > 0);
        assertEquals(Runtime.getRuntime().availableProcessors() > 0, lazy.get_nprocs() > 0);
        assertTrue(ChronicleStartup.posixBound());
        assertTrue(lazy.toString().startsWith("lazy "));
    }
}
