package io.slate.cli;

import io.slate.agent.AgentInfo;
import io.slate.internal.JvmFlags;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a real process: exit codes, clean output streams, the environment, and {@code tail --follow}. */
class SlateCliProcessTest {
    private static final long WAIT_SECONDS = 30;

    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestSpaces.newDirectory("cli-proc");
    }

    @AfterEach
    void tearDown() {
        TestSpaces.delete(dir);
    }

    private ChildJvm slate(final String label, final String... args) {
        final String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--space";
        all[args.length + 1] = dir.toString();
        return ChildJvm.start(label, SlateCli.class, all);
    }

    private Space writer() {
        return Space.open(SpaceOptions.at(dir).agentId("test-writer"));
    }

    private static void assertOneErrorLine(final ChildJvm child, final String part) {
        final String err = child.stderr();
        assertEquals(1, err.lines().count(), () -> "stderr: " + err);
        assertTrue(err.startsWith("slate: ") && err.contains(part), () -> "stderr: " + err);
    }

    @Test
    void exitCodesAndCleanStreams() throws InterruptedException {
        try (ChildJvm put = slate("put", "put", "k", "v")) {
            assertEquals(0, put.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), put::stderr);
            assertEquals(List.of("1"), put.output(), "stdout holds only the version");
            assertEquals("", put.stderr());
        }
        try (ChildJvm get = slate("get-missing", "get", "nope")) {
            assertEquals(1, get.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), get::stderr);
            assertEquals(List.of(), get.output());
            assertOneErrorLine(get, "key 'nope' not found in " + dir);
        }
        try (ChildJvm cas = slate("cas-bad", "cas", "k", "x", "v")) {
            assertEquals(2, cas.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), cas::stderr);
            assertOneErrorLine(cas, "'x' is not a long");
        }
        final Path missing = Paths.get(dir + "-missing");
        try (ChildJvm get = ChildJvm.start("get-no-space", SlateCli.class, "get", "k", "--space", missing.toString())) {
            assertEquals(3, get.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), get::stderr);
            assertOneErrorLine(get, missing + ": no Slate space here");
        }
        assertFalse(missing.toFile().exists());
        try (Space s = writer()) {
            // every command closed its space: nobody but this test is attached
            assertTrue(s.agents().stream().filter(a -> !a.id().equals("test-writer")).noneMatch(AgentInfo::isAlive), s.agents()::toString);
        }
    }

    /** Our own launcher, because {@link ChildJvm} cannot set environment variables; no log level is passed either. */
    @Test
    void spaceFromTheEnvironmentWithQuietLogging() throws IOException, InterruptedException {
        try (Space s = writer()) {
            s.kv().putString("greeting", "hello from the environment");
        }
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SlateCli.class.getName());
        cmd.add("get");
        cmd.add("greeting");
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(SlateCli.SPACE_ENV, dir.toString());
        final Process p = pb.start();
        try {
            p.getOutputStream().close();
            assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "slate get did not exit");
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), err);
            assertEquals("hello from the environment\n", out);
            assertEquals("", err, "Chronicle's logging must stay quiet");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void followFromStartSeesALaterWriteAndStopsAtCount() throws InterruptedException {
        try (Space w = writer()) {
            w.kv().putString("before", "1");
            try (ChildJvm tail = slate("tail-count", "tail", "--follow", "--from-start", "--count", "2", "--format", "json")) {
                final String first = tail.awaitLine(WAIT_SECONDS, TimeUnit.SECONDS);
                assertTrue(first.contains("\"key\":\"before\""), first);
                // the child is now following: this write comes from another process, after it started
                w.kv().putString("after", "b64:is text here");
                w.kv().put("raw", new byte[] {(byte) 0xc3, 0x28});
                final String second = tail.awaitLine(WAIT_SECONDS, TimeUnit.SECONDS);
                assertTrue(second.contains("\"key\":\"after\",\"version\":1,\"agent\":\"test-writer\"") && second.endsWith("\"value\":\"b64:is text here\"}"),
                        second);
                assertEquals(0, tail.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), tail::stderr);
                assertEquals(2, tail.output().size(), "--count 2 stops after two records");
                assertEquals("", tail.stderr());
            }
        }
    }

    @Test
    void followFromTheEndUntilTerminated() throws InterruptedException {
        try (Space w = writer()) {
            w.kv().putString("old", "written before the tail started");
            try (ChildJvm tail = slate("tail-end", "tail", "--follow")) {
                // the child positions itself at the end some time after it starts: write until it reports something
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                int written = 0;
                while (tail.output().isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, () -> "tail --follow printed nothing; stderr: " + tail.stderr());
                    assertTrue(tail.isAlive(), tail::stderr);
                    w.kv().putString("new", "n" + ++written);
                    Thread.sleep(200);
                }
                final String line = tail.awaitLine(WAIT_SECONDS, TimeUnit.SECONDS);
                assertTrue(line.matches("\\d+ put new@\\d+ test-writer \\S+Z n\\d+"), line);
                assertFalse(tail.output().stream().anyMatch(l -> l.contains(" old@")), "follow alone starts at the end");

                // tail reads as an observer: never listed among the agents
                assertTrue(w.agents().stream().noneMatch(a -> a.pid() == tail.pid()), w.agents()::toString);
                // SIGTERM (like Ctrl-C) ends the follow loop cleanly
                ProcessHandle.of(tail.pid()).ifPresent(ProcessHandle::destroy);
                assertEquals(143, tail.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), tail::stderr);
                assertTrue(w.agents().stream().noneMatch(a -> a.pid() == tail.pid()), w.agents()::toString);
                assertEquals("", tail.stderr());
            }
        }
    }
}
