package io.slate.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The members of an etcd cluster that {@code scripts/etcd-cluster.sh} started in a directory: {@code DIR/cluster.env}
 * gives their number and base port, {@code DIR/m<i>/etcd.pid} each member's process (member {@code i} serves clients on
 * {@code 127.0.0.1:<base + 2(i-1)>}). The fleet demo's {@code --chaos} uses it to find the leader (each member's
 * {@code /v3/maintenance/status}, over plain HTTP: no etcd client types here) and SIGKILL it.
 *
 * <p>Not thread-safe: the demo's main thread uses it.
 */
final class EtcdMembers {
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"(\\d+)\"");

    /** One member: its name, client port and process id (from its pid file). */
    static final class Member {
        final String name;
        final int clientPort;
        final long pid;

        Member(final String name, final int clientPort, final long pid) {
            this.name = name;
            this.clientPort = clientPort;
            this.pid = pid;
        }

        String endpoint() {
            return "127.0.0.1:" + clientPort;
        }

        boolean isAlive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    private final Path dir;
    private final List<Member> members;

    private EtcdMembers(final Path dir, final List<Member> members) {
        this.dir = dir;
        this.members = members;
    }

    /** Reads the cluster in {@code dir}; a clear error naming the directory and the file when it is not one. */
    static EtcdMembers load(final Path dir) {
        final Path env = dir.resolve("cluster.env");
        int count = -1;
        int base = -1;
        try {
            for (String line : Files.readAllLines(env, StandardCharsets.UTF_8)) {
                if (line.startsWith("members=")) {
                    count = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("base_port=")) {
                    base = Integer.parseInt(line.substring(10).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("--etcd-cluster " + dir + ": no readable cluster.env of scripts/etcd-cluster.sh there (" + e + ")");
        }
        if (count < 1 || base < 1) {
            throw new IllegalArgumentException("--etcd-cluster " + dir + ": " + env + " names no members=N and base_port=P");
        }
        final List<Member> list = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            final Path pidFile = dir.resolve("m" + i).resolve("etcd.pid");
            try {
                list.add(new Member("m" + i, base + 2 * (i - 1), Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim())));
            } catch (IOException | NumberFormatException e) {
                throw new IllegalArgumentException("--etcd-cluster " + dir + ": member m" + i + " has no readable pid file " + pidFile + " (" + e + ")");
            }
        }
        return new EtcdMembers(dir, list);
    }

    Path directory() {
        return dir;
    }

    List<Member> members() {
        return members;
    }

    /** The member the live members agree leads, waiting up to {@code timeoutNanos} for agreement; empty if none. */
    Optional<Member> leader(final long timeoutNanos) throws InterruptedException {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            final Member m = agreedLeader();
            if (m != null || System.nanoTime() > deadline) {
                return Optional.ofNullable(m);
            }
            Thread.sleep(50);
        }
    }

    private Member agreedLeader() {
        String leaderId = null;
        Member leader = null;
        for (Member m : members) {
            if (!m.isAlive()) {
                continue;
            }
            final String status = status(m);
            if (status == null) {
                return null;
            }
            final Matcher id = MEMBER_ID.matcher(status);
            final Matcher lead = LEADER.matcher(status);
            if (!id.find() || !lead.find() || "0".equals(lead.group(1))) {
                return null;
            }
            if (leaderId == null) {
                leaderId = lead.group(1);
            } else if (!leaderId.equals(lead.group(1))) {
                return null; // an election is under way
            }
            if (id.group(1).equals(lead.group(1))) {
                leader = m;
            }
        }
        return leader;
    }

    /** SIGKILLs the member by its pid and waits (up to 5 s) until it is gone; false when it was not running. */
    static boolean kill(final Member m) {
        final Optional<ProcessHandle> h = ProcessHandle.of(m.pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        h.get().destroyForcibly(); // SIGKILL
        try {
            h.get().onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("etcd member " + m.name + " (pid " + m.pid + ") did not die within 5 s of SIGKILL", e);
        }
        return true;
    }

    /** The body of the member's {@code /v3/maintenance/status}, or null when it does not answer. */
    private static String status(final Member m) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) new URL("http://" + m.endpoint() + "/v3/maintenance/status").openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(1500);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.getOutputStream().write("{}".getBytes(StandardCharsets.UTF_8));
            if (c.getResponseCode() != 200) {
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | UncheckedIOException e) {
            return null;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }
}
