package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Sync;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code slate locks}, in-process through {@link SlateCli#run}. */
class LocksCommandTest {
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestSpaces.newDirectory("cli-locks");
    }

    @AfterEach
    void tearDown() {
        TestSpaces.delete(dir);
    }

    private List<String> locksOk(final String... extra) {
        final String[] args = new String[extra.length + 3];
        args[0] = "locks";
        args[1] = "--space";
        args[2] = dir.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SlateCli.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, () -> "exit " + code + " stderr: " + err);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        final String text = out.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    @Test
    void listsMutexesAndSemaphoresWithTheirHolders() {
        final long pid = ProcessHandle.current().pid();
        try (Space alive = Space.open(SpaceOptions.at(dir).agentId("worker"))) {
            final Sync sync = Sync.of(alive);
            sync.mutex("build").lock();
            sync.mutex("idle");
            sync.semaphore("gpu", 3).acquire(2);
            sync.counter("jobs").add(5);
            sync.latch("ready", 2).countDown();
            sync.barrier("step", 4);
            final Space quitter = Space.open(SpaceOptions.at(dir).agentId("quitter"));
            Sync.of(quitter).mutex("orphan").lock();
            quitter.close(); // holding it: seen as dead until a waiter takes it over

            assertEquals(List.of(
                    "mutex build held token=1",
                    "  holder worker pid=" + pid + " alive",
                    "mutex idle free token=0",
                    "semaphore gpu free=1/3",
                    "  holder worker pid=" + pid + " alive permits=2",
                    "mutex orphan held token=1",
                    "  holder quitter pid=" + pid + " dead"), locksOk());
            final List<String> all = locksOk("--all");
            assertTrue(all.containsAll(List.of("counter jobs value=5", "latch ready count=1 initial=2", "barrier step arrived=0 parties=4 generation=0")),
                    all::toString);
            assertEquals(10, all.size(), all::toString);
        }
    }

    @Test
    void nothingToListCreatesNothing() {
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("maker"))) {
            assertTrue(Files.exists(dir.resolve("space.slate")));
        }
        assertEquals(List.of(), locksOk());
        assertFalse(Files.exists(dir.resolve("sync.slate")));
        // key/value writes make sync.slate (the map's segment guards use its agent incarnations): still nothing to list
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("maker"))) {
            s.kv().putString("k", "v");
        }
        assertEquals(List.of(), locksOk());
    }

    @Test
    void missingSpaceIsExitThree() {
        final Path missing = Paths.get(dir + "-missing");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SlateCli.run(new String[] {"locks", "--space", missing.toString()}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(3, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no Slate space here"));
        assertFalse(Files.exists(missing));
    }
}
