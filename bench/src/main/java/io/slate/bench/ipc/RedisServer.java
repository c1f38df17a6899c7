package io.slate.bench.ipc;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the harness's own: started on a free loopback port with persistence off and its working
 * directory in the run's directory, answered {@code PING} before use, stopped (by its own process handle) at the end.
 */
final class RedisServer implements AutoCloseable {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
    private final Process process;
    private final int port;
    private final String version;

    private RedisServer(final Process process, final int port, final String version) {
        this.process = process;
        this.port = port;
        this.version = version;
    }

    /** The {@code redis-server} executable on the PATH, or {@code null}. */
    static Path find() {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            final Path p = Paths.get(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Starts {@code executable} with its files in {@code workDir}; retries on another port if one was taken meanwhile. */
    static RedisServer start(final Path executable, final Path workDir) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            final int port = freePort();
            final Process p = new ProcessBuilder(List.of(executable.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", workDir.toString(), "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning",
                    "--logfile", workDir.resolve("redis.log").toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("redis.out").toFile())
                    .start();
            final String version = awaitPing(p, port);
            if (version != null) {
                return new RedisServer(p, port, version);
            }
            stop(p);
            last = new IOException("redis-server did not answer PING on port " + port + ": "
                    + tail(workDir.resolve("redis.log")) + tail(workDir.resolve("redis.out")));
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Pings until it answers; returns its version, or null when it died or the time ran out. */
    private static String awaitPing(final Process p, final int port) throws InterruptedException {
        final long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() - deadline < 0 && p.isAlive()) {
            try (Resp r = new Resp(port)) {
                if ("PONG".equals(r.call(Resp.bytes("PING")))) {
                    final Object info = r.call(Resp.bytes("INFO"), Resp.bytes("server"));
                    final String text = info instanceof byte[] ? new String((byte[]) info, StandardCharsets.UTF_8) : "";
                    for (final String line : text.split("\r?\n")) {
                        if (line.startsWith("redis_version:")) {
                            return line.substring("redis_version:".length()).trim();
                        }
                    }
                    return "unknown";
                }
            } catch (RuntimeException e) {
                Thread.sleep(50); // not listening yet
            }
        }
        return null;
    }

    private static String tail(final Path file) {
        try {
            final String s = Files.readString(file);
            return s.length() > 500 ? s.substring(s.length() - 500) : s;
        } catch (IOException e) {
            return "";
        }
    }

    private static void stop(final Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    int port() {
        return port;
    }

    String version() {
        return version;
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    /** SIGKILL by its own process handle, without waiting (for a shutdown hook). */
    void kill() {
        process.destroyForcibly();
    }
}
