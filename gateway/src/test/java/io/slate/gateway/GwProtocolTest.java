package io.slate.gateway;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.space.SpaceOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's replies, byte for byte or rendered, through a raw RESP client: handshake, strings, transactions, auth. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GwProtocolTest {

    @Test
    void handshakeCommandsRealClientsSend() throws Exception {
        try (GwServer s = new GwServer("hs"); Resp3Client c = s.client()) {
            assertArrayEquals("+PONG\r\n".getBytes(StandardCharsets.US_ASCII), c.callRaw("PING"));
            assertEquals("\"hi\"", c.call("PING", "hi"));
            assertEquals("\"x y\"", c.call("ECHO", "x y"));
            assertEquals("OK", c.call("CLIENT", "SETNAME", "agent-7"));
            assertEquals("\"agent-7\"", c.call("CLIENT", "GETNAME"));
            assertEquals("OK", c.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py"));
            assertTrue(c.call("CLIENT", "ID").matches("\\d+"));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.", c.call("CLIENT", "SETNAME", "a b"));
            final String info = c.call("INFO");
            assertTrue(info.contains("redis_version:") && info.contains("loading:0"), info);
            assertEquals("[\"maxmemory\", \"0\"]", c.call("CONFIG", "GET", "maxmemory"));
            assertTrue(Integer.parseInt(c.call("COMMAND", "COUNT")) > 40);
            assertEquals("[]", c.call("COMMAND", "DOCS"));
            assertEquals("OK", c.call("SELECT", "0"));
            assertEquals("-ERR DB index is out of range", c.call("SELECT", "1"));
            assertEquals("-ERR unknown command 'FOO', with args beginning with: 'a' 'b c' ", c.call("FOO", "a", "b c"));
            assertEquals("-ERR unknown command 'bar', with args beginning with: ", c.call("bar"));
            assertEquals("-ERR wrong number of arguments for 'get' command", c.call("GET"));
            assertEquals("(nil)", c.call("GET", "missing"));
            assertArrayEquals("$-1\r\n".getBytes(StandardCharsets.US_ASCII), c.callRaw("GET", "missing"));
            // RESP3: a map for HELLO, '_' for nulls, a map for CONFIG GET
            final String hello = c.call("HELLO", "3");
            assertTrue(hello.startsWith("{\"server\": \"slate\", \"version\": \"7.0.0\", \"proto\": 3, \"id\": "), hello);
            assertArrayEquals("_\r\n".getBytes(StandardCharsets.US_ASCII), c.callRaw("GET", "missing"));
            assertEquals("{\"maxmemory\": \"0\"}", c.call("CONFIG", "GET", "maxmemory"));
            assertEquals("-NOPROTO unsupported protocol version", c.call("HELLO", "4"));
            assertEquals("RESET", c.call("RESET"));
            assertArrayEquals("$-1\r\n".getBytes(StandardCharsets.US_ASCII), c.callRaw("GET", "missing"));
            assertEquals("(nil)", c.call("CLIENT", "GETNAME"));
            assertEquals("OK", c.call("QUIT"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void passwordFromConfigRefusesEverythingBeforeAuth() throws Exception {
        final GatewayConfig cfg = GatewayConfig.defaults().port(0).password("s3cret".getBytes(StandardCharsets.UTF_8));
        try (GwServer s = new GwServer("auth", cfg); Resp3Client c = s.client()) {
            assertEquals("-NOAUTH Authentication required.", c.call("GET", "k"));
            assertEquals("-NOAUTH Authentication required.", c.call("PING"));
            assertEquals("-NOAUTH Authentication required.", c.call("NOSUCHCOMMAND"));
            assertTrue(c.call("HELLO", "3").startsWith("-NOAUTH HELLO must be called with the client already authenticated"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.call("AUTH", "nope"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.call("AUTH", "bob", "s3cret"));
            assertEquals("-NOAUTH Authentication required.", c.call("SET", "k", "v"));
            assertTrue(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "py").startsWith("{\"server\""));
            assertEquals("OK", c.call("SET", "k", "v"));
            assertEquals("\"py\"", c.call("CLIENT", "GETNAME"));
            try (Resp3Client d = s.client()) {
                assertEquals("OK", d.call("AUTH", "s3cret"));
                assertEquals("\"v\"", d.call("GET", "k"));
                assertEquals("RESET", d.call("RESET"));
                assertEquals("-NOAUTH Authentication required.", d.call("GET", "k"));
            }
            // nothing an unauthenticated client sent was written
            assertEquals(1, s.space.kv().get("k").version());
        }
        try (GwServer s = new GwServer("noauth"); Resp3Client c = s.client()) {
            assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?", c.call("AUTH", "x"));
        }
    }

    @Test
    void stringsFollowRedisOnSlateVersions() throws Exception {
        try (GwServer s = new GwServer("kv"); Resp3Client c = s.client()) {
            assertEquals("OK", c.call("SET", "k", "a"));
            assertEquals("OK", c.call("SET", "k", "b"));
            assertEquals(2, s.space.kv().get("k").version());
            assertEquals("\"b\"", c.call("SET", "k", "c", "GET"));
            assertEquals("(nil)", c.call("SET", "k", "d", "NX"));
            assertEquals("OK", c.call("SET", "k", "d", "XX"));
            assertEquals("(nil)", c.call("SET", "other", "d", "XX"));
            assertEquals("-ERR syntax error", c.call("SET", "k", "d", "NX", "XX"));
            assertEquals("-ERR Slate: keys do not expire; SET EX is not supported", c.call("SET", "k", "d", "EX", "10"));
            assertEquals("1", c.call("SETNX", "n", "1"));
            assertEquals("0", c.call("SETNX", "n", "2"));
            assertEquals("\"1\"", c.call("GETSET", "n", "5"));
            assertEquals("6", c.call("INCR", "n"));
            assertEquals("16", c.call("INCRBY", "n", "10"));
            assertEquals("15", c.call("DECR", "n"));
            assertEquals("5", c.call("DECRBY", "n", "10"));
            assertEquals("-ERR value is not an integer or out of range", c.call("INCR", "k"));
            assertEquals("-ERR value is not an integer or out of range", c.call("INCRBY", "n", "x"));
            assertEquals("OK", c.call("SET", "max", Long.toString(Long.MAX_VALUE)));
            assertEquals("-ERR increment or decrement would overflow", c.call("INCR", "max"));
            assertEquals("3", c.call("APPEND", "ap", "abc"));
            assertEquals("5", c.call("APPEND", "ap", "de"));
            assertEquals("5", c.call("STRLEN", "ap"));
            assertEquals("string", c.call("TYPE", "ap"));
            assertEquals("none", c.call("TYPE", "nope"));
            assertEquals("stream", c.call("TYPE", "slate:journal"));
            assertEquals("\"abcde\"", c.call("GETDEL", "ap"));
            assertEquals("(nil)", c.call("GET", "ap"));
            assertEquals("OK", c.call("MSET", "m1", "x", "m2", "y"));
            assertEquals("[\"x\", \"y\", (nil)]", c.call("MGET", "m1", "m2", "m3"));
            assertEquals("3", c.call("EXISTS", "m1", "m2", "m1", "m3"));
            assertEquals("2", c.call("DEL", "m1", "m2", "m3"));
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", c.call("GET", "slate:journal"));
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", c.call("SET", "slate:journal", "x"));
            // versions, CAS and the writer
            final String v = c.call("SLATE.GETV", "k");
            assertTrue(v.startsWith("[\"value\", \"d\", \"version\", 4, \"writer\", \"gateway-kv\", \"index\", "), v);
            assertEquals("-1", c.call("SLATE.CAS", "k", "3", "e"));
            assertEquals("5", c.call("SLATE.CAS", "k", "4", "e"));
            assertEquals("1", c.call("SLATE.CAS", "fresh", "0", "e"));
            assertEquals("(nil)", c.call("SLATE.GETV", "nope"));
            // SCAN, KEYS, DBSIZE over live keys only
            assertEquals("4", c.call("DBSIZE"));
            final String keys = c.call("KEYS", "*");
            for (String k : new String[] {"fresh", "k", "max", "n"}) {
                assertTrue(keys.contains("\"" + k + "\""), keys);
            }
            assertEquals("[\"max\"]", c.call("KEYS", "m?x"));
            assertEquals("[\"fresh\", \"k\", \"max\", \"n\"]", scanAll(c, "2"));
            assertEquals("[\"fresh\", \"k\", \"max\", \"n\"]", scanAll(c, "10"));
        }
    }

    /**
     * Seven scans of one connection at once, interleaved page by page (more than the gateway keeps key lists for, so
     * some continue by walking the space), while another client writes and removes other keys: each returns every key
     * that was there all along exactly once, in order.
     */
    @Test
    void interleavedScansReturnEveryConstantKeyOnce() throws Exception {
        try (GwServer s = new GwServer("scan"); Resp3Client c = s.client(); Resp3Client writer = s.client()) {
            final java.util.List<String> constant = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                final String k = String.format("s:%03d", i);
                constant.add(k);
                assertEquals("OK", writer.call("SET", k, "v"));
            }
            final int scans = 7;
            final String[] cursors = new String[scans];
            final java.util.List<java.util.List<String>> seen = new java.util.ArrayList<>();
            for (int i = 0; i < scans; i++) {
                cursors[i] = "0";
                seen.add(new java.util.ArrayList<>());
            }
            boolean first = true;
            int writes = 0;
            while (first || java.util.Arrays.stream(cursors).anyMatch(x -> !x.equals("0"))) {
                for (int i = 0; i < scans; i++) {
                    if (!first && cursors[i].equals("0")) {
                        continue;
                    }
                    final String page = c.call("SCAN", cursors[i], "COUNT", String.valueOf(5 + i), "MATCH", "s:*");
                    final java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\[\"(\\d+)\", \\[(.*)\\]\\]$").matcher(page);
                    assertTrue(m.matches(), page);
                    cursors[i] = m.group(1);
                    if (!m.group(2).isEmpty()) {
                        for (String k : m.group(2).split(", ")) {
                            seen.get(i).add(k.replace("\"", ""));
                        }
                    }
                    // other keys come and go meanwhile
                    writer.call("SET", "t:" + (writes % 50), "x");
                    writer.call("DEL", "t:" + ((writes + 25) % 50));
                    writes++;
                }
                first = false;
            }
            for (int i = 0; i < scans; i++) {
                assertEquals(constant, seen.get(i), "scan " + i);
            }
        }
    }

    private static String scanAll(final Resp3Client c, final String count) throws Exception {
        final java.util.List<String> all = new java.util.ArrayList<>();
        String cursor = "0";
        do {
            final String page = c.call("SCAN", cursor, "COUNT", count);
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\[\"(\\d+)\", \\[(.*)\\]\\]$").matcher(page);
            assertTrue(m.matches(), page);
            cursor = m.group(1);
            if (!m.group(2).isEmpty()) {
                for (String k : m.group(2).split(", ")) {
                    all.add(k);
                }
            }
        } while (!cursor.equals("0"));
        return all.toString();
    }

    @Test
    void limitsOfTheSpaceAreNamedAndNothingIsWritten() throws Exception {
        final SpaceOptions sizing = SpaceOptions.of("x").maxKeyBytes(32).maxValueBytes(1024);
        try (GwServer s = new GwServer("limits", GatewayConfig.defaults().port(0), sizing); Resp3Client c = s.client()) {
            final long before = s.space.journal().lastIndex();
            assertEquals("-ERR Slate: value for key 'k' is 1025 bytes; the space allows at most 1024 (maxValueBytes)",
                    c.call("SET", "k", "v".repeat(1025)));
            assertEquals("-ERR Slate: key is 33 bytes; the space allows at most 32 (maxKeyBytes)", c.call("SET", "k".repeat(33), "v"));
            assertEquals("-ERR Slate: key is 33 bytes; the space allows at most 32 (maxKeyBytes)", c.call("GET", "k".repeat(33)));
            assertEquals("OK", c.call("SET", "a", "v".repeat(1000)));
            assertEquals("-ERR Slate: value for key 'a' is 1030 bytes; the space allows at most 1024 (maxValueBytes)",
                    c.call("APPEND", "a", "123456789012345678901234567890"));
            assertEquals("-ERR Slate: value for key 'b' is 2000 bytes; the space allows at most 1024 (maxValueBytes)",
                    c.call("MSET", "ok", "1", "b", "v".repeat(2000)));
            assertEquals("(nil)", c.call("GET", "ok"));
            assertEquals(1000, s.space.kv().get("a").value().length);
            assertEquals(before + 1, journalCountAfter(s, before) + before);
        }
    }

    /** Records after {@code index}. */
    private static long journalCountAfter(final GwServer s, final long index) {
        long n = 0;
        try (Tailer t = s.space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                if (r.index() > index) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void multiExecIsOneCompareAndSetOnOneKeyAndWatchAborts() throws Exception {
        try (GwServer s = new GwServer("tx"); Resp3Client c = s.client(); Resp3Client other = s.client()) {
            assertEquals("OK", c.call("SET", "acct", "10"));
            final long before = s.space.journal().lastIndex();
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("INCRBY", "acct", "5"));
            assertEquals("QUEUED", c.call("APPEND", "acct", "0"));
            assertEquals("QUEUED", c.call("GET", "acct"));
            assertEquals("QUEUED", c.call("GET", "elsewhere"));
            assertEquals("[15, 3, \"150\", (nil)]", c.call("EXEC"));
            final Entry e = s.space.kv().get("acct");
            assertEquals(2, e.version(), "a transaction's writes to its key are one version");
            assertEquals(1, journalCountAfter(s, before), "and one journal record");

            // WATCH: another client's write in between makes EXEC return null and write nothing
            assertEquals("OK", c.call("WATCH", "acct"));
            assertEquals("\"150\"", c.call("GET", "acct"));
            assertEquals("OK", other.call("SET", "acct", "7"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "acct", "151"));
            assertEquals("(nil)", c.call("EXEC"));
            assertEquals("\"7\"", c.call("GET", "acct"));

            // a watched key removed and written again since WATCH saw it absent: still a conflict
            assertEquals("OK", c.call("WATCH", "ghost"));
            assertEquals("OK", other.call("SET", "ghost", "1"));
            assertEquals("1", other.call("DEL", "ghost"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "ghost", "2"));
            assertEquals("(nil)", c.call("EXEC"));
            assertEquals("(nil)", c.call("GET", "ghost"));

            // a second written key is refused when queued, and EXEC then writes nothing
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "a", "1"));
            assertTrue(c.call("SET", "b", "2").startsWith("-ERR Slate: a transaction writes one key atomically"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.", c.call("EXEC"));
            assertEquals("(nil)", c.call("GET", "a"));
            assertEquals("OK", c.call("MULTI"));
            assertTrue(c.call("SLATE.OUT", "jobs", "x").startsWith("-ERR Slate: SLATE.OUT cannot be queued in MULTI"));
            assertEquals("-ERR unknown command 'NOPE', with args beginning with: ", c.call("NOPE"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.", c.call("EXEC"));
            assertEquals("-ERR EXEC without MULTI", c.call("EXEC"));
            assertEquals("-ERR DISCARD without MULTI", c.call("DISCARD"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("-ERR MULTI calls can not be nested", c.call("MULTI"));
            assertEquals("-ERR WATCH inside MULTI is not allowed", c.call("WATCH", "x"));
            assertEquals("QUEUED", c.call("SET", "a", "1"));
            assertEquals("OK", c.call("DISCARD"));
            assertEquals("(nil)", c.call("GET", "a"));
            // a runtime error inside EXEC is that command's reply; the others run
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "t", "x"));
            assertEquals("QUEUED", c.call("INCR", "t"));
            assertEquals("QUEUED", c.call("GET", "t"));
            assertEquals("[OK, -ERR value is not an integer or out of range, \"x\"]", c.call("EXEC"));
        }
    }

    @Test
    void unixSocketIsOwnerOnly() throws Exception {
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("slate-gw-unix-");
        final java.nio.file.Path sock = dir.resolve("gw.sock");
        try (GwServer s = new GwServer("unix", GatewayConfig.defaults().port(-1).unixSocket(sock))) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(sock)));
            assertEquals(-1, s.gateway.port());
            try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
                ch.write(java.nio.ByteBuffer.wrap(Resp3Client.encode("PING")));
                final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
                while (b.position() < 7) {
                    assertTrue(ch.read(b) >= 0);
                }
                assertEquals("+PONG\r\n", new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
            }
            try (java.util.stream.Stream<java.nio.file.Path> l = java.nio.file.Files.list(dir)) {
                assertEquals(1, l.count(), "no temporary directory left next to the socket");
            }
        } finally {
            assertFalse(java.nio.file.Files.exists(sock), "the socket is removed on close");
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
