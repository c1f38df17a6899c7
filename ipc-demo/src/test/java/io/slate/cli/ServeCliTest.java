package io.slate.cli;

import io.slate.internal.JvmFlags;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.ExternalPrograms;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only {@code slate serve}'s command line does, run as a process with redis-cli as the client: the password from
 * the environment or from an owner-only file (never the command line), the Unix socket created owner-only, the TCP
 * port on loopback by default, and a connection named with {@code CLIENT SETNAME} writing as that agent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeCliTest {
    private static final long WAIT_SECONDS = 60;
    private Path dir;
    private Path tmp;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestSpaces.newDirectory("serve");
        tmp = Files.createTempDirectory("slate-serve-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        TestSpaces.delete(dir);
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aPasswordComesFromTheEnvironmentOrAnOwnerOnlyFileOnce() throws IOException {
        final Path pw = tmp.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        assertUsage(SlateCliTest.run(Map.of(), serve("--password-file", pw.toString())),
                "password file " + pw + " is readable by group or others; chmod 600 it");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        assertUsage(SlateCliTest.run(Map.of(ServeCommand.PASSWORD_ENV, "x"), serve("--password-file", pw.toString())),
                "give the password once: either " + ServeCommand.PASSWORD_ENV + " or --password-file");
        Files.writeString(pw, "\n");
        assertUsage(SlateCliTest.run(Map.of(), serve("--password-file", pw.toString())), "password file " + pw + " is empty");
        assertUsage(SlateCliTest.run(Map.of(), serve("--password-file", tmp.resolve("none").toString())), "cannot read password file");
        assertUsage(SlateCliTest.run(Map.of(ServeCommand.PASSWORD_ENV, ""), serve()), ServeCommand.PASSWORD_ENV + " is set but empty");
        assertUsage(SlateCliTest.run(Map.of(), "serve", "--space", dir.toString(), "--port", "-1"), "--port -1 opens no TCP port: give --unix PATH too");
    }

    /**
     * The password from an owner-only file, a Unix socket next to the TCP port: redis-cli without the password gets
     * NOAUTH and writes nothing; with it (REDISCLI_AUTH, its environment) it writes through the socket and reads through
     * the port; named, it writes as that agent.
     */
    @Test
    void servesALoopbackPortAndAnOwnerOnlyUnixSocketBehindAPasswordFile() throws Exception {
        final Path cli = redisCli();
        final Path pw = tmp.resolve("pw");
        Files.writeString(pw, "file-pw\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        final Path sock = tmp.resolve("slate.sock");
        try (ChildJvm serve = ChildJvm.start("serve-unix", SlateCli.class, serve("--unix", sock.toString(), "--password-file", pw.toString()))) {
            final String line = serve.awaitLineStartingWith("slate serve: listening on 127.0.0.1:", WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(line.contains(" and unix:" + sock + " ") && line.endsWith(", AUTH required)"), line);
            final String port = line.replaceAll("^slate serve: listening on 127\\.0\\.0\\.1:(\\d+) .*$", "$1");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));

            final Result denied = run(List.of(cli.toString(), "-s", sock.toString(), "SET", "k", "v"), Map.of(), "");
            assertEquals("NOAUTH Authentication required.", denied.out.strip(), denied.toString());
            final Result named = run(List.of(cli.toString(), "-s", sock.toString()), Map.of("REDISCLI_AUTH", "file-pw"),
                    "CLIENT SETNAME cli-agent\nSET k v\nCLIENT GETNAME\n");
            assertEquals("OK\nOK\ncli-agent\n", named.out, named.toString());
            final Result viaPort = run(List.of(cli.toString(), "-h", "127.0.0.1", "-p", port, "GET", "k"), Map.of("REDISCLI_AUTH", "file-pw"), "");
            assertEquals("v\n", viaPort.out, viaPort.toString());
            try (Space s = Space.open(SpaceOptions.at(dir).agentId("checker"))) {
                assertEquals(1, s.kv().get("k").version(), "only the authenticated SET was written");
                assertEquals("cli-agent", s.kv().get("k").writer());
            }
        }
    }

    @Test
    void aPasswordFromTheEnvironment() throws Exception {
        final Path cli = redisCli();
        try (ChildJvm serve = ChildJvm.startWithOptions("serve-env", JvmFlags.arguments(), Map.of(ServeCommand.PASSWORD_ENV, "env-pw"),
                SlateCli.class, serve())) {
            final String line = serve.awaitLineStartingWith("slate serve: listening on 127.0.0.1:", WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(line.endsWith(", AUTH required)"), line);
            final String port = line.replaceAll("^slate serve: listening on 127\\.0\\.0\\.1:(\\d+) .*$", "$1");
            final Result denied = run(List.of(cli.toString(), "-p", port, "PING"), Map.of(), "");
            assertEquals("NOAUTH Authentication required.", denied.out.strip(), denied.toString());
            final Result wrong = run(List.of(cli.toString(), "-p", port, "PING"), Map.of("REDISCLI_AUTH", "file-pw"), "");
            assertTrue(wrong.err.contains("AUTH failed: WRONGPASS") && wrong.out.strip().equals("NOAUTH Authentication required."), wrong.toString());
            final Result ok = run(List.of(cli.toString(), "-p", port, "PING"), Map.of("REDISCLI_AUTH", "env-pw"), "");
            assertEquals("PONG\n", ok.out, ok.toString());
        }
    }

    private String[] serve(final String... more) {
        final List<String> args = new ArrayList<>(List.of("serve", "--space", dir.toString(), "--port", "0"));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    private static void assertUsage(final SlateCliTest.Result r, final String message) {
        assertEquals(SlateCli.EXIT_USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
    }

    private static Path redisCli() {
        final Path cli = ExternalPrograms.onPath("redis-cli");
        ExternalPrograms.require(cli != null, "redis-cli (Debian redis-tools)");
        return cli;
    }

    private static final class Result {
        final int exit;
        final String out;
        final String err;

        Result(final int exit, final String out, final String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs redis-cli to its end (at most 30 s, then killed by its own handle) with this stdin. */
    private Result run(final List<String> cmd, final Map<String, String> env, final String stdin) throws IOException, InterruptedException {
        final Path in = Files.createTempFile(tmp, "in-", ".txt");
        final Path out = Files.createTempFile(tmp, "out-", ".txt");
        final Path err = Files.createTempFile(tmp, "err-", ".txt");
        Files.writeString(in, stdin);
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("REDISCLI_AUTH");
        pb.environment().putAll(env);
        final Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(cmd + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
