package io.slate.clients;

import io.slate.testing.ExternalPrograms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Node and the npm packages of a folder under clients/: found or not, and run as processes with a bounded wait. A
 * missing node or node_modules skips the test with the reason, except under {@code CI=true}, where it fails it.
 */
final class Node {
    private Node() {
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

    /** node, with the packages of clients/node/langgraph installed ({@code npm ci} there); the folder. */
    static Path langgraphPackage() {
        final Path dir = projectRoot().resolve("clients/node/langgraph");
        final boolean ok = onPath("node") != null && onPath("npm") != null
                && Files.isRegularFile(dir.resolve("node_modules/vitest/vitest.mjs"))
                && Files.isDirectory(dir.resolve("node_modules/@langchain/langgraph-checkpoint-validation"))
                && Files.isDirectory(dir.resolve("node_modules/redis"));
        require(ok, "node and npm with clients/node/langgraph/node_modules (run 'npm ci' in clients/node/langgraph)");
        return dir;
    }

    static String node() {
        return onPath("node").toString();
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
            return "exit " + exit + "\nstdout:\n" + tail(out) + "\nstderr:\n" + tail(err);
        }

        private static String tail(final String s) {
            return s.length() <= 12_000 ? s : "..." + s.substring(s.length() - 12_000);
        }
    }

    /** A started process whose output goes to temporary files; killed by its own handle on close. */
    static final class Proc implements AutoCloseable {
        final Process process;
        final Path out;
        final Path err;
        final String name;

        Proc(final List<String> cmd, final Path dir, final Map<String, String> env) throws IOException {
            name = cmd.get(cmd.size() > 1 ? 1 : 0);
            out = Files.createTempFile("slate-node-out-", ".txt");
            err = Files.createTempFile("slate-node-err-", ".txt");
            final ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            process = pb.start();
        }

        /** Waits for the end, at most {@code timeoutSeconds}; on timeout kills it and fails with what it printed. */
        Result await(final long timeoutSeconds) throws IOException, InterruptedException {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                close();
                throw new AssertionError(name + " did not finish within " + timeoutSeconds + " s\n" + result(-1));
            }
            return result(process.exitValue());
        }

        private Result result(final int exit) throws IOException {
            return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            try {
                if (process.isAlive()) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Files.deleteIfExists(out);
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // a temporary file left behind is not worth failing the test for
                }
            }
        }
    }
}
