package com.example.hello;

import io.slate.launch.JvmOptions;
import io.slate.space.Space;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agents as a user runs them, each in a JVM of its own: without Slate's JVM options an agent stops at once with
 * Slate's one message naming the missing options; with them (from {@link JvmOptions}) the two agents share a space.
 * This test's own JVM runs without the options, as the first agent does.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HelloAgentsTest {
    private final Path root = newRoot();
    private final List<Process> processes = new ArrayList<>();

    private static Path newRoot() {
        try {
            final Path shm = Paths.get("/dev/shm");
            return Files.isDirectory(shm) ? Files.createTempDirectory(shm, "hello-agents-test-") : Files.createTempDirectory("hello-agents-test-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An agent's run: its exit code and what it printed. */
    private static final class Run {
        final int exit;
        final List<String> out;
        final String err;

        Run(final int exit, final List<String> out, final String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }
    }

    private Process start(final String label, final Class<?> agent, final List<String> jvmOptions, final String... args) throws IOException {
        final Process p = HelloAgents.agent(agent, jvmOptions, args)
                .redirectOutput(root.resolve(label + ".out").toFile())
                .redirectError(root.resolve(label + ".err").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private Run await(final String label, final Process p) throws IOException, InterruptedException {
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), label + " still running after 4 minutes");
        return new Run(p.exitValue(), Files.readAllLines(root.resolve(label + ".out"), StandardCharsets.UTF_8),
                Files.readString(root.resolve(label + ".err"), StandardCharsets.UTF_8));
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        Space.delete(root.resolve("space"));
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    @Test
    void withoutTheOptionsAnAgentStopsWithOneMessageNamingThem() throws Exception {
        final List<String> missing = JvmOptions.missing();
        assertFalse(missing.isEmpty(), "this test's JVM is meant to run without Slate's options, like the agent it starts");
        assertTrue(missing.contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), missing.toString());

        final Path space = root.resolve("space");
        final Run worker = await("worker", start("worker", Worker.class, List.of(), space.toString(), "1"));
        assertEquals(1, worker.exit, worker.err);
        assertTrue(worker.err.contains("io.slate.launch.MissingJvmOptionsException: Slate cannot run on this JVM"), worker.err);
        assertFalse(worker.err.contains("IllegalAccessError"), worker.err);
        // the message's list of missing options, one per indented line: exactly the missing ones
        final List<String> listed = worker.err.lines().filter(l -> l.startsWith("    --add-")).map(String::trim).collect(Collectors.toList());
        assertEquals(missing, listed, worker.err);
        for (String how : List.of("java --add-", "JDK_JAVA_OPTIONS=", "<argLine>", "Add-Opens: ", "Add-Exports: ")) {
            assertTrue(worker.err.contains(how), how + " in\n" + worker.err);
        }
        assertFalse(Files.exists(space), "nothing is created before the check");
    }

    @Test
    void withTheOptionsTheAgentsCooperate() throws Exception {
        final String space = root.resolve("space").toString();
        final Process worker = start("worker", Worker.class, JvmOptions.commandLine(), space, "3");
        final Process planner = start("planner", Planner.class, JvmOptions.commandLine(), space, "3");
        final Run w = await("worker", worker);
        final Run p = await("planner", planner);
        assertEquals(0, w.exit, "worker:\n" + String.join("\n", w.out) + "\n" + w.err);
        assertEquals(0, p.exit, "planner:\n" + String.join("\n", p.out) + "\n" + p.err);

        // the worker took the three tuples, oldest first, each once, each under a newer fencing token
        assertEquals(3, w.out.size(), String.join("\n", w.out));
        long lastToken = 0;
        for (int i = 1; i <= 3; i++) {
            final String line = w.out.get(i - 1);
            assertTrue(line.startsWith("worker: greeted agent number " + i + " (task " + i + ", fencing token "), line);
            assertTrue(line.endsWith("), " + i + " done"), line);
            final long token = Long.parseLong(line.replaceAll(".*fencing token (\\d+)\\).*", "$1"));
            assertTrue(token > lastToken, line);
            lastToken = token;
        }
        // the planner saw the count reach 3 through the journal, written by the worker, and read the board under the lock
        assertEquals("planner: posted 3 greetings", p.out.get(0));
        assertTrue(p.out.contains("planner: hello/done = 3 (version 3, written by worker)"), String.join("\n", p.out));
        final int board = p.out.indexOf(p.out.stream().filter(l -> l.startsWith("planner: the board")).findFirst().orElseThrow());
        final long plannerToken = Long.parseLong(p.out.get(board).replaceAll(".*fencing token (\\d+):", "$1"));
        assertTrue(plannerToken > lastToken, p.out.get(board));
        assertEquals(List.of("planner:   hello, agent number 1", "planner:   hello, agent number 2", "planner:   hello, agent number 3"),
                p.out.subList(board + 1, p.out.size()));
    }
}
