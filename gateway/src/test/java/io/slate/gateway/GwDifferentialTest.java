package io.slate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One script of commands (clients/differential.txt), run against Debian's redis-server, started here on a free port,
 * and against the gateway, through the same client: the replies of everything the gateway claims to support must be
 * identical. Through a raw client, byte for byte, in RESP2 and (after HELLO 3) RESP3; and through redis-py.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GwDifferentialTest {

    private static List<String> script() throws Exception {
        return Files.readAllLines(GwRealClientsTest.script("differential.txt"), StandardCharsets.UTF_8);
    }

    /** Runs the script on one server; one line per compared command: the command and its reply's exact bytes. */
    private static List<String> runRaw(final int port) throws Exception {
        final List<String> out = new ArrayList<>();
        try (Resp3Client one = new Resp3Client(port); Resp3Client two = new Resp3Client(port)) {
            for (String raw : script()) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                boolean compare = true;
                Resp3Client c = one;
                if (line.startsWith("!skip ")) {
                    compare = false;
                    line = line.substring(6);
                }
                if (line.startsWith("@2 ")) {
                    c = two;
                    line = line.substring(3);
                }
                final List<byte[]> words = RespReader.splitInline(line);
                final String[] args = new String[words.size()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = new String(words.get(i), StandardCharsets.UTF_8);
                }
                final byte[] reply = c.callRaw(args);
                if (compare) {
                    out.add(line + " => " + new String(reply, StandardCharsets.UTF_8).replace("\r\n", "\\r\\n"));
                }
            }
            assertTrue(one.closedByServer(), "QUIT closes the connection");
        }
        return out;
    }

    @Test
    void rawRepliesAreByteForByteRedisOnes() throws Exception {
        try (RedisServerProcess redis = new RedisServerProcess(); GwServer gw = new GwServer("diff")) {
            final List<String> expected = runRaw(redis.port);
            final List<String> actual = runRaw(gw.port());
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), actual.get(i), "command " + (i + 1));
            }
            assertTrue(expected.size() > 90, "the script compares " + expected.size() + " replies");
        }
    }

    @Test
    void redisPyGetsTheSameValues() throws Exception {
        final Path python = Tools.python();
        try (RedisServerProcess redis = new RedisServerProcess(); GwServer gw = new GwServer("diffpy")) {
            final Path driver = GwRealClientsTest.script("redis_py_differential.py");
            final Path script = GwRealClientsTest.script("differential.txt");
            final Tools.Result expected = Tools.run(List.of(python.toString(), driver.toString(), Integer.toString(redis.port), script.toString()),
                    null, Map.of(), 60);
            final Tools.Result actual = Tools.run(List.of(python.toString(), driver.toString(), Integer.toString(gw.port()), script.toString()),
                    null, Map.of(), 60);
            assertEquals(0, expected.exit, expected.toString());
            assertEquals(0, actual.exit, actual.toString());
            final String[] e = expected.out.split("\n");
            final String[] a = actual.out.split("\n");
            assertEquals(e.length, a.length, actual.toString());
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], "line " + (i + 1));
            }
            assertTrue(e.length > 90, expected.out);
        }
    }
}
