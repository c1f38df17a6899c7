package io.slate.gateway;

import io.slate.testing.ExternalPrograms;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * External programs the tests run (redis-cli, redis-server, Debian's python3 with python3-redis, node with the npm
 * clients of clients/node): found or not, and run with a bounded wait. A missing program skips the test with the
 * reason, except under {@code CI=true}, where it fails it.
 */
final class Tools {
    static final Path PYTHON = Paths.get("/usr/bin/python3");

    private Tools() {
    }

    static boolean ci() {
        return ExternalPrograms.ci();
    }

    /** Skips (or under CI=true fails) the test unless {@code present}. */
    static void require(final boolean present, final String what) {
        ExternalPrograms.require(present, what);
    }

    static Path onPath(final String name) {
        return ExternalPrograms.onPath(name);
    }

    static Path redisCli() {
        final Path p = onPath("redis-cli");
        require(p != null, "redis-cli (Debian redis-tools)");
        return p;
    }

    static Path redisBenchmark() {
        final Path p = onPath("redis-benchmark");
        require(p != null, "redis-benchmark (Debian redis-tools)");
        return p;
    }

    static Path redisServer() {
        final Path p = onPath("redis-server");
        require(p != null, "redis-server (Debian redis-server)");
        return p;
    }

    static Path python() {
        boolean ok = Files.isExecutable(PYTHON);
        if (ok) {
            try {
                ok = run(List.of(PYTHON.toString(), "-c", "import redis"), null, Map.of(), 30).exit == 0;
            } catch (IOException e) {
                ok = false;
            }
        }
        require(ok, "/usr/bin/python3 with the redis module (Debian python3-redis)");
        return PYTHON;
    }

    /** The project's clients/node folder, with its npm packages installed ({@code npm ci}). */
    static Path nodeClients() {
        final Path node = onPath("node");
        final Path dir = projectRoot().resolve("clients/node");
        require(node != null && Files.isDirectory(dir.resolve("node_modules/redis")) && Files.isDirectory(dir.resolve("node_modules/ioredis")),
                "node with clients/node/node_modules (run 'npm ci' in clients/node)");
        return dir;
    }

    static Path node() {
        return onPath("node");
    }

    static Path projectRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("clients"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root (with clients/) above " + Paths.get("").toAbsolutePath());
        }
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** What a finished process printed. */
    static final class Result {
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

    /** Runs a program to its end, at most {@code timeoutSeconds}, killing it (by its own handle) on timeout. */
    static Result run(final List<String> cmd, final Path dir, final Map<String, String> env, final long timeoutSeconds) throws IOException {
        return run(cmd, dir, env, null, timeoutSeconds);
    }

    /** {@link #run(List, Path, Map, long)} with this text on the program's stdin. */
    static Result run(final List<String> cmd, final Path dir, final Map<String, String> env, final String stdin, final long timeoutSeconds)
            throws IOException {
        final Path outFile = Files.createTempFile("slate-gw-out-", ".txt");
        final Path errFile = Files.createTempFile("slate-gw-err-", ".txt");
        try {
            final ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            final Path inFile = Files.createTempFile("slate-gw-in-", ".txt");
            Files.writeString(inFile, stdin == null ? "" : stdin);
            pb.redirectInput(inFile.toFile());
            final Process p;
            try {
                p = pb.start();
            } finally {
                Files.deleteIfExists(inFile);
            }
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(cmd.get(0) + " did not finish within " + timeoutSeconds + " s\nstdout:\n"
                            + Files.readString(outFile) + "\nstderr:\n" + Files.readString(errFile));
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return new Result(p.exitValue(), Files.readString(outFile, StandardCharsets.UTF_8), Files.readString(errFile, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }
}
