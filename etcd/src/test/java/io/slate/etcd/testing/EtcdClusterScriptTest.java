package io.slate.etcd.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/etcd-cluster.sh as a user runs it: start 3 members, status, a refused second start, stop, restart with the data, stop --purge. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdClusterScriptTest {
    private static final Path SCRIPT = Paths.get("..", "scripts", "etcd-cluster.sh").toAbsolutePath().normalize();

    @Test
    void startStatusStopRestartPurge() throws Exception {
        EtcdCluster.requireEtcd();
        final Path dir = Files.createTempDirectory(Paths.get("/dev/shm"), "slate-etcd-script-");
        final int base = freeRange(6);
        final List<Long> pids = new ArrayList<>();
        try {
            final Result start = run("start", "--members", "3", "--dir", dir.toString(), "--base-port", Integer.toString(base));
            assertEquals(0, start.status, start.out);
            assertTrue(start.out.contains("etcd://127.0.0.1:" + base + ",127.0.0.1:" + (base + 2) + ",127.0.0.1:" + (base + 4) + "/"), start.out);
            for (int i = 1; i <= 3; i++) {
                final long pid = Long.parseLong(Files.readString(dir.resolve("m" + i).resolve("etcd.pid")).trim());
                pids.add(pid);
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "m" + i + " runs");
                assertTrue(Files.isDirectory(dir.resolve("m" + i).resolve("data")));
            }
            final Result status = run("status", "--dir", dir.toString());
            assertEquals(0, status.status, status.out);
            assertTrue(status.out.contains("m3  127.0.0.1:" + (base + 4)) && status.out.contains("true"), status.out);

            final Result again = run("start", "--dir", dir.toString(), "--base-port", Integer.toString(base));
            assertNotEquals(0, again.status);
            assertTrue(again.out.contains("already running"), again.out);

            final Result stop = run("stop", "--dir", dir.toString());
            assertEquals(0, stop.status, stop.out);
            for (final long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " stopped");
            }
            final Result stopped = run("status", "--dir", dir.toString());
            assertNotEquals(0, stopped.status, "status of a stopped cluster is not 0");

            final Result restart = run("start", "--dir", dir.toString(), "--base-port", Integer.toString(base));
            assertEquals(0, restart.status, restart.out);
            final Result purge = run("stop", "--dir", dir.toString(), "--purge");
            assertEquals(0, purge.status, purge.out);
            assertFalse(Files.exists(dir), "--purge removes " + dir);
        } finally {
            if (Files.exists(dir.resolve("cluster.env"))) {
                run("stop", "--dir", dir.toString(), "--purge");
            }
            for (int i = 1; i <= 3; i++) { // a member the script failed to stop is killed by its pid file
                final Path p = dir.resolve("m" + i).resolve("etcd.pid");
                if (Files.exists(p)) {
                    ProcessHandle.of(Long.parseLong(Files.readString(p).trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            if (Files.exists(dir)) {
                new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A base port with {@code n} consecutive free loopback ports. */
    private static int freeRange(final int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            final int base = 20000 + 2 * ThreadLocalRandom.current().nextInt(10000);
            boolean free = true;
            for (int p = base; p < base + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + n + " consecutive free loopback ports found");
    }

    private static Result run(final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final byte[] out = p.getInputStream().readAllBytes(); // the script backgrounds etcd with its output in files, so this ends
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("etcd-cluster.sh " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int status;
        final String out;

        Result(final int status, final String out) {
            this.status = status;
            this.out = out;
        }
    }
}
