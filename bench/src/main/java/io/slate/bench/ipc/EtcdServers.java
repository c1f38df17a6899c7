package io.slate.bench.ipc;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A loopback etcd cluster of the harness's own (the etcd cases): {@code members} {@code etcd} processes on free
 * loopback ports, data and logs in the run's directory, each reporting healthy before use, stopped (each by its own
 * process handle) at the end. The same member flags as the tests' {@code io.slate.etcd.testing.EtcdCluster}, which
 * lives in a test jar (with JUnit) and so cannot be part of the benchmark jar.
 */
final class EtcdServers implements AutoCloseable {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> clientPorts = new ArrayList<>();
    private final Path dir;

    private EtcdServers(final Path dir) {
        this.dir = dir;
    }

    /** The {@code etcd} executable, or {@code null} ({@link io.slate.etcd.EtcdExecutable#find}). */
    static Path find() {
        return io.slate.etcd.EtcdExecutable.find();
    }

    /** Starts {@code members} members of {@code executable} under {@code workDir}; retries on other ports if one was taken meanwhile. */
    static EtcdServers start(final Path executable, final Path workDir, final int members) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            final EtcdServers s = new EtcdServers(workDir.resolve("attempt-" + attempt));
            try {
                s.launch(executable, members);
                return s;
            } catch (IOException e) {
                last = e;
                s.close();
            }
        }
        throw last;
    }

    private void launch(final Path executable, final int members) throws IOException, InterruptedException {
        final int[] ports = freePorts(2 * members);
        final String token = "slate-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime(); // one per cluster
        final StringJoiner initial = new StringJoiner(",");
        for (int i = 0; i < members; i++) {
            initial.add("m" + (i + 1) + "=http://127.0.0.1:" + ports[2 * i + 1]);
        }
        for (int i = 0; i < members; i++) {
            final String name = "m" + (i + 1);
            final Path home = dir.resolve(name);
            Files.createDirectories(home);
            final int client = ports[2 * i];
            final int peer = ports[2 * i + 1];
            clientPorts.add(client);
            processes.add(new ProcessBuilder(List.of(executable.toString(),
                    "--name", name, "--data-dir", home.resolve("data").toString(),
                    "--listen-client-urls", "http://127.0.0.1:" + client,
                    "--advertise-client-urls", "http://127.0.0.1:" + client,
                    "--listen-peer-urls", "http://127.0.0.1:" + peer,
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                    "--initial-cluster", initial.toString(),
                    "--initial-cluster-token", token,
                    "--initial-cluster-state", "new",
                    "--heartbeat-interval", "100", "--election-timeout", "1000",
                    "--logger", "zap", "--log-outputs", "stderr"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("etcd.log").toFile()))
                    .start());
        }
        final long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        for (int i = 0; i < members; i++) {
            while (!healthy(clientPorts.get(i))) {
                final Process p = processes.get(i);
                if (!p.isAlive()) {
                    throw new IOException("etcd member m" + (i + 1) + " exited (status " + p.exitValue() + "): " + logTail(i));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("etcd member m" + (i + 1) + " on port " + clientPorts.get(i) + " was not healthy within 30 s: "
                            + logTail(i));
                }
                Thread.sleep(50);
            }
        }
    }

    private static int[] freePorts(final int count) throws IOException {
        final List<ServerSocket> held = new ArrayList<>();
        try {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++) { // all held open at once, so they are distinct
                final ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (final ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** {@code /health} answers {@code "health":"true"}: a leader is known and a read went through raft. */
    private static boolean healthy(final int port) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/health").openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(1500);
            if (c.getResponseCode() != 200) {
                return false;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(" ", "").contains("\"health\":\"true\"");
            }
        } catch (IOException e) {
            return false;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private String logTail(final int i) {
        try {
            final String s = Files.readString(dir.resolve("m" + (i + 1)).resolve("etcd.log"));
            return s.length() > 800 ? s.substring(s.length() - 800) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The client endpoints, {@code 127.0.0.1:p,127.0.0.1:q,...}. */
    String endpoints() {
        final StringJoiner j = new StringJoiner(",");
        for (final int p : clientPorts) {
            j.add("127.0.0.1:" + p);
        }
        return j.toString();
    }

    /** The address of a space named {@code name} on this cluster. */
    String address(final String name) {
        return "etcd://" + endpoints() + "/" + name;
    }

    int members() {
        return processes.size();
    }

    @Override
    public void close() throws InterruptedException {
        for (final Process p : processes) {
            p.destroy();
        }
        for (final Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL of every member by its own process handle, without waiting (for a shutdown hook). */
    void kill() {
        for (final Process p : processes) {
            p.destroyForcibly();
        }
    }
}
