package io.slate.gateway;

import io.slate.etcd.testing.EtcdCluster;
import io.slate.space.Space;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Polyglot agents on a space on etcd: a real 3-member etcd cluster, two real gateway processes on the same etcd space
 * (one per "host"), a Python agent (Debian's python3-redis) on one and a Node agent (npm redis and ioredis) on the
 * other. The Python agent sees the Node agent's writes with their versions and writer, its journal records, takes its
 * tuples with ack (one comes back when its connection drops), tails the journal with XREAD BLOCK for a write the Node
 * agent makes, and the mutex passes between them with growing fencing tokens. Then the Python agent's gateway is
 * SIGKILLed while it holds an unacknowledged take: the tuple is back, seen through the other gateway, within the
 * gateway's lease TTL plus a margin (measured and printed). Skips when etcd, python3-redis or node are missing (fails
 * under CI=true).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GwEtcdTest {
    /** The gateways' etcd lease: a dead gateway's agent is declared dead about this long after its last keep-alive. */
    private static final int LEASE_TTL_SECONDS = 2;
    /** How {@link Resp3Client} shows a null reply. */
    private static final String NIL = "(nil)";
    private static final Pattern OK_JSON = Pattern.compile("(?m)^ok (\\{.*\\})$");

    @Test
    void pythonAndNodeAgentsShareASpaceOnEtcdThroughTwoGateways() throws Exception {
        final Path python = Tools.python();
        final Path nodeClients = Tools.nodeClients();
        final Path pyScript = GwRealClientsTest.script("etcd_py_agent.py");
        final Path jsScript = GwRealClientsTest.script("etcd_node_agent.js");
        final Map<String, String> nodeEnv = Map.of("NODE_PATH", nodeClients.resolve("node_modules").toString());
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            final String address = cluster.address("gw-polyglot-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            // a first jetcd connect in a fresh JVM on a loaded 2-core machine can take more than the default 5 s
            final List<String> jvm = List.of("-Dslate.etcd.leaseTtlSeconds=" + LEASE_TTL_SECONDS, "-Dslate.etcd.connectTimeoutMillis=30000");
            try (ChildJvm gwA = ChildJvm.start("gw-a", GwChildMain.class, jvm, address, "gateway-a");
                 ChildJvm gwB = ChildJvm.start("gw-b", GwChildMain.class, jvm, address, "gateway-b")) {
                final String portA = port(gwA);
                final String portB = port(gwB);

                // 1. the Node agent writes through gateway B
                final String wrote = ok(Tools.run(List.of(Tools.node().toString(), jsScript.toString(), "write", portB), null, nodeEnv, 120));
                final String nodeAgent = field(wrote, "writer");
                assertEquals(expectedAgent("node-b", "gateway-b"), nodeAgent, wrote);
                final String token = field(wrote, "token");

                // 2. the Python agent, through gateway A, sees them and works on them
                final String checked = ok(Tools.run(List.of(python.toString(), pyScript.toString(), "check", portA, portB, nodeAgent,
                        field(wrote, "version"), token), null, Map.of(), 120));
                final String tokens = checked.replaceAll(".*\"tokens\": \\[(\\d+), (\\d+)\\].*", "$1 $2");

                // 3. the Python agent tails the journal (XREAD BLOCK on gateway A) for what the Node agent writes on B
                try (Background tail = Background.start(List.of(python.toString(), pyScript.toString(), "tail", portA, portB), Map.of())) {
                    final String tailing = tail.awaitLineStartingWith("TAILING ", 60);
                    assertNotNull(tailing, "the Python tailer started: " + tail.output());
                    ok(Tools.run(List.of(Tools.node().toString(), jsScript.toString(), "tail-write", portB), null, nodeEnv, 120));
                    final String got = tail.awaitLineStartingWith("ok ", 60);
                    assertNotNull(got, "the Python tailer got the Node agent's record: " + tail.output());
                    assertTrue(got.contains("\"op\": \"put\"") && got.contains("\"value\": \"hello-from-node\"")
                            && got.contains("\"agent\": \"" + nodeAgent + "\""), got);
                }

                // 4. the Node agent, on B, sees the Python agent's writes and takes what is left, locking above its tokens
                final String[] finishArgs = (Tools.node() + " " + jsScript + " finish " + portB + " " + expectedAgent("py-a", "gateway-a") + " "
                        + tokens).split(" ");
                final String finished = ok(Tools.run(List.of(finishArgs), null, nodeEnv, 120));
                assertTrue(finished.contains("\"left\":[") && finished.split(",").length >= 3, finished);

                // 5. the Python agent's gateway dies (SIGKILL) while the agent holds an unacknowledged take
                ok(Tools.run(List.of(Tools.node().toString(), jsScript.toString(), "victim", portB), null, nodeEnv, 120));
                try (Background hold = Background.start(List.of(python.toString(), pyScript.toString(), "hold", portA, portB), Map.of());
                     Resp3Client b = new Resp3Client(Integer.parseInt(portB), 30_000)) {
                    final String taken = hold.awaitLineStartingWith("TAKEN ", 60);
                    assertNotNull(taken, "the Python agent took the victim: " + hold.output());
                    assertTrue(taken.endsWith(" 99"), taken);
                    assertEquals(NIL, b.call("SLATE.RDP", "jobs", "victim", "?long"), "taken, not acknowledged, through gateway A");
                    final long killed = System.nanoTime();
                    gwA.kill();
                    String back = NIL;
                    final long deadline = killed + TimeUnit.SECONDS.toNanos(LEASE_TTL_SECONDS + 20);
                    while (NIL.equals(back) && System.nanoTime() < deadline) {
                        back = b.call("SLATE.RDP", "jobs", "victim", "?long");
                        if (NIL.equals(back)) {
                            Thread.sleep(20);
                        }
                    }
                    final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                    System.out.println("[gw-etcd] the take of the SIGKILLed gateway's client came back " + ms + " ms after the kill (lease TTL "
                            + LEASE_TTL_SECONDS + " s)");
                    assertEquals("[\"victim\", 99]", back, "the unacknowledged take came back");
                    // a sanity bound, not a timing assertion: the lease TTL plus a generous margin for a loaded machine
                    assertTrue(ms < TimeUnit.SECONDS.toMillis(LEASE_TTL_SECONDS + 10), "came back after " + ms + " ms");
                    // and it can be taken through the live gateway, for good
                    assertTrue(b.call("SLATE.TAKE", "jobs", "victim", "?long").endsWith(", [\"victim\", 99]]"));
                }
            }
            // nothing of the gateways is left alive in the space once B is gone too: etcd expires their leases
            try (Space observer = Space.open(io.slate.space.SpaceOptions.of(address).observer(true))) {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEASE_TTL_SECONDS + 20);
                while (observer.stats().agentsAlive() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(0, observer.stats().agentsAlive(), "agents still alive: " + observer.agents());
            }
        }
    }

    /** The agent id a client's records carry: a named connection writes as the agent of its name, not the gateway's. */
    static String expectedAgent(final String clientName, final String gatewayAgent) {
        return clientName;
    }

    private static String port(final ChildJvm gw) throws InterruptedException {
        final String line = gw.awaitLineStartingWith("PORT ", 120, TimeUnit.SECONDS);
        assertNotNull(line, "the gateway did not start: " + gw.stderr());
        return line.substring(5);
    }

    /** The JSON of a script's "ok {...}" line, after checking it exited 0. */
    private static String ok(final Tools.Result r) {
        assertEquals(0, r.exit, r.toString());
        final Matcher m = OK_JSON.matcher(r.out);
        assertTrue(m.find(), r.toString());
        return m.group(1);
    }

    /** A flat field of a small JSON object, as text (numbers as they are, strings without quotes). */
    private static String field(final String json, final String name) {
        final Matcher m = Pattern.compile("\"" + name + "\":\\s*(\"([^\"]*)\"|(-?\\d+))").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(2) != null ? m.group(2) : m.group(3);
    }

    /** A program running in the background: its stdout lines collected; killed by its own handle on close. */
    static final class Background implements AutoCloseable {
        private final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
        private final StringBuilder err = new StringBuilder();

        private Background(final Process process) {
            this.process = process;
            final Thread out = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        all.add(line);
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            }, "bg-stdout");
            out.setDaemon(true);
            out.start();
            final Thread e = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (err) {
                            if (err.length() < 20_000) {
                                err.append(line).append('\n');
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            }, "bg-stderr");
            e.setDaemon(true);
            e.start();
        }

        static Background start(final List<String> cmd, final Map<String, String> env) throws IOException {
            final ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            return new Background(pb.start());
        }

        /** The next line starting with {@code prefix}, or null after {@code seconds} or when the program ended. */
        String awaitLineStartingWith(final String prefix, final long seconds) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                final String line = lines.poll(50, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    Thread.sleep(50); // the reader may still be adding the last lines
                    if (lines.isEmpty()) {
                        return null;
                    }
                }
            }
            return null;
        }

        String output() {
            synchronized (err) {
                return "stdout: " + all + "\nstderr: " + err + (process.isAlive() ? "" : "\nexit " + process.exitValue());
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
