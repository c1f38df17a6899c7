package io.slate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input: the client that sent it gets a protocol error and is closed where Redis would close it; the server,
 * its other clients and the space are untouched.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GwBadInputTest {

    private static String afterRaw(final GwServer s, final String raw) throws IOException {
        try (Resp3Client c = s.client()) {
            c.sendRaw(raw.getBytes(StandardCharsets.ISO_8859_1));
            final String reply = Resp3Client.render(c.readFrame());
            assertTrue(c.closedByServer(), "closed after " + reply);
            return reply;
        }
    }

    @Test
    void malformedFramesGetAProtocolErrorAndTheConnectionCloses() throws Exception {
        try (GwServer s = new GwServer("bad"); Resp3Client bystander = s.client()) {
            bystander.call("SET", "keep", "1");
            assertTrue(afterRaw(s, "*1\r\n$abc\r\n").startsWith("-ERR Protocol error: "));
            assertTrue(afterRaw(s, "*2\r\n$3\r\nSET\r\n:12\r\n").startsWith("-ERR Protocol error: expected '$', got ':'"));
            assertTrue(afterRaw(s, "*2\r\n*1\r\n$1\r\na\r\n").startsWith("-ERR Protocol error: expected '$', got '*'"));
            assertEquals("-ERR Protocol error: invalid multibulk length", afterRaw(s, "*2000000\r\n"));
            // a bulk string over the limit is refused from its header: the body is never read
            assertEquals("-ERR Protocol error: invalid bulk length", afterRaw(s, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (s.space.options().maxValueBytes() + (2 << 20)) + "\r\n"));
            // a bulk whose body is longer than its length
            assertTrue(afterRaw(s, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nabcdef\r\n").startsWith("-ERR Protocol error: "));
            // an inline line longer than 64 KiB
            assertTrue(afterRaw(s, "x".repeat(70_000)).startsWith("-ERR Protocol error: "));
            // inline commands, as redis-benchmark and telnet send them, work
            try (Resp3Client c = s.client()) {
                c.sendRaw("SET inline \"a b\"\r\nGET inline\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("OK", Resp3Client.render(c.readFrame()));
                assertEquals("\"a b\"", Resp3Client.render(c.readFrame()));
                c.sendRaw("DEL inline\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("1", Resp3Client.render(c.readFrame()));
            }
            final long afterInline = s.space.journal().lastIndex();
            // binary garbage: whatever it decodes to, the server stays up and writes nothing
            final Random rnd = new Random(42);
            for (int i = 0; i < 50; i++) {
                final byte[] junk = new byte[1 + rnd.nextInt(2000)];
                rnd.nextBytes(junk);
                junk[0] = (byte) "*$+-:%~\u0000\u00ff".charAt(rnd.nextInt(9));
                try (Socket sock = new Socket()) {
                    sock.connect(new InetSocketAddress("127.0.0.1", s.port()), 5_000);
                    sock.setSoTimeout(500);
                    sock.getOutputStream().write(junk);
                    sock.getOutputStream().flush();
                    sock.shutdownOutput();
                    final byte[] buf = new byte[4096];
                    try {
                        while (sock.getInputStream().read(buf) >= 0) {
                            // drain until the server closes (or the timeout)
                        }
                    } catch (IOException expectedWhenStalled) {
                        // a garbage prefix that reads as half a frame leaves the server waiting, as Redis does
                    }
                }
            }
            assertEquals("PONG", bystander.call("PING"));
            assertEquals("\"1\"", bystander.call("GET", "keep"));
            assertEquals(afterInline, s.space.journal().lastIndex(), "binary garbage wrote nothing");
            assertEquals(List.of("keep", "inline", "inline"), journalKeys(s), "only the bystander's and the inline commands' writes");
        }
    }

    @Test
    void halfAFrameThenAStallHoldsUpNobodyElse() throws Exception {
        try (GwServer s = new GwServer("stall"); Resp3Client stalled = s.client(); Resp3Client other = s.client()) {
            assertEquals("OK", other.call("SET", "before", "0"));
            stalled.sendRaw("*3\r\n$3\r\nSET\r\n$5\r\nhalf".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 100; i++) {
                assertEquals("PONG", other.call("PING"));
            }
            assertEquals("OK", other.call("SET", "x", "1"));
            stalled.close();
            Thread.sleep(100);
            assertEquals("(nil)", other.call("GET", "half"));
            assertEquals(List.of("before", "x"), journalKeys(s), "only the other client's writes");
        }
    }

    /** The keys of the journal's records, in order, as a JVM agent reads them. */
    private static List<String> journalKeys(final GwServer s) {
        final List<String> keys = new ArrayList<>();
        try (io.slate.journal.Tailer t = s.space.journal().tailerFromStart()) {
            io.slate.journal.JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                keys.add(r.key().toString());
            }
        }
        return keys;
    }

    @Test
    void tenThousandConnectionsOpeningAndClosing() throws Exception {
        try (GwServer s = new GwServer("churn"); Resp3Client bystander = s.client()) {
            final long last = s.space.journal().lastIndex();
            final byte[] ping = Resp3Client.encode("PING");
            for (int i = 0; i < 10_000; i++) {
                try (Socket sock = new Socket()) {
                    sock.connect(new InetSocketAddress("127.0.0.1", s.port()), 5_000);
                    if (i % 10 == 0) {
                        sock.setSoTimeout(5_000);
                        sock.getOutputStream().write(ping);
                        final byte[] b = sock.getInputStream().readNBytes(7);
                        assertEquals("+PONG\r\n", new String(b, StandardCharsets.US_ASCII));
                    }
                }
                if (i % 1000 == 0) {
                    assertEquals("PONG", bystander.call("PING"));
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (s.gateway.connections() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, s.gateway.connections(), "every closed connection is gone from the gateway");
            assertEquals(last, s.space.journal().lastIndex(), "nothing written");
            assertEquals("PONG", bystander.call("PING"));
        }
    }
}
