package io.slate.cli;

import io.slate.agent.AgentInfo;
import io.slate.shm.SpaceFiles;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line run in-process through {@link SlateCli#run(String[], Map, PrintStream, PrintStream)}. */
class SlateCliTest {
    private final List<Path> dirs = new ArrayList<>();
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
        dir = newDir("cli");
    }

    @AfterEach
    void tearDown() {
        for (Path d : dirs) {
            TestSpaces.delete(d);
        }
    }

    private Path newDir(final String label) {
        final Path d = TestSpaces.newDirectory(label);
        dirs.add(d);
        return d;
    }

    static Result run(final Map<String, String> env, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SlateCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs with {@code --space dir} appended and an empty environment. */
    private Result slate(final String... args) {
        final String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--space";
        all[args.length + 1] = dir.toString();
        return run(Map.of(), all);
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

    @Test
    void putGetCasDelIncr() {
        assertOk(slate("put", "k", "v1"), "1");
        assertOk(slate("get", "k"), "v1");
        assertOk(slate("put", "k", "v2"), "2");
        assertOk(slate("cas", "k", "2", "v3"), "3");
        assertFails(1, slate("cas", "k", "2", "v4"), "version conflict on key 'k': expected version 2, but it is at version 3");
        assertOk(slate("get", "k"), "v3");
        assertOk(slate("cas", "fresh", "0", "new"), "1");
        assertFails(1, slate("cas", "fresh", "0", "again"), "version conflict");
        assertOk(slate("del", "k"), "4");
        assertFails(1, slate("get", "k"), "key 'k' not found in " + dir);
        assertFails(1, slate("del", "k"), "key 'k' not found");
        assertOk(slate("put", "k", "back"), "5");
        assertOk(slate("incr", "n"), "1");
        assertOk(slate("incr", "n", "--by", "41"), "42");
        assertOk(slate("incr", "n", "--by", "-50"), "-8");
        assertOk(slate("get", "n"), "-8");
        assertOk(slate("put", "neg", "-5"), "1");
        assertOk(run(Map.of(), "put", "--space", dir.toString(), "dash", "--", "--not-an-option"), "1");
        assertOk(slate("get", "dash"), "--not-an-option");
    }

    @Test
    void bytesAndJsonGet() {
        assertOk(slate("put", "bin", "b64:AP8B"), "1");
        assertOk(slate("get", "bin"), "b64:AP8B");
        final Result bin = slate("get", "bin", "--format", "json");
        assertEquals(0, bin.code(), bin::toString);
        assertTrue(bin.out().contains("\"value\":\"AP8B\",\"encoding\":\"base64\""), bin::toString);

        assertOk(slate("put", "quote", "say \"hi\"\n\tbye \\ ü"), "1");
        final Result r = slate("get", "quote", "--format", "JSON");
        assertEquals(0, r.code(), r::toString);
        final String json = r.lines().get(0);
        assertTrue(json.startsWith("{\"key\":\"quote\",\"version\":1,\"writer\":\"cli-"), json);
        assertTrue(json.matches(".*\"time\":\\d{19},\"iso\":\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\",\"index\":\\d+,.*"), json);
        assertTrue(json.endsWith(",\"value\":\"say \\\"hi\\\"\\n\\tbye \\\\ ü\"}"), json);
        assertFalse(json.contains("encoding"), json);
        assertEquals(1, r.lines().size());
    }

    @Test
    void tailJsonFields() {
        assertOk(slate("put", "text", "hello"), "1");
        assertOk(slate("put", "bin", "b64:/wA="), "1");
        assertOk(slate("del", "text"), "2");
        final Result r = slate("tail", "--format", "json");
        assertEquals(0, r.code(), r::toString);
        assertEquals(3, r.lines().size(), r::toString);
        final String put = r.lines().get(0);
        assertTrue(put.matches("\\{\"index\":\\d+,\"op\":\"put\",\"key\":\"text\",\"version\":1,\"agent\":\"cli-[0-9-]+\","
                + "\"time\":\\d{19},\"iso\":\"[^\"]+Z\",\"value\":\"hello\"}"), put);
        final String bin = r.lines().get(1);
        assertTrue(bin.contains("\"key\":\"bin\"") && bin.endsWith("\"value\":\"/wA=\",\"encoding\":\"base64\"}"), bin);
        final String remove = r.lines().get(2);
        assertTrue(remove.contains("\"op\":\"remove\",\"key\":\"text\",\"version\":2,") && remove.contains("\"removed\":true"), remove);
        assertTrue(index(put) < index(bin) && index(bin) < index(remove), r::toString);
    }

    private static long index(final String json) {
        final int i = json.indexOf("\"index\":") + 8;
        return Long.parseLong(json.substring(i, json.indexOf(',', i)));
    }

    @Test
    void tailTextCountAndFrom() {
        for (int i = 1; i <= 5; i++) {
            assertOk(slate("put", "k" + i, "line1\nline2 " + i), "1");
        }
        final Result all = slate("tail");
        assertEquals(0, all.code(), all::toString);
        assertEquals(5, all.lines().size(), all::toString);
        final String first = all.lines().get(0);
        assertTrue(first.matches("\\d+ put k1@1 cli-[0-9-]+ \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z line1\\\\nline2 1"), first);

        final Result two = slate("tail", "--count", "2");
        assertEquals(all.lines().subList(0, 2), two.lines(), two::toString);

        final String thirdIndex = all.lines().get(2).substring(0, all.lines().get(2).indexOf(' '));
        final Result from = slate("tail", "--from", thirdIndex, "-n", "2");
        assertEquals(all.lines().subList(2, 4), from.lines(), from::toString);
        final Result hex = slate("tail", "--from", "0x" + Long.toHexString(Long.parseLong(thirdIndex)));
        assertEquals(all.lines().subList(2, 5), hex.lines(), hex::toString);
        assertEquals(all.lines(), slate("tail", "--from-start").lines());
        assertOk(slate("tail", "--count", "0"));
    }

    @Test
    void tailTextKeepsOneLinePerRecord() {
        assertOk(slate("put", "two\nlines", "tab\there\r\n"), "1");
        final Result r = slate("tail");
        assertEquals(1, r.lines().size(), r::toString);
        assertTrue(r.lines().get(0).matches("\\d+ put two\\\\nlines@1 cli-\\S+ \\S+Z tab\\\\there\\\\r\\\\n"), r::toString);
    }

    /** Issue 17: the read-only commands open the space as an observer: no agent registered, nothing changed. */
    @Test
    void readOnlyCommandsRegisterNoAgentAndChangeNothing() throws IOException {
        assertOk(slate("put", "k", "v"), "1");
        assertEquals(0, slate("out", "--name", "t", "job", "1").code());
        final long lastIndex;
        final List<AgentInfo> before;
        try (Space o = Space.open(SpaceOptions.at(dir).observer(true))) {
            lastIndex = o.journal().lastIndex();
            before = o.agents();
        }
        final List<String> files = listing();
        for (String[] command : List.of(new String[] {"get", "k"}, new String[] {"tail"}, new String[] {"stat"}, new String[] {"agents"},
                new String[] {"verify"}, new String[] {"tuples", "--name", "t"}, new String[] {"locks", "--all"},
                new String[] {"rdp", "--name", "t", "job", "?long"}, new String[] {"rd", "--name", "t", "job", "?long", "--timeout", "0"})) {
            final Result r = slate(command);
            assertEquals(0, r.code(), () -> String.join(" ", command) + ": " + r);
        }
        try (Space o = Space.open(SpaceOptions.at(dir).observer(true))) {
            assertEquals(lastIndex, o.journal().lastIndex(), "nothing journaled");
            assertEquals(before.size(), o.agents().size(), () -> "no agent registered: " + o.agents());
        }
        assertEquals(files, listing(), "no file made or removed");
    }

    private List<String> listing() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void statAndAgents() {
        assertOk(slate("put", "a", "1"), "1");
        assertOk(slate("put", "b", "2"), "1");
        final Result stat = slate("stat");
        assertEquals(0, stat.code(), stat::toString);
        assertTrue(stat.out().contains("directory:       " + dir + "\n"), stat::toString);
        assertTrue(stat.out().contains("entries:         2 / 100000"), stat::toString);
        assertTrue(stat.out().contains("journal records: 2\n"), stat::toString);
        assertTrue(stat.out().matches("(?s).*first index: +\\d+ \\(0x[0-9a-f]+\\)\n.*"), stat::toString);
        assertTrue(stat.out().contains("format version:  1."), stat::toString);
        assertTrue(stat.out().matches("(?s).*oldest readable: \\d+ \\(0x[0-9a-f]+\\) \\(the whole history\\)\n.*"), stat::toString);
        assertTrue(stat.out().contains("retention:       keep 268435456 (256.0 MiB) of journal"), stat::toString);
        assertTrue(stat.out().contains("of journal; five-minutely cycles; older ones deleted\n"), stat::toString);
        assertTrue(stat.out().matches("(?s).*journal bytes: +\\d+ \\(\\S+ \\S+\\) of 268435456 \\(256.0 MiB\\) budget \\(\\d+%\\)\n.*"), stat::toString);
        assertTrue(stat.out().contains("snapshots:       0 tuple spaces and blackboards, 0\n"), stat::toString);
        // stat reads as an observer: not an agent, not counted, nothing registered
        assertTrue(stat.out().contains("agents alive:    0\n"), stat::toString);
        assertTrue(stat.out().contains("agents known:    2\n"), stat::toString);

        try (Space other = Space.open(SpaceOptions.at(dir).agentId("planner"))) {
            final Result agents = slate("agents");
            assertEquals(0, agents.code(), agents::toString);
            assertEquals(3, agents.lines().size(), agents::toString);
            final long pid = ProcessHandle.current().pid();
            assertTrue(agents.lines().stream().anyMatch(l -> l.matches("planner +" + pid + " alive +\\d{4}-[0-9T:.-]+Z")), agents::toString);
            assertTrue(agents.lines().stream().noneMatch(l -> l.contains("observer")), agents::toString);
            assertEquals(2, agents.lines().stream().filter(l -> l.contains(" closed ")).count(), agents::toString);
            // the command closed its space on the way out: only the test's own agent is still alive
            assertEquals(List.of("planner"), other.agents().stream().filter(AgentInfo::isAlive).map(AgentInfo::id).toList());
        }
    }

    @Test
    void verifyReplayAndVerifyTheCopy() {
        assertOk(slate("put", "a", "1"), "1");
        assertOk(slate("put", "b", "b64:AAEC"), "1");
        assertOk(slate("put", "a", "2"), "2");
        assertOk(slate("del", "b"), "2");
        assertOk(slate("incr", "c", "--by", "7"), "7");
        assertOk(slate("verify"), "OK: 5 records replayed, 3 keys checked");

        final Path copy = newDir("cli-copy");
        assertOk(slate("replay", "--to", copy.toString()), "5 records replayed into " + copy);
        final Result verify = run(Map.of(), "verify", "--space", copy.toString());
        assertOk(verify, "OK: 5 records replayed, 3 keys checked");
        final Result tailSource = slate("tail", "--format", "json");
        final Result tailCopy = run(Map.of(), "tail", "--format", "json", "--space", copy.toString());
        assertEquals(stripIndex(tailSource.lines()), stripIndex(tailCopy.lines()));
        assertOk(run(Map.of(), "get", "a", "--space", copy.toString()), "2");
        assertFails(1, run(Map.of(), "get", "b", "--space", copy.toString()), "not found");
    }

    private static List<String> stripIndex(final List<String> lines) {
        final List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.replaceFirst("\"index\":\\d+,", ""));
        }
        return out;
    }

    @Test
    void replayRefusesANonEmptyTarget() throws IOException {
        assertOk(slate("put", "a", "1"), "1");
        final Path target = newDir("cli-full");
        Files.createDirectories(target);
        Files.writeString(target.resolve("precious.txt"), "keep me");
        assertFails(2, slate("replay", "--to", target.toString()), target + ": replay target exists and is not empty");
        assertEquals("keep me", Files.readString(target.resolve("precious.txt")));
        assertFails(2, slate("replay", "--to", dir.toString()), "not empty");
    }

    @Test
    void badUsageExitsWith2() {
        assertOk(slate("put", "k", "v"), "1");
        assertFails(2, run(Map.of(), "frobnicate", "--space", dir.toString()), "unknown command 'frobnicate'");
        assertFails(2, slate("cas", "k", "one", "v"), "'one' is not a long");
        assertFails(2, slate("cas", "k", "-1", "v"), "VERSION must be >= 0");
        assertFails(2, slate("incr", "k", "--by", "lots"), "'lots' is not a long");
        final String longKey = "x".repeat(300);
        final String tooLong = "is 300 UTF-8 bytes; the space at " + dir + " allows at most 256 (maxKeyBytes)";
        assertFails(2, slate("put", longKey, "v"), tooLong);
        assertFails(2, slate("get", longKey), tooLong);
        assertFails(2, slate("put", "", "v"), "key must not be empty");
        assertFails(2, slate("put", "k"), "Missing required parameter");
        assertFails(2, slate("put", "k", "b64:not base64!"), "is not valid base64");
        assertFails(2, slate("get", "k", "--format", "xml"), "--format");
        assertFails(2, slate("tail", "--from-start", "--from", "3"), "cannot be given together");
        assertFails(2, slate("tail", "--from", "zero"), "is not a journal index");
        assertFails(2, slate("tail", "--count", "-1"), "--count must be >= 0");
        assertFails(2, slate("get", "k", "--bogus"), "Unknown option: '--bogus'");
        assertFails(2, run(Map.of(), "get", "k"), "no space given: use --space NAME|DIR or set SLATE_SPACE");
        assertFails(2, run(Map.of()), "no command given");
        assertFails(2, slate("replay"), "Missing required option: '--to=DIR'");
        assertOk(slate("put", "text", "abc"), "1");
        assertFails(2, slate("incr", "text"), "value of key 'text' is not a decimal long: abc");
        assertOk(slate("put", "max", Long.toString(Long.MAX_VALUE)), "1");
        assertFails(2, slate("incr", "max"), "overflows a long");
        assertOk(slate("get", "max"), Long.toString(Long.MAX_VALUE));
    }

    @Test
    void spaceErrorsExitWith3AndCreateNothing() throws IOException {
        final Path missing = newDir("cli-missing");
        for (String command : List.of("get k", "tail", "stat", "agents", "verify", "replay --to " + missing + "-copy")) {
            final List<String> args = new ArrayList<>(Arrays.asList(command.split(" ")));
            args.add("--space");
            args.add(missing.toString());
            assertFails(3, run(Map.of(), args.toArray(new String[0])), missing + ": no Slate space here");
        }
        assertFalse(Files.exists(missing), "a read-only command created " + missing);
        assertFalse(Files.exists(Path.of(missing + "-copy")));

        final Path foreign = newDir("cli-foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "not a space");
        assertFails(3, run(Map.of(), "get", "k", "--space", foreign.toString()), foreign + ": no Slate space here");
        assertFails(3, run(Map.of(), "put", "k", "v", "--space", foreign.toString()),
                foreign + ": directory is not empty and has no space.slate header: not a Slate space");
        Files.writeString(foreign.resolve("space.slate"), "garbage that is long enough to be read as a header");
        assertFails(3, run(Map.of(), "stat", "--space", foreign.toString()), "not a Slate space header");
    }

    @Test
    void groupSharedMakesASpaceOfTheGroup() {
        final Path shared = newDir("cli-shared");
        assertOk(run(Map.of(), "put", "k", "v", "--group-shared", "--space", shared.toString()), "1");
        assertEquals(02770, SpaceFiles.mode(shared));
        assertEquals(0660, SpaceFiles.mode(shared.resolve("space.slate")));
        assertOk(run(Map.of(), "--group-shared", "get", "k", "--space", shared.toString()), "v");
        assertOk(slate("put", "k", "v"), "1");
        assertEquals(0700, SpaceFiles.mode(dir), "without the option a space is its owner's alone");
        assertEquals(0600, SpaceFiles.mode(dir.resolve("kv.cm3")));
    }

    @Test
    void spaceComesFromTheEnvironmentUnlessGiven() {
        final Map<String, String> env = Map.of(SlateCli.SPACE_ENV, dir.toString());
        assertOk(run(env, "put", "k", "from-env"), "1");
        assertOk(run(Map.of(), "get", "k", "--space", dir.toString()), "from-env");
        assertOk(run(env, "get", "k"), "from-env");
        assertOk(run(Map.of(), "--space", dir.toString(), "get", "k"), "from-env");
        final Path other = newDir("cli-other");
        assertOk(run(env, "put", "k", "explicit", "--space", other.toString()), "1");
        assertOk(run(env, "get", "k"), "from-env");
        assertFails(2, run(Map.of(SlateCli.SPACE_ENV, " "), "get", "k"), "no space given");
    }

    @Test
    void helpAndVersion() {
        final Result help = run(Map.of(), "--help");
        assertEquals(0, help.code(), help::toString);
        for (String command : List.of("put", "get", "cas", "del", "incr", "tail", "stat", "agents", "verify", "replay")) {
            assertTrue(help.out().contains("\n  " + command + " "), () -> command + " missing from\n" + help.out());
        }
        assertTrue(help.out().contains("Exit codes:"), help::toString);
        final Result tail = run(Map.of(), "tail", "--help");
        assertEquals(0, tail.code(), tail::toString);
        assertTrue(tail.out().replaceAll("\\s+", " ").contains("with --follow alone, at the end"), tail::toString);
        final Result sub = run(Map.of(), "help", "cas");
        assertTrue(sub.out().contains("Usage: slate cas"), sub::toString);
        final Result version = run(Map.of(), "--version");
        assertEquals(0, version.code(), version::toString);
        assertTrue(version.out().startsWith("slate "), version::toString);
    }
}
