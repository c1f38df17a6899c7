package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every kind of bad input to every {@code slate} command, through the real entry point in-process: each gets exactly
 * one line on stderr, {@code slate: } and the message (checked in full: it names the thing and the problem), nothing
 * on stdout, never a stack trace, and the exit code of its kind: 2 bad usage, 3 the space cannot be used, 1 the
 * answer is no, 127 the command of {@code slate lock} cannot be run. Nothing a refused command was given is written.
 *
 * <p>In the table, {@code {space}} is a space holding {@code k} (version 2), {@code text} ("abc") and {@code max}
 * (Long.MAX_VALUE); {@code {dir}} is a directory beside it with a file {@code afile}, a foreign directory
 * {@code foreign} and a directory {@code badheader} whose space.slate is not a header.
 */
class BadInputCliTest {
    private static Path root;
    private static Path space;

    @BeforeAll
    static void setUp() throws IOException {
        root = TestSpaces.newDirectory("cli-bad");
        space = root.resolve("space");
        Files.createDirectories(root);
        try (Space s = Space.open(SpaceOptions.at(space))) {
            s.kv().putString("k", "v1");
            s.kv().putString("k", "v2");
            s.kv().putString("text", "abc");
            s.kv().putString("max", Long.toString(Long.MAX_VALUE));
            TupleSpace.of(s, "t").close();
        }
        Files.writeString(root.resolve("afile"), "not a space");
        Files.createDirectories(root.resolve("foreign"));
        Files.writeString(root.resolve("foreign/notes.txt"), "not a space");
        Files.createDirectories(root.resolve("badheader"));
        Files.writeString(root.resolve("badheader/space.slate"), "garbage that is long enough to be read as a header");
    }

    @AfterAll
    static void tearDown() {
        TestSpaces.delete(space);
        TestSpaces.delete(root);
    }

    private static Arguments usage(final String message, final String... args) {
        return Arguments.of(SlateCli.EXIT_USAGE, message, List.of(args));
    }

    private static Arguments spaceError(final String message, final String... args) {
        return Arguments.of(SlateCli.EXIT_SPACE, message, List.of(args));
    }

    private static Arguments no(final String message, final String... args) {
        return Arguments.of(SlateCli.EXIT_FAILED, message, List.of(args));
    }

    private static String fields(final int n) {
        return IntStream.rangeClosed(1, n).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    static Stream<Arguments> badInputs() {
        final String longKey = "k".repeat(300);
        final String longValue = "v".repeat(70_000);
        final String charset = System.getProperty("sun.jnu.encoding", "UTF-8");
        return Stream.of(
                // commands and options
                usage("no command given; commands: put, get, cas, del, incr, tail, stat, agents, verify, replay (see 'slate --help')"),
                usage("unknown command 'frobnicate' (see 'slate --help')", "frobnicate"),
                usage("Unknown option: '--bogus' (see 'slate get --help')", "get", "k", "--bogus", "--space", "{space}"),
                usage("Unmatched argument at index 1: 'extra' (see 'slate agents --help')", "agents", "extra", "--space", "{space}"),
                usage("Missing required parameter: 'VALUE' (see 'slate put --help')", "put", "k", "--space", "{space}"),
                usage("Missing required option: '--to=DIR' (see 'slate replay --help')", "replay", "--space", "{space}"),
                usage("option '--space' (NAME|DIR) should be specified only once (see 'slate verify --help')",
                        "verify", "--space", "{space}", "--space", "{space}"),
                usage("Invalid value for option '--format': expected one of [TEXT, JSON] (case-insensitive) but was 'xml' (see 'slate get --help')",
                        "get", "k", "--format", "xml", "--space", "{space}"),
                // the space
                usage("no space given: use --space NAME|DIR or set SLATE_SPACE", "get", "k"),
                usage("no space given: use --space NAME|DIR or set SLATE_SPACE", "get", "k", "--space", " "),
                usage("space name '..' is not a name; give a path with a '/'", "put", "k", "v", "--space", ".."),
                usage("space 'a\\x00b' is not a valid path: Nul character not allowed", "put", "k", "v", "--space", "a\0b"),
                usage("space address 'foo://x/y': no backend for scheme 'foo'; known schemes: etcd, shm (a plain name or a path opens a space in "
                        + "shared memory)", "put", "k", "v", "--space", "foo://x/y"),
                usage("space address 'foo://x/y': no backend for scheme 'foo'; known schemes: etcd, shm (a plain name or a path opens a space in "
                        + "shared memory)", "get", "k", "--space", "foo://x/y"),
                spaceError("{dir}/missing: no Slate space here", "get", "k", "--space", "{dir}/missing"),
                spaceError("{dir}/missing: no Slate space here", "tail", "--space", "{dir}/missing"),
                spaceError("{dir}/missing: no Slate space here", "verify", "--space", "{dir}/missing"),
                spaceError("{dir}/afile: no Slate space here", "stat", "--space", "{dir}/afile"),
                spaceError("{dir}/afile: is not a directory", "put", "k", "v", "--space", "{dir}/afile"),
                spaceError("{dir}/afile/sub: is not a directory", "put", "k", "v", "--space", "{dir}/afile/sub"),
                spaceError("{dir}/foreign: directory is not empty and has no space.slate header: not a Slate space",
                        "put", "k", "v", "--space", "{dir}/foreign"),
                spaceError("{dir}/badheader/space.slate: not a Slate space header (bad magic)", "stat", "--space", "{dir}/badheader"),
                spaceError("{dir}/" + "d".repeat(300) + ": cannot create the directory: File name too long",
                        "put", "k", "v", "--space", "{dir}/" + "d".repeat(300)),
                // keys and values
                usage("key must not be empty", "put", "", "v", "--space", "{space}"),
                usage("key must not be empty", "get", "", "--space", "{space}"),
                usage("key must not be empty", "del", "", "--space", "{space}"),
                usage("key '" + longKey.substring(0, 60) + "...' is 300 UTF-8 bytes; the space at {space} allows at most 256 (maxKeyBytes)",
                        "put", longKey, "v", "--space", "{space}"),
                usage("key '" + longKey.substring(0, 60) + "...' is 300 UTF-8 bytes; the space at {space} allows at most 256 (maxKeyBytes)",
                        "get", longKey, "--space", "{space}"),
                usage("value for key 'k' is 70000 bytes; the space at {space} allows at most 65536 (maxValueBytes)",
                        "put", "k", longValue, "--space", "{space}"),
                usage("argument 2 'a\\ud800' has an unpaired surrogate at character 1: not text", "put", "a\uD800", "v", "--space", "{space}"),
                usage("argument 3 'x\\ufffdy' is not valid " + charset + " text: it has bytes that could not be decoded (U+FFFD at character 1)"
                        + (charset.equalsIgnoreCase("UTF-8") ? "" : "; run with a UTF-8 locale (e.g. LANG=C.UTF-8)")
                        + "; give arbitrary bytes as b64:BASE64", "put", "k", "x\uFFFDy", "--space", "{space}"),
                usage("value 'b64:!!' is not valid base64 after 'b64:': Illegal base64 character 21", "put", "k", "b64:!!", "--space", "{space}"),
                // numbers
                usage("Invalid value for positional parameter at index 1 (VERSION): 'one' is not a long (see 'slate cas --help')",
                        "cas", "k", "one", "v", "--space", "{space}"),
                usage("Invalid value for positional parameter at index 1 (VERSION): '99999999999999999999' is not a long (see 'slate cas --help')",
                        "cas", "k", "99999999999999999999", "v", "--space", "{space}"),
                usage("Invalid value for positional parameter at index 1 (VERSION): '' is not a long (see 'slate cas --help')",
                        "cas", "k", "", "v", "--space", "{space}"),
                usage("VERSION must be >= 0 (0: the key must not exist), got -1", "cas", "k", "-1", "v", "--space", "{space}"),
                usage("Invalid value for option '--by': 'lots' is not a long (see 'slate incr --help')", "incr", "n", "--by", "lots", "--space", "{space}"),
                usage("Invalid value for option '--by': '9223372036854775808' is not a long (see 'slate incr --help')",
                        "incr", "n", "--by", "9223372036854775808", "--space", "{space}"),
                usage("value of key 'text' is not a decimal long: abc", "incr", "text", "--space", "{space}"),
                usage("adding 1 to key 'max' overflows a long; nothing written", "incr", "max", "--space", "{space}"),
                usage("--count must be >= 0, got -1", "tail", "--count", "-1", "--space", "{space}"),
                usage("Invalid value for option '--count': 'many' is not a long (see 'slate tail --help')", "tail", "--count", "many", "--space", "{space}"),
                usage("Invalid value for option '--from': 'zero' is not a journal index (decimal, or hex with 0x) (see 'slate tail --help')",
                        "tail", "--from", "zero", "--space", "{space}"),
                usage("Invalid value for option '--from': journal index must be >= 0, got -1 (see 'slate tail --help')",
                        "tail", "--from", "-1", "--space", "{space}"),
                usage("Invalid value for option '--from': '0x10000000000000000' is not a journal index (decimal, or hex with 0x) (see 'slate tail --help')",
                        "tail", "--from", "0x10000000000000000", "--space", "{space}"),
                usage("--from-start and --from INDEX cannot be given together", "tail", "--from-start", "--from", "3", "--space", "{space}"),
                // replay targets
                usage("--to must name a directory", "replay", "--to", "", "--space", "{space}"),
                usage("{dir}/afile: replay target exists and is not a directory", "replay", "--to", "{dir}/afile", "--space", "{space}"),
                usage("{dir}/foreign: replay target exists and is not empty", "replay", "--to", "{dir}/foreign", "--space", "{space}"),
                // tuples and templates
                usage("Missing required parameter: 'FIELD' (see 'slate out --help')", "out", "--name", "t", "--space", "{space}"),
                usage("Missing required option: '--name=NAME' (see 'slate out --help')", "out", "a", "--space", "{space}"),
                usage("tuple space name must not be empty", "out", "--name", "", "a", "--space", "{space}"),
                usage("tuple space name '" + "n".repeat(49) + "' is too long: 49 UTF-8 bytes, at most 48",
                        "out", "--name", "n".repeat(49), "a", "--space", "{space}"),
                usage("field 0 '99999999999999999999' is an integer outside the range of a long", "out", "--name", "t", "99999999999999999999",
                        "--space", "{space}"),
                usage("too many fields: 33, a tuple has at most 32", concat(List.of("out", "--name", "t"), fields(33).split(" "), "--space", "{space}")),
                usage("--ttl 'soon' is not a duration: use e.g. 500ms, 2s, 1.5m, 1h or PT2S", "out", "--name", "t", "--ttl", "soon", "a", "--space", "{space}"),
                usage("--ttl '-5s' is not a duration: use e.g. 500ms, 2s, 1.5m, 1h or PT2S", "out", "--name", "t", "--ttl", "-5s", "a", "--space", "{space}"),
                usage("--ttl must be > 0, got 0", "out", "--name", "t", "--ttl", "0", "a", "--space", "{space}"),
                usage("--ttl '99999999999h' is too long", "out", "--name", "t", "--ttl", "99999999999h", "a", "--space", "{space}"),
                usage("Missing required parameter: 'TEMPLATE' (see 'slate rdp --help')", "rdp", "--name", "t", "--space", "{space}"),
                usage("unknown formal '?foo': use ?string, ?long, ?double, ?boolean, ?bytes or * (quote a string that starts with '?': '\"?foo\"')",
                        "rd", "--name", "t", "?foo", "--space", "{space}"),
                usage("--timeout '-1' is not a duration: use e.g. 500ms, 2s, 1.5m, 1h or PT2S", "in", "--name", "t", "--timeout", "-1", "a",
                        "--space", "{space}"),
                usage("--limit must be >= 0, got -1", "tuples", "--name", "t", "--limit", "-1", "--space", "{space}"),
                usage("Invalid value for option '--limit': '99999999999' is not an int (see 'slate tuples --help')",
                        "tuples", "--name", "t", "--limit", "99999999999", "--space", "{space}"),
                // locks
                usage("no command given: slate lock NAME -- COMMAND [ARG...]", "lock", "m", "--space", "{space}"),
                usage("mutex name must not be empty", "lock", "--space", "{space}", "", "--", "true"),
                usage("sync primitive name '" + "m".repeat(65) + "' is 65 UTF-8 bytes, at most 64", "lock", "--space", "{space}", "m".repeat(65),
                        "--", "true"),
                usage("Invalid value for option '--timeout': 'abc' is not a duration (use 500ms, 5s, 2m, 1h or PT5S) (see 'slate lock --help')",
                        "lock", "m", "--timeout", "abc", "--space", "{space}", "--", "true"),
                usage("Invalid value for option '--timeout': duration must be >= 0, got '-1' (see 'slate lock --help')",
                        "lock", "m", "--timeout", "-1", "--space", "{space}", "--", "true"),
                Arguments.of(LockCommand.EXIT_CANNOT_RUN, "cannot run '{dir}/no-such-program': Cannot run program \"{dir}/no-such-program\": error=2, "
                        + "No such file or directory", List.of("lock", "m", "--space", "{space}", "--", "{dir}/no-such-program")),
                // the fleet agent
                usage("unknown agent kind 'bogus': use sensor, responder or planner (see 'slate agent --help')", "agent", "bogus", "--space", "{space}"),
                usage("--rate must be a number of alerts per second > 0, got -5.0 (see 'slate agent --help')",
                        "agent", "sensor", "--rate", "-5", "--space", "{space}"),
                usage("--rate must be a number of alerts per second > 0, got NaN (see 'slate agent --help')",
                        "agent", "sensor", "--rate", "NaN", "--space", "{space}"),
                usage("--cpu must be a CPU number or auto, got 'banana' (see 'slate agent --help')", "agent", "sensor", "--cpu", "banana",
                        "--space", "{space}"),
                usage("unknown idle strategy 'nope': use spin, yield or backoff (see 'slate agent --help')", "agent", "sensor", "--idle", "nope",
                        "--space", "{space}"),
                // answers that are no
                no("key 'nope' not found in {space}", "get", "nope", "--space", "{space}"),
                no("version conflict on key 'k': expected version 1, but it is at version 2; nothing written", "cas", "k", "1", "v", "--space", "{space}"),
                no("key 'nope' not found in {space}; nothing removed", "del", "nope", "--space", "{space}"),
                no("no tuple matching [?long] in tuple space 't'", "inp", "--name", "t", "?long", "--space", "{space}"));
    }

    private static String[] concat(final List<String> head, final String[] middle, final String... tail) {
        final List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(middle));
        all.addAll(Arrays.asList(tail));
        return all.toArray(new String[0]);
    }

    private static String expand(final String s) {
        return s.replace("{space}", space.toString()).replace("{dir}", root.toString());
    }

    @ParameterizedTest(name = "{index}: exit {0}: {1}")
    @MethodSource("badInputs")
    void oneLineAndTheExitCodeOfItsKind(final int code, final String message, final List<String> args) throws IOException {
        final String[] argv = args.stream().map(BadInputCliTest::expand).toArray(String[]::new);
        final long versionBefore;
        try (Space s = Space.open(SpaceOptions.at(space))) {
            versionBefore = s.journal().lastIndex();
        }
        final SlateCliTest.Result r = SlateCliTest.run(Map.of(), argv);
        assertEquals("slate: " + expand(message) + "\n", r.err(), r::toString);
        assertEquals(code, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        try (Space s = Space.open(SpaceOptions.at(space))) {
            assertEquals(versionBefore, s.journal().lastIndex(), "a refused command wrote nothing");
        }
    }
}
