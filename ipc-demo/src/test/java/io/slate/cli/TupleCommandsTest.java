package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code slate out, rd, in, rdp, inp, tuples} and tuple records in {@code tail}, run in-process. */
class TupleCommandsTest {
    private Path dir;

    /** What one invocation returned and printed. */
    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    @BeforeEach
    void setUp() {
        dir = TestSpaces.newDirectory("cli-tuples");
    }

    @AfterEach
    void tearDown() {
        TestSpaces.delete(dir);
    }

    /** Runs {@code slate ARGS --space dir} with an empty environment. */
    private Result slate(final String... args) {
        final String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--space";
        all[args.length + 1] = dir.toString();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SlateCli.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOk(final Result r, final String... expectedLines) {
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of(expectedLines), r.lines(), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    private static void assertFails(final int code, final Result r, final String messagePart) {
        assertEquals(code, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().startsWith("slate: "), r::toString);
        assertTrue(r.err().contains(messagePart), r::toString);
        assertEquals(1, r.err().lines().count(), () -> "one error line: " + r);
    }

    private static long id(final Result r) {
        assertEquals(0, r.code(), r::toString);
        return Long.parseLong(r.out().strip());
    }

    @Test
    void outReadTakeWithEveryFieldType() {
        final long id = id(slate("out", "--name", "jobs", "alert", "7", "0.93", "true", "b64:AP8=", "'42'", "\"quoted text\"", "-5", "1e3"));
        assertTrue(id > 0);
        final String json = "[\"alert\",7,0.93,true,\"b64:AP8=\",\"42\",\"quoted text\",-5,1000.0]";
        assertOk(slate("rdp", "--name", "jobs", "alert", "?long", "?double", "?boolean", "?bytes", "?string", "*", "-5", "*"), json);
        assertOk(slate("rd", "--name", "jobs", "alert", "7", "*", "*", "*", "'42'", "*", "?long", "?double", "--timeout", "0"), json);
        assertFails(1, slate("rdp", "--name", "jobs", "alert", "7", "*", "*", "*", "42", "*", "*", "*"), "no tuple matching");
        assertOk(slate("tuples", "--name", "jobs", "--ids"), id + " " + json);
        assertOk(slate("inp", "--name", "jobs", "alert", "*", "*", "*", "*", "*", "*", "*", "*"), json);
        assertFails(1, slate("inp", "--name", "jobs", "alert", "*", "*", "*", "*", "*", "*", "*", "*"),
                "no tuple matching [\"alert\",*,*,*,*,*,*,*,*] in tuple space 'jobs'");
        assertOk(slate("tuples", "--name", "jobs"));
        assertOk(slate("tuples", "--name", "jobs", "--count"), "0");
    }

    @Test
    void oldestFirstAndListingAcrossShapes() {
        for (int i = 0; i < 3; i++) {
            id(slate("out", "--name", "q", "task", Integer.toString(i)));
            id(slate("out", "--name", "q", "other", Integer.toString(i), "x"));
        }
        id(slate("out", "--name", "elsewhere", "task", "99"));
        assertOk(slate("tuples", "--name", "q"), "[\"task\",0]", "[\"other\",0,\"x\"]", "[\"task\",1]", "[\"other\",1,\"x\"]", "[\"task\",2]",
                "[\"other\",2,\"x\"]");
        assertOk(slate("tuples", "--name", "q", "--limit", "2"), "[\"task\",0]", "[\"other\",0,\"x\"]");
        assertOk(slate("tuples", "--name", "q", "--count"), "6");
        assertOk(slate("tuples", "--name", "q", "*", "?long", "x", "--count"), "3");
        assertOk(slate("tuples", "--name", "q", "task", "*", "-n", "1"), "[\"task\",0]");
        assertOk(slate("in", "--name", "q", "task", "?long", "--timeout", "1s"), "[\"task\",0]");
        assertOk(slate("inp", "--name", "q", "task", "?long"), "[\"task\",1]");
        assertOk(slate("tuples", "--name", "elsewhere"), "[\"task\",99]");
    }

    @Test
    void rdAndInWaitForAWriteAndTimeOut() throws Exception {
        id(slate("out", "--name", "q", "seed"));
        final long t0 = System.nanoTime();
        assertFails(1, slate("in", "--name", "q", "wake", "?long", "--timeout", "300ms"),
                "no tuple matching [\"wake\",?long] in tuple space 'q' within 300ms");
        assertTrue(System.nanoTime() - t0 >= 300_000_000L);
        assertFails(1, slate("rd", "--name", "q", "wake", "?long", "--timeout", "PT0.1S"), "within 100ms");
        final CompletableFuture<Result> waiting = CompletableFuture.supplyAsync(() -> slate("in", "--name", "q", "wake", "?long", "--timeout", "20s"));
        Thread.sleep(300);
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("writer")); TupleSpace ts = TupleSpace.of(s, "q")) {
            ts.out(Tuple.of("wake", 5));
        }
        assertOk(waiting.get(30, TimeUnit.SECONDS), "[\"wake\",5]");
        assertFails(1, slate("rdp", "--name", "q", "wake", "*"), "no tuple matching");
    }

    @Test
    void leasesExpire() throws Exception {
        id(slate("out", "--name", "q", "short", "--ttl", "200ms"));
        id(slate("out", "--name", "q", "long", "--ttl", "1h"));
        assertOk(slate("tuples", "--name", "q", "--count"), "2");
        Thread.sleep(400);
        assertOk(slate("tuples", "--name", "q"), "[\"long\"]");
        assertFails(2, slate("out", "--name", "q", "x", "--ttl", "0s"), "--ttl must be > 0");
        assertFails(2, slate("out", "--name", "q", "x", "--ttl", "soon"), "--ttl 'soon' is not a duration");
    }

    @Test
    void tailShowsTupleRecordsWithTheirOwnOps() {
        final long id = id(slate("out", "--name", "q", "job", "1", "--ttl", "1h"));
        assertOk(slate("inp", "--name", "q", "job", "*"), "[\"job\",1]");
        final Result text = slate("tail");
        assertEquals(0, text.code(), text::toString);
        assertEquals(2, text.lines().size(), text::toString);
        assertTrue(text.lines().get(0).matches(id + " tuple-out q@0 cli-\\S+ \\S+Z \\[\"job\",1\\] ttl=3600000000000ns"), text::toString);
        assertTrue(text.lines().get(1).matches("\\d+ tuple-take q@" + id + " cli-\\S+ \\S+Z tuple=" + id + " final pid=\\d+"), text::toString);
        final Result json = slate("tail", "--format", "json");
        assertEquals(0, json.code(), json::toString);
        assertTrue(json.lines().get(0).matches("\\{\"index\":" + id + ",\"op\":\"tuple-out\",\"key\":\"q\",\"version\":0,\"agent\":\"cli-[0-9-]+\","
                + "\"time\":\\d{19},\"iso\":\"[^\"]+Z\",\"tuple\":\\[\"job\",1\\],\"ttl_ns\":3600000000000}"), json::toString);
        assertTrue(json.lines().get(1).matches("\\{\"index\":\\d+,\"op\":\"tuple-take\",\"key\":\"q\",\"version\":" + id + ",.*,\"tuple_id\":" + id
                + ",\"take\":\\d+,\"final\":true,\"taker_pid\":\\d+}"), json::toString);
    }

    @Test
    void badUsageAndMissingSpace() {
        assertFails(3, slate("rdp", "--name", "q", "x"), "no Slate space here");
        assertFails(3, slate("tuples", "--name", "q"), "no Slate space here");
        assertFails(2, slate("out", "--name", "q"), "FIELD");
        assertFails(2, slate("out", "x"), "--name");
        assertFails(2, slate("out", "--name", "n".repeat(49), "x"), "is too long: 49 UTF-8 bytes, at most 48");
        assertFails(2, slate("out", "--name", "q", "99999999999999999999"), "outside the range of a long");
        id(slate("out", "--name", "q", "x"));
        assertFails(2, slate("rdp", "--name", "q", "?int"), "unknown formal '?int'");
        assertFails(2, slate("in", "--name", "q", "x", "--timeout", "-1s"), "is not a duration");
        assertFails(2, slate("tuples", "--name", "q", "--limit", "-1"), "--limit must be >= 0");
        assertFails(1, slate("rdp", "--name", "q", "'?int'"), "no tuple matching [\"?int\"]");
        assertOk(slate("rdp", "--name", "q", "x"), "[\"x\"]");
    }
}
