package io.slate.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Debian's redis-server on a free loopback port, persistence off, in a temporary directory; stopped by its own handle. */
final class RedisServerProcess implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path dir;

    RedisServerProcess() throws IOException, InterruptedException {
        final Path exe = Tools.redisServer();
        dir = Files.createTempDirectory("slate-gw-redis-");
        port = Tools.freePort();
        process = new ProcessBuilder(exe.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no", "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Resp3Client c = new Resp3Client(port, 2_000)) {
                if (c.call("PING").equals("PONG")) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    close();
                    throw new IOException("redis-server did not start on port " + port + ": " + e.getMessage());
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
