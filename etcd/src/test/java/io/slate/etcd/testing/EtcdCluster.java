package io.slate.etcd.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real etcd cluster of N members on loopback for tests: every member a separate {@code etcd} process with its own
 * free client and peer ports and its own data directory under one unique directory (on {@code /dev/shm} when there
 * is one, so that fsync does not put the machine's disk into the measurements), started together and awaited
 * healthy. Members are controlled by their own process handles: {@link Member#kill()} (SIGKILL), {@link
 * Member#pause()} (SIGSTOP), {@link Member#resume()} (SIGCONT), {@link Member#stop()} (SIGTERM, then SIGKILL) and
 * {@link Member#restart()} (same name, ports and data). {@link #close()} kills every member and removes the
 * directory; a shutdown hook does the same if the JVM exits without it, so a failed or timed-out test leaves
 * nothing behind.
 *
 * <p>Designed to be the backend fixture of the contract suite: {@link #requireEtcd()} skips a test with a clear
 * reason when etcd is not installed, and fails it under {@code CI=true}. Health and leadership are read over each
 * member's HTTP gateway ({@code /health}, {@code /v3/maintenance/status}), so the fixture does not depend on the
 * client under test.
 *
 * <p>Thread safety: one test thread drives a cluster; the shutdown hook only kills processes and deletes files.
 */
public final class EtcdCluster implements AutoCloseable {
    /** etcd's defaults, spelled out because tests wait past the election timeout on purpose. */
    public static final int HEARTBEAT_MILLIS = 100;
    public static final int ELECTION_TIMEOUT_MILLIS = 1000;
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Set<EtcdCluster> OPEN = ConcurrentHashMap.newKeySet();
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"(\\d+)\"");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (final EtcdCluster c : OPEN) {
                c.destroy();
            }
        }, "etcd-cluster-cleanup"));
    }

    private final Path executable;
    private final Path dir;
    private final List<Member> members = new ArrayList<>();
    private final String token;

    private EtcdCluster(final Path executable, final Path dir) {
        this.executable = executable;
        this.dir = dir;
        this.token = "slate-test-" + dir.getFileName();
    }

    /** The {@code etcd} executable, or {@code null} ({@link io.slate.etcd.EtcdExecutable#find}). */
    public static Path findEtcd() {
        return io.slate.etcd.EtcdExecutable.find();
    }

    /** The etcd executable; skips the calling test when there is none, or fails it under {@code CI=true}. */
    public static Path requireEtcd() {
        final Path etcd = findEtcd();
        if (etcd == null) {
            final String bin = System.getenv("SLATE_ETCD_BIN");
            final String reason = bin != null && !bin.isEmpty() ? "etcd is not installed (SLATE_ETCD_BIN=" + bin + " is not an executable)"
                    : "etcd is not installed (no 'etcd' on the PATH; apt-get install etcd-server)";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(reason + ", and CI=true requires it");
            }
            Assumptions.abort(reason + ": skipping");
        }
        return etcd;
    }

    /** Starts {@code n} members (skipping the test when etcd is missing) and waits until all are healthy. */
    public static EtcdCluster start(final int n) {
        final Path etcd = requireEtcd();
        final Path base = Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") : Paths.get(System.getProperty("java.io.tmpdir"));
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between probing and binding
            final EtcdCluster c;
            try {
                c = new EtcdCluster(etcd, Files.createTempDirectory(base, "slate-etcd-test-"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for the etcd cluster under " + base, e);
            }
            OPEN.add(c);
            try {
                final int[] ports = freePorts(2 * n);
                for (int i = 0; i < n; i++) {
                    c.members.add(new Member(c, "m" + (i + 1), ports[2 * i], ports[2 * i + 1]));
                }
                for (final Member m : c.members) {
                    m.launch();
                }
                c.awaitHealthy(START_TIMEOUT_NANOS);
                return c;
            } catch (IllegalStateException e) {
                last = e;
                c.close();
            }
        }
        throw last;
    }

    private static int[] freePorts(final int count) {
        final List<ServerSocket> held = new ArrayList<>();
        try {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++) { // all held open at once, so they are distinct
                final ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (final ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a probe socket
                }
            }
        }
    }

    public List<Member> members() {
        return Collections.unmodifiableList(members);
    }

    public Member member(final int index) {
        return members.get(index);
    }

    public Path directory() {
        return dir;
    }

    /** The client endpoints, {@code host:port,host:port,...}. */
    public String endpoints() {
        final StringJoiner j = new StringJoiner(",");
        for (final Member m : members) {
            j.add(m.endpoint());
        }
        return j.toString();
    }

    /** The space address for {@code spaceName}: {@code etcd://host:port,.../spaceName}. */
    public String address(final String spaceName) {
        return "etcd://" + endpoints() + "/" + spaceName;
    }

    /** Waits until every running (not stopped, not paused) member reports healthy; throws with their logs when not. */
    public void awaitHealthy(final long timeoutNanos) {
        final long deadline = System.nanoTime() + timeoutNanos;
        for (final Member m : members) {
            if (!m.isRunning()) {
                continue;
            }
            while (!m.isHealthy()) {
                if (!m.process.isAlive()) {
                    throw new IllegalStateException("etcd member " + m.name + " exited (status " + m.process.exitValue()
                            + "): " + m.logTail());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("etcd member " + m.name + " at " + m.endpoint()
                            + " was not healthy within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms: " + m.logTail());
                }
                sleep(50);
            }
        }
    }

    /**
     * The member that the running members agree is the leader, waiting up to {@code timeoutNanos} for an election to
     * settle.
     */
    public Member leader(final long timeoutNanos) {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            final Member l = currentLeader();
            if (l != null) {
                return l;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no agreed etcd leader among " + endpoints() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            sleep(50);
        }
    }

    private Member currentLeader() {
        String leaderId = null;
        for (final Member m : members) {
            if (!m.isRunning()) {
                continue;
            }
            final String status = m.status();
            if (status == null) {
                return null;
            }
            final Matcher id = MEMBER_ID.matcher(status);
            final Matcher leader = LEADER.matcher(status);
            if (!id.find() || !leader.find() || "0".equals(leader.group(1))) {
                return null;
            }
            m.id = id.group(1);
            if (leaderId == null) {
                leaderId = leader.group(1);
            } else if (!leaderId.equals(leader.group(1))) {
                return null; // members disagree: an election is under way
            }
        }
        for (final Member m : members) {
            if (m.isRunning() && leaderId != null && leaderId.equals(m.id)) {
                return m;
            }
        }
        return null;
    }

    /** A member that is not {@code leader}. */
    public Member follower(final Member leader) {
        for (final Member m : members) {
            if (m != leader) {
                return m;
            }
        }
        throw new IllegalStateException("a cluster of one has no follower");
    }

    /** Kills every member (SIGCONT first for paused ones is not needed: SIGKILL ends stopped processes too) and removes the directory. */
    @Override
    public void close() {
        destroy();
        OPEN.remove(this);
    }

    private void destroy() {
        for (final Member m : members) {
            m.process.destroyForcibly();
        }
        for (final Member m : members) {
            try {
                m.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(dir);
    }

    private static void deleteTree(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path d, final IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the etcd test directory " + root, e);
        }
    }

    static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String initialCluster() {
        final StringJoiner j = new StringJoiner(",");
        for (final Member m : members) {
            j.add(m.name + "=http://127.0.0.1:" + m.peerPort);
        }
        return j.toString();
    }

    /** One etcd member: its process handle, ports and data directory. */
    public static final class Member {
        private final EtcdCluster cluster;
        private final String name;
        private final int clientPort;
        private final int peerPort;
        private final Path home;
        private Process process;
        private boolean paused;
        private boolean stopped;
        private String id;

        private Member(final EtcdCluster cluster, final String name, final int clientPort, final int peerPort) {
            this.cluster = cluster;
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.home = cluster.dir.resolve(name);
        }

        private void launch() {
            try {
                Files.createDirectories(home);
                process = new ProcessBuilder(List.of(cluster.executable.toString(),
                        "--name", name, "--data-dir", home.resolve("data").toString(),
                        "--listen-client-urls", "http://127.0.0.1:" + clientPort,
                        "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
                        "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                        "--initial-cluster", cluster.initialCluster(),
                        "--initial-cluster-token", cluster.token, "--initial-cluster-state", "new",
                        "--heartbeat-interval", Integer.toString(HEARTBEAT_MILLIS),
                        "--election-timeout", Integer.toString(ELECTION_TIMEOUT_MILLIS),
                        "--logger", "zap", "--log-outputs", "stderr"))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("etcd.log").toFile()))
                        .start();
                paused = false;
                stopped = false;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start etcd member " + name + ": " + e.getMessage(), e);
            }
        }

        public String name() {
            return name;
        }

        /** {@code 127.0.0.1:port} of its client URL. */
        public String endpoint() {
            return "127.0.0.1:" + clientPort;
        }

        public long pid() {
            return process.pid();
        }

        /** Started and not stopped, killed or paused. */
        public boolean isRunning() {
            return !stopped && !paused && process.isAlive();
        }

        /** SIGKILL by its own handle, waited for. */
        public void kill() {
            process.destroyForcibly();
            awaitExit();
            stopped = true;
            paused = false;
        }

        /** SIGTERM (etcd stops cleanly), then SIGKILL after 10 s. */
        public void stop() {
            if (paused) {
                resume();
            }
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            awaitExit();
            stopped = true;
        }

        /** SIGSTOP: the process freezes with its sockets open, as a member stuck in GC or on a lost host does. */
        public void pause() {
            signal("STOP");
            paused = true;
        }

        /** SIGCONT after {@link #pause()}. */
        public void resume() {
            signal("CONT");
            paused = false;
        }

        /** Starts it again after {@link #kill()} or {@link #stop()}: same name, ports and data; awaits health. */
        public void restart() {
            if (process.isAlive()) {
                throw new IllegalStateException("etcd member " + name + " is still running (pid " + process.pid() + ")");
            }
            launch();
            final long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
            while (!isHealthy()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("etcd member " + name + " exited on restart: " + logTail());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("etcd member " + name + " was not healthy within 30 s of its restart: " + logTail());
                }
                sleep(50);
            }
        }

        /** Starts it again without waiting for health (for a member that cannot be healthy alone). */
        public void restartNoWait() {
            if (process.isAlive()) {
                throw new IllegalStateException("etcd member " + name + " is still running (pid " + process.pid() + ")");
            }
            launch();
        }

        private void signal(final String sig) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd member " + name + " is not running");
            }
            try {
                // Java has no API for SIGSTOP/SIGCONT; the pid is the one of our own handle
                final Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).redirectErrorStream(true).start();
                if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                    k.destroyForcibly();
                    throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run kill -" + sig, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        private void awaitExit() {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("etcd member " + name + " (pid " + process.pid() + ") did not exit");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** {@code /health} answers {@code "health":"true"} (a leader is known and a read went through raft). */
        public boolean isHealthy() {
            final String body = http("GET", "/health", null);
            return body != null && body.replace(" ", "").contains("\"health\":\"true\"");
        }

        /** The body of {@code /v3/maintenance/status}, or null when it did not answer. */
        String status() {
            return http("POST", "/v3/maintenance/status", "{}");
        }

        private String http(final String method, final String path, final String body) {
            HttpURLConnection c = null;
            try {
                c = (HttpURLConnection) new URL("http://127.0.0.1:" + clientPort + path).openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(1500);
                c.setRequestMethod(method);
                if (body != null) {
                    c.setDoOutput(true);
                    c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
                }
                if (c.getResponseCode() != 200) {
                    return null;
                }
                try (InputStream in = c.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                return null;
            } finally {
                if (c != null) {
                    c.disconnect();
                }
            }
        }

        /** The last lines of its log, for failure messages. */
        public String logTail() {
            try {
                final String s = Files.readString(home.resolve("etcd.log"));
                return s.length() > 1500 ? s.substring(s.length() - 1500) : s;
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public String toString() {
            return name + "@" + endpoint() + (process != null ? " pid " + process.pid() : "");
        }
    }
}
