package io.slate.cli;

import io.slate.etcd.testing.EtcdCluster;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.tuple.Template;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line against a real 3-member etcd cluster: each command a separate JVM that finds the etcd backend on
 * its class path (ServiceLoader) from {@code --space etcd://...}. Skips when etcd is not installed (fails under CI=true).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EtcdCliTest {
    private static final long WAIT_SECONDS = 60;
    /** A first jetcd connect in a fresh JVM on a loaded 2-core machine takes more than etcd's default 5 s. */
    private static final List<String> JVM = List.of("-Dslate.etcd.connectTimeoutMillis=30000", "-Dslate.etcd.leaseTtlSeconds=2");
    private static EtcdCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ChildJvm slate(final String address, final String... args) {
        final String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--space";
        all[args.length + 1] = address;
        return ChildJvm.start("slate-" + args[0], SlateCli.class, JVM, all);
    }

    /** Runs a command to its end; returns its stdout lines, having checked its exit code. */
    private static List<String> run(final int exit, final String address, final String... args) throws InterruptedException {
        try (ChildJvm c = slate(address, args)) {
            assertEquals(exit, c.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), () -> String.join(" ", args) + ": " + c.stderr());
            return new ArrayList<>(c.output());
        }
    }

    /**
     * {@code slate serve --space etcd://...}: the command line's class path opens the etcd space for the gateway, which
     * names it by its address and serves it; a client's write is in the space for an agent of another process.
     */
    @Test
    void serveOpensAnEtcdSpace() throws Exception {
        final String address = cluster.address("served");
        try (ChildJvm serve = slate(address, "serve", "--port", "0")) {
            final String line = serve.awaitLineStartingWith("slate serve: listening on 127.0.0.1:", WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(line != null && line.contains("(space " + address + ", agent "), line + " " + serve.stderr());
            final int port = Integer.parseInt(line.replaceAll("^slate serve: listening on 127\\.0\\.0\\.1:(\\d+) .*$", "$1"));
            try (java.net.Socket sock = new java.net.Socket("127.0.0.1", port)) {
                sock.setSoTimeout(30_000);
                final java.io.OutputStream out = sock.getOutputStream();
                out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nserved\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                final java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(sock.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals("+OK", in.readLine());
                assertEquals(":1", in.readLine());
            }
            try (Space s = Space.open(SpaceOptions.of(address).agentId("checker"))) {
                assertEquals("served", s.kv().get("k").valueAsString());
                assertEquals(1, s.kv().get("k").version());
            }
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void writeAndReadCommandsWorkOnAnEtcdSpace() throws InterruptedException {
        final String address = cluster.address("robots");
        try {
            assertEquals(List.of("1"), run(0, address, "put", "k", "v"));
            assertEquals(List.of("2"), run(0, address, "put", "k", "w"));
            assertTrue(run(0, address, "get", "k").contains("w"), "get prints the value");
            assertEquals(List.of("5"), run(0, address, "incr", "n", "--by", "5"));
            final long tupleId = Long.parseLong(run(0, address, "out", "--name", "jobs", "job", "7").get(0));
            final List<String> tail = run(0, address, "tail", "--from-start", "--count", "3");
            assertEquals(3, tail.size(), tail::toString);
            assertTrue(tail.get(0).contains("k@1") && tail.get(1).contains("k@2") && tail.get(2).contains("n@1"), tail::toString);
            final List<String> verify = run(0, address, "verify");
            assertTrue(verify.get(0).startsWith("OK"), verify::toString);
            final String stat = String.join("\n", run(0, address, "stat"));
            assertTrue(stat.contains(address) && stat.contains("journal records"), stat);
            assertTrue(stat.contains("keep the newest 100000 journal records"), stat);
            // a second process sees what the commands wrote, through the API
            try (Space s = Space.open(SpaceOptions.of(address).agentId("checker"));
                 TupleSpace ts = TupleSpace.of(s, "jobs")) {
                assertEquals("w", s.kv().get("k").valueAsString());
                assertEquals(2, s.kv().get("k").version());
                assertEquals(5, s.kv().get("n").valueAsLong());
                assertEquals(7L, ts.rdp(Template.of("job", Template.ANY)).getLong(1));
                assertTrue(tupleId > s.kv().get("n").journalIndex(), "the tuple's id is its journal index, after the increment's");
            }
            // an absent key: exit 1, one error line naming the address
            try (ChildJvm get = slate(address, "get", "nope")) {
                assertEquals(1, get.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), get::stderr);
                assertTrue(get.stderr().startsWith("slate: ") && get.stderr().contains("nope"), get::stderr);
            }
        } finally {
            Space.delete(address);
        }
    }

    @Test
    void readCommandsRefuseASpaceThatDoesNotExistAndCreateNothing() throws InterruptedException {
        final String address = cluster.address("nobody-here");
        try (ChildJvm get = slate(address, "get", "k")) {
            assertEquals(3, get.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS), get::stderr);
            assertTrue(get.stderr().contains("no Slate space here"), get::stderr);
        }
        assertFalse(Space.exists(address), "a read created nothing");
    }

    @Test
    void unreachableEndpointsAndMalformedAddressesAreOneLineErrors() throws InterruptedException {
        try (ChildJvm get = ChildJvm.start("slate-bad", SlateCli.class, List.of("-Dslate.etcd.connectTimeoutMillis=2000"),
                "get", "k", "--space", "etcd://127.0.0.1:1/robots")) {
            assertTrue(get.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS) != 0);
            assertEquals(1, get.stderr().lines().count(), get::stderr);
            assertTrue(get.stderr().contains("127.0.0.1:1") && get.stderr().contains("unreachable"), get::stderr);
        }
        try (ChildJvm put = slate("etcd://127.0.0.1:2379/a/b", "put", "k", "v")) {
            assertTrue(put.awaitExit(WAIT_SECONDS, TimeUnit.SECONDS) != 0);
            assertEquals(1, put.stderr().lines().count(), put::stderr);
            assertTrue(put.stderr().contains("space name 'a/b'"), put::stderr);
        }
    }
}
