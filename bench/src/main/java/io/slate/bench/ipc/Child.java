package io.slate.bench.ipc;

import io.slate.internal.JvmFlags;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link Peer}, started with the project's JVM flags ({@link JvmFlags}) and this JVM's classpath.
 * Its stdout and stderr go to files in the run's directory (stdout is followed line by line: a pipe can lose what a
 * dying child wrote last); commands go to its stdin. Every wait is bounded; {@link #close()} kills it by its own
 * process handle if it is still running.
 */
final class Child implements AutoCloseable {
    private final String label;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = Collections.synchronizedList(new ArrayList<>());
    private final Thread follower;

    private Child(final String label, final Process process, final Path stdout, final Path stderr) {
        this.label = label;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdin = process.getOutputStream();
        follower = new Thread(this::follow, "follow-" + label);
        follower.setDaemon(true);
        follower.start();
    }

    /**
     * The JVM options every child gets besides the project's flags; a smoke run also gets the quickest start-up
     * (client compiler only, serial GC), as measurements do not count there.
     */
    static List<String> jvmOptions(final boolean smoke) {
        final List<String> l = new ArrayList<>(jvmOptions());
        if (smoke) {
            l.add("-XX:TieredStopAtLevel=1");
            l.add("-XX:+UseSerialGC");
        }
        return l;
    }

    /** The JVM options every measuring child gets besides the project's flags. */
    static List<String> jvmOptions() {
        // Affinity keeps CPU 0 out of its pool unless told otherwise; on a 2-CPU machine a pair needs both
        final int cpus = Math.min(63, Runtime.getRuntime().availableProcessors());
        return List.of("-Xms256m", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Daffinity.reserved=" + Long.toHexString((1L << cpus) - 1));
    }

    /** Starts {@link Peer} with JVM {@code options} and {@code args}; its output files are {@code logs/label.out|err}. */
    static Child start(final String label, final Path logs, final List<String> options, final List<String> args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Peer.class.getName());
        cmd.addAll(args);
        try {
            Files.createDirectories(logs);
            final Path out = logs.resolve(label + ".out");
            final Path err = logs.resolve(label + ".err");
            final Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Child(label, p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + label, e);
        }
    }

    private void follow() {
        final StringBuilder partial = new StringBuilder();
        final byte[] buf = new byte[8192];
        try (InputStream in = Files.newInputStream(stdout)) {
            while (true) {
                final boolean exited = !process.isAlive();
                boolean any = false;
                int n;
                while ((n = in.read(buf)) > 0) {
                    any = true;
                    final String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                    for (int i = 0; i < chunk.length(); i++) {
                        final char c = chunk.charAt(i);
                        if (c == '\n') {
                            lines.add(partial.toString());
                            all.add(partial.toString());
                            partial.setLength(0);
                        } else {
                            partial.append(c);
                        }
                    }
                }
                if (exited && !any) {
                    break;
                }
                if (!any) {
                    Thread.sleep(2);
                }
            }
        } catch (IOException | InterruptedException e) {
            // the run is over
        }
    }

    /** Waits for a stdout line starting with {@code prefix} (skipping others); fails with the child's stderr. */
    String await(final String prefix, final long timeout, final TimeUnit unit) throws InterruptedException {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(label + ": no '" + prefix + "' within " + timeout + " " + unit + problem());
            }
            final String l = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            if (l != null && l.startsWith(prefix)) {
                return l;
            }
            if (l == null && !process.isAlive()) {
                follower.join(5_000);
                if (lines.isEmpty()) {
                    throw new IllegalStateException(label + ": exited (" + process.exitValue() + ") before '" + prefix + "'" + problem());
                }
            }
        }
    }

    /** The first stdout line so far starting with {@code prefix}, or {@code null}. */
    String line(final String prefix) {
        synchronized (all) {
            for (final String l : all) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
        }
        return null;
    }

    /** Sends one command line to the child's stdin. */
    void send(final String command) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(label + ": cannot send '" + command + "'" + problem(), e);
        }
    }

    /** Waits for the child to exit with status 0. */
    void awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            throw new IllegalStateException(label + ": did not exit within " + timeout + " " + unit);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(label + ": exit status " + process.exitValue() + problem());
        }
    }

    private String problem() {
        try {
            final String err = Files.exists(stderr) ? Files.readString(stderr) : "";
            final String tail = err.length() > 3000 ? err.substring(err.length() - 3000) : err;
            return tail.isBlank() ? "" : "; its stderr ends:\n" + tail;
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the child (by its own process handle) if it still runs, and waits for it, bounded. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // it is gone
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
