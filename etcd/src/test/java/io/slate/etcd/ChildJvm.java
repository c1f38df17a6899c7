package io.slate.etcd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM on this module's test class path, its output read line by line, killed by its own handle on close. */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder all = new StringBuilder();

    private ChildJvm(final Process process) {
        this.process = process;
        final Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (all) {
                        all.append(line).append('\n');
                    }
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child died
            }
        }, "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildJvm start(final Class<?> main, final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM for " + main.getName(), e);
        }
    }

    /** The first line starting with {@code prefix} within {@code timeoutMillis}; fails with all output otherwise. */
    String awaitLine(final String prefix, final long timeoutMillis) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() - deadline < 0) {
            final String l = lines.poll(50, TimeUnit.MILLISECONDS);
            if (l != null && l.startsWith(prefix)) {
                return l;
            }
        }
        synchronized (all) {
            throw new AssertionError("child JVM (alive=" + process.isAlive() + ") printed no '" + prefix + "' within "
                    + timeoutMillis + " ms; output:\n" + all);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, waited for. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
