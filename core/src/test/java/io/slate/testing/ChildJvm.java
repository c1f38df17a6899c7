package io.slate.testing;

import io.slate.internal.JvmFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real child JVM running a main class of ours, with the same classpath and the project's JVM flags. Its stdout
 * lines are collected; every wait is bounded; {@link #close()} kills it (by its own process handle) if still running.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final String label;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = Collections.synchronizedList(new ArrayList<>());
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outPump;
    private final Path stdoutFile;

    private ChildJvm(final String label, final Process process, final Path stdoutFile) {
        this.label = label;
        this.process = process;
        this.stdoutFile = stdoutFile;
        outPump = new Thread(this::tailStdout, label + "-stdout");
        outPump.setDaemon(true);
        outPump.start();
        final Thread err = new Thread(() -> pump(process.getErrorStream()), label + "-stderr");
        err.setDaemon(true);
        err.start();
    }

    /**
     * Follows the child's stdout file until the child has exited and everything it wrote is read. (Reading a pipe
     * instead loses lines: when the child dies, the JDK drains and closes the pipe under a concurrent reader.)
     */
    private void tailStdout() {
        final StringBuilder partial = new StringBuilder();
        final byte[] buf = new byte[8192];
        try (java.io.FileInputStream in = new java.io.FileInputStream(stdoutFile.toFile())) {
            while (true) {
                final boolean exited = !process.isAlive();
                int n;
                boolean any = false;
                while ((n = in.read(buf)) > 0) {
                    any = true;
                    final String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                    for (int i = 0; i < chunk.length(); i++) {
                        final char c = chunk.charAt(i);
                        if (c == '\n') {
                            final String line = partial.toString();
                            partial.setLength(0);
                            lines.add(line);
                            all.add(line);
                        } else {
                            partial.append(c);
                        }
                    }
                }
                if (exited && !any) {
                    break; // it had exited before this last read found nothing: all is read
                }
                if (!any) {
                    Thread.sleep(2);
                }
            }
            if (partial.length() > 0) {
                lines.add(partial.toString());
                all.add(partial.toString());
            }
        } catch (IOException | InterruptedException ignored) {
            // the test is over
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(stdoutFile);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    private void pump(final java.io.InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (stderr) {
                    if (stderr.length() < 20_000) {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException ignored) {
            // the process died: nothing more to read
        }
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM. */
    public static ChildJvm start(final String label, final Class<?> mainClass, final String... args) {
        return start(label, mainClass, List.of(), args);
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM with these extra JVM options. */
    public static ChildJvm start(final String label, final Class<?> mainClass, final List<String> jvmOptions, final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        Collections.addAll(cmd, args);
        try {
            final Path out = java.nio.file.Files.createTempFile("slate-child-" + label + "-", ".out");
            return new ChildJvm(label, new ProcessBuilder(cmd).redirectOutput(out.toFile()).start(), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start child JVM " + label, e);
        }
    }

    /** The next stdout line, waiting at most the timeout; fails the test with the child's stderr on timeout. */
    public String awaitLine(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        String l = null;
        while (l == null && System.nanoTime() < deadline) {
            l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null && !process.isAlive()) {
                outPump.join(5_000);
                l = lines.poll();
                break; // dead and nothing more to read: fail now rather than at the deadline
            }
        }
        if (l == null) {
            throw new AssertionError(label + ": no output within " + timeout + " " + unit + " (alive=" + process.isAlive() + ")\nstderr:\n" + stderr());
        }
        return l;
    }

    /** Waits for a stdout line starting with {@code prefix}, skipping others. */
    public String awaitLineStartingWith(final String prefix, final long timeout, final TimeUnit unit) throws InterruptedException {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(label + ": no line starting with '" + prefix + "' within " + timeout + " " + unit + "\nstderr:\n" + stderr());
            }
            final String l = lines.poll(Math.min(left, 100_000_000L), TimeUnit.NANOSECONDS);
            if (l != null && l.startsWith(prefix)) {
                return l;
            }
            if (l == null && !process.isAlive()) {
                outPump.join(5_000);
                if (lines.isEmpty()) {
                    throw new AssertionError(label + ": exited (" + process.exitValue() + ") without a line starting with '" + prefix + "'\nstdout (last lines):\n"
                            + lastLines(40) + "\nstderr:\n" + stderr());
                }
            }
        }
    }

    /** Waits for the child to exit and returns its exit code; fails (and kills it) on timeout. */
    public int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            process.destroyForcibly();
            throw new AssertionError(label + ": did not exit within " + timeout + " " + unit + "\nstderr:\n" + stderr());
        }
        outPump.join(10_000);
        return process.exitValue();
    }

    /** The last {@code n} stdout lines, one per line. */
    public String lastLines(final int n) {
        final List<String> out = output();
        return String.join("\n", out.subList(Math.max(0, out.size() - n), out.size()));
    }

    /** Every stdout line so far. */
    public List<String> output() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, then wait (bounded) until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(label + ": still alive 30 s after SIGKILL");
        }
        // everything it wrote before dying is still in the pipe: read it all
        outPump.join(10_000);
    }

    @Override
    public void close() {
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
