package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Holder;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code slate lock}, in-process through {@link SlateCli#run}: the command runs under the mutex with its token. */
class LockCommandTest {
    private static final long WAIT_SECONDS = 30;

    private Path dir;

    /** What one invocation returned and printed. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    @BeforeEach
    void setUp() {
        dir = TestSpaces.newDirectory("cli-lock");
    }

    @AfterEach
    void tearDown() {
        TestSpaces.delete(dir);
    }

    private Result slate(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SlateCli.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertFails(final int code, final Result r, final String messagePart) {
        assertEquals(code, r.code(), r::toString);
        assertTrue(r.err().startsWith("slate: ") && r.err().contains(messagePart), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
    }

    @Test
    void runsTheCommandWithItsFencingTokenAndExitsWithItsCode() throws Exception {
        final Path file = dir.resolveSibling(dir.getFileName() + "-token");
        try {
            final String script = "echo \"$" + LockCommand.TOKEN_ENV + "\" > '" + file + "'; exit 7";
            final Result first = slate("lock", "--space", dir.toString(), "build", "--", "sh", "-c", script);
            assertEquals(7, first.code(), first::toString);
            assertEquals("", first.err(), first::toString);
            assertEquals("1", Files.readString(file).strip());
            final Result second = slate("lock", "--space", dir.toString(), "--timeout", "5s", "build", "--", "sh", "-c", script);
            assertEquals(7, second.code(), second::toString);
            assertEquals("2", Files.readString(file).strip(), "the next acquisition has the next token");
            assertEquals(0, slate("lock", "--space", dir.toString(), "build", "true").code(), "no '--' needed without options");
        } finally {
            Files.deleteIfExists(file);
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("checker"))) {
            final Mutex m = Sync.of(s).mutex("build");
            assertNull(m.owner(), "released after each command");
            assertEquals(3, m.lastToken());
        }
    }

    @Test
    void holdsTheMutexWhileTheCommandRuns() throws Exception {
        final Path started = dir.resolveSibling(dir.getFileName() + "-started");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("watcher"))) {
            final Mutex m = Sync.of(s).mutex("job");
            final CompletableFuture<Result> run = CompletableFuture.supplyAsync(() ->
                    slate("lock", "--space", dir.toString(), "job", "--", "sh", "-c", "touch '" + started + "'; sleep 1"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!Files.exists(started)) {
                assertTrue(System.nanoTime() < deadline, "the command never started");
                Thread.sleep(10);
            }
            final Holder h = m.owner();
            assertTrue(h != null && h.agentId().startsWith("cli-") && h.isAlive(), "held by the command line while the command runs: " + h);
            assertEquals(Mutex.TIMED_OUT, m.tryLock(0, TimeUnit.SECONDS));
            final Result r = run.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r::toString);
            assertNull(m.owner());
        } finally {
            Files.deleteIfExists(started);
        }
    }

    @Test
    void timesOutWithExitCodeOneNamingTheHolder() {
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("holder"))) {
            final Mutex m = Sync.of(s).mutex("busy");
            m.lock();
            assertFails(1, slate("lock", "--space", dir.toString(), "--timeout", "300ms", "busy", "--", "true"),
                    "timed out after 300ms waiting for mutex 'busy', held by agent 'holder' (pid " + ProcessHandle.current().pid() + ")");
            assertFails(1, slate("lock", "--space", dir.toString(), "--timeout", "0", "busy", "--", "true"), "timed out");
            m.unlock();
            assertEquals(0, slate("lock", "--space", dir.toString(), "--timeout", "0", "busy", "--", "true").code());
        }
    }

    @Test
    void badUsageAndUnrunnableCommands() {
        assertFails(2, slate("lock", "--space", dir.toString(), "name"), "no command given");
        assertFails(2, slate("lock", "--space", dir.toString(), "--timeout", "soon", "name", "--", "true"), "'soon' is not a duration");
        assertFails(2, slate("lock", "--space", dir.toString(), "--timeout", "-1s", "name", "--", "true"), "duration must be >= 0");
        assertFails(2, slate("lock", "--space", dir.toString(), "", "--", "true"), "mutex name must not be empty");
        assertFails(2, slate("lock", "--space", dir.toString(), "x".repeat(65), "--", "true"), "at most 64");
        assertFails(LockCommand.EXIT_CANNOT_RUN, slate("lock", "--space", dir.toString(), "m", "--", "/no/such/program"),
                "cannot run '/no/such/program'");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("checker"))) {
            assertNull(Sync.of(s).mutex("m").owner(), "released when the command could not start");
        }
    }

    @Test
    void parsesDurations() {
        final LockCommand.DurationConverter c = new LockCommand.DurationConverter();
        assertEquals(Duration.ofMillis(500), c.convert("500ms"));
        assertEquals(Duration.ofSeconds(5), c.convert("5"));
        assertEquals(Duration.ofMillis(1500), c.convert("1.5s"));
        assertEquals(Duration.ofMinutes(2), c.convert("2m"));
        assertEquals(Duration.ofHours(1), c.convert("1h"));
        assertEquals(Duration.ofSeconds(7), c.convert("PT7S"));
        final CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("5x"));
        assertEquals("'5x' is not a duration (use 500ms, 5s, 2m, 1h or PT5S)", e.getMessage());
    }
}
