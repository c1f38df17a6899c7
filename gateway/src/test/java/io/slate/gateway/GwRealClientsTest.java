package io.slate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The clients agents really use, started as real processes against the gateway: redis-cli, Debian's python3-redis,
 * npm redis (RESP3) and ioredis. Each script asserts the replies it needs and prints one "ok" line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GwRealClientsTest {

    static Path script(final String name) throws Exception {
        return Paths.get(GwRealClientsTest.class.getResource("/clients/" + name).toURI());
    }

    @Test
    void redisCli() throws Exception {
        final Path cli = Tools.redisCli();
        try (GwServer s = new GwServer("cli")) {
            final String port = Integer.toString(s.port());
            final String input = "SET greeting hello\nGET greeting\nINCR visits\nSLATE.OUT jobs alert 7\nSLATE.RDP jobs alert ?long\n"
                    + "XLEN slate:journal\nNOSUCH x\n";
            final Tools.Result r = Tools.run(List.of(cli.toString(), "-p", port), null, Map.of(), input, 60);
            assertEquals(0, r.exit, r.toString());
            assertEquals("OK\nhello\n1\n" + outId(s) + "\nalert\n7\n3\nERR unknown command 'NOSUCH', with args beginning with: 'x' \n\n",
                    r.out, r.toString());
        }
        // redis-cli with a password from its environment, never its command line
        final GatewayConfig cfg = GatewayConfig.defaults().port(0).password("pw-123".getBytes(StandardCharsets.UTF_8));
        try (GwServer s = new GwServer("cliauth", cfg)) {
            final String port = Integer.toString(s.port());
            final Tools.Result denied = Tools.run(List.of(cli.toString(), "-p", port, "GET", "k"), null, Map.of(), 30);
            assertTrue(denied.out.contains("NOAUTH Authentication required."), denied.toString());
            final Tools.Result ok = Tools.run(List.of(cli.toString(), "-p", port, "SET", "k", "v"), null, Map.of("REDISCLI_AUTH", "pw-123"), 30);
            assertEquals("OK\n", ok.out, ok.toString());
        }
    }

    /**
     * redis-benchmark as it is run against Redis: its handshake (CONFIG GET), inline and multibulk PING, SET, GET and
     * INCR from 10 clients at once, one command per round trip and 16 pipelined. Not a measurement (that is
     * scripts/bench-gateway.sh): every request must get its reply and every write must land, so the counter is exactly
     * the number of INCRs and the key has one version per SET.
     */
    @Test
    void redisBenchmark() throws Exception {
        final Path bench = Tools.redisBenchmark();
        try (GwServer s = new GwServer("bench")) {
            final int n = 2000;
            for (String pipeline : new String[] {"1", "16"}) {
                final Tools.Result r = Tools.run(List.of(bench.toString(), "-h", "127.0.0.1", "-p", Integer.toString(s.port()), "-t", "ping,set,get,incr",
                        "-n", Integer.toString(n), "-c", "10", "-P", pipeline, "-e", "-q"), null, Map.of(), 90);
                assertEquals(0, r.exit, r.toString());
                for (String test : new String[] {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"}) {
                    assertTrue(r.out.contains(test + ": ") && r.out.matches("(?s).*" + test + ": [0-9.]+ requests per second.*"), test + " in " + r);
                }
                assertFalse(r.out.contains("ERR") || r.out.contains("rror"), r.toString());
            }
            try (Resp3Client c = s.client()) {
                assertEquals("\"" + (2 * n) + "\"", c.call("GET", "counter:__rand_int__"));
                assertEquals("3", c.call("STRLEN", "key:__rand_int__"), "redis-benchmark's 3-byte values (-d 3)");
            }
            assertEquals(2 * n, s.space.kv().get("key:__rand_int__").version(), "one version per SET");
        }
    }

    /** The id of the one tuple written: the journal index of its record (the record before the last, XLEN). */
    private static long outId(final GwServer s) {
        try (io.slate.journal.Tailer t = s.space.journal().tailerFromStart()) {
            io.slate.journal.JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                if (r.op() == io.slate.journal.Op.TUPLE_OUT) {
                    return r.index();
                }
            }
        }
        throw new AssertionError("no tuple-out record");
    }

    @Test
    void pythonRedis() throws Exception {
        final Path python = Tools.python();
        try (GwServer s = new GwServer("py")) {
            final Tools.Result r = Tools.run(List.of(python.toString(), script("redis_py_check.py").toString(), Integer.toString(s.port())),
                    null, Map.of(), 90);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.startsWith("ok redis-py 4."), r.toString());
        }
    }

    @Test
    void nodeRedisSpeakingResp3() throws Exception {
        final Path clients = Tools.nodeClients();
        try (GwServer s = new GwServer("noderedis")) {
            final Tools.Result r = Tools.run(List.of(Tools.node().toString(), script("node_redis_check.js").toString(), Integer.toString(s.port())),
                    null, Map.of("NODE_PATH", clients.resolve("node_modules").toString()), 90);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.startsWith("ok node-redis 6."), r.toString());
        }
    }

    @Test
    void ioredis() throws Exception {
        final Path clients = Tools.nodeClients();
        try (GwServer s = new GwServer("ioredis")) {
            final Tools.Result r = Tools.run(List.of(Tools.node().toString(), script("ioredis_check.js").toString(), Integer.toString(s.port())),
                    null, Map.of("NODE_PATH", clients.resolve("node_modules").toString()), 90);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.startsWith("ok ioredis 6."), r.toString());
        }
    }
}
