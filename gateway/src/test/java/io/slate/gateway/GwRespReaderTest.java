package io.slate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's RESP request parser on its own: commands split anywhere, inline commands, limits and errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GwRespReaderTest {
    private static final String PIPELINE = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"
            + "*0\r\n"
            + "\r\n"
            + "GET  \"a b\"  'c'\r\n"
            + "*2\r\n$4\r\nINCR\r\n$0\r\n\r\n"
            + "PING\n";

    /** Every command {@code bytes} holds, fed {@code chunk} bytes at a time; the last element is "ERROR: ..." on an error. */
    private static List<String> parse(final String bytes, final int chunk, final int maxBulk) {
        final RespReader r = new RespReader(maxBulk);
        final byte[] all = bytes.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuf in = Unpooled.buffer();
        final List<String> out = new ArrayList<>();
        try {
            for (int at = 0; at < all.length; at += chunk) {
                in.writeBytes(all, at, Math.min(chunk, all.length - at));
                while (true) {
                    final int before = in.readerIndex();
                    final int res = r.next(in);
                    if (res == RespReader.ERROR) {
                        out.add("ERROR: " + r.error());
                        return out;
                    }
                    if (res == RespReader.NEED_MORE) {
                        assertTrue(in.readerIndex() >= before, "never goes back");
                        break;
                    }
                    final StringBuilder sb = new StringBuilder();
                    final byte[][] argv = r.argv();
                    for (int i = 0; i < argv.length; i++) {
                        sb.append(i == 0 ? "" : "|").append(new String(argv[i], StandardCharsets.ISO_8859_1));
                    }
                    out.add(sb.toString());
                }
            }
            return out;
        } finally {
            in.release();
        }
    }

    @Test
    void aPipelineParsesTheSameHoweverItIsSplit() {
        final List<String> expected = List.of("SET|key|va\r\nl", "GET|a b|c", "INCR|", "PING");
        for (int chunk = 1; chunk <= PIPELINE.length(); chunk++) {
            assertEquals(expected, parse(PIPELINE, chunk, 1024), "fed " + chunk + " bytes at a time");
        }
    }

    @Test
    void malformedInputIsAnErrorNamingTheProblem() {
        assertEquals("ERROR: invalid multibulk length", last(parse("*x\r\n", 100, 1024)));
        assertEquals("ERROR: invalid multibulk length", last(parse("*" + (RespReader.MAX_ARGS + 1) + "\r\n", 100, 1024)));
        assertEquals("ERROR: invalid bulk length", last(parse("*1\r\n$abc\r\n", 100, 1024)));
        assertEquals("ERROR: invalid bulk length", last(parse("*1\r\n$-1\r\n", 100, 1024)));
        // over the limit: refused from the header, before the body arrives
        assertEquals("ERROR: invalid bulk length", last(parse("*2\r\n$3\r\nSET\r\n$1025\r\n", 100, 1024)));
        assertEquals("ERROR: expected '$', got ':'", last(parse("*2\r\n$3\r\nSET\r\n:12\r\n", 100, 1024)));
        assertEquals("ERROR: expected '$', got '*'", last(parse("*2\r\n*1\r\n$1\r\na\r\n", 3, 1024)));
        assertTrue(last(parse("*1\r\n$2\r\nabcdef\r\n", 100, 1024)).startsWith("ERROR: bulk string of length 2"));
        assertEquals("ERROR: unbalanced quotes in request", last(parse("GET \"a\r\n", 100, 1024)));
        assertEquals("ERROR: too big inline request", last(parse("x".repeat(RespReader.MAX_LINE + 1), 4096, 1024)));
        assertEquals("ERROR: too big mbulk count string", last(parse("*" + "1".repeat(RespReader.MAX_LINE + 1), 4096, 1024)));
        // the commands before the bad one were read
        final List<String> before = parse("PING\r\n*1\r\n$x\r\n", 1, 1024);
        assertEquals(List.of("PING", "ERROR: invalid bulk length"), before);
    }

    @Test
    void halfACommandIsNotACommand() {
        assertEquals(List.of(), parse("*3\r\n$3\r\nSET\r\n$5\r\nhalf", 7, 1024));
        assertEquals(List.of(), parse("GET x", 2, 1024));
    }

    @Test
    void bigArgumentsDoNotKeepTheirBuffers() {
        final RespReader r = new RespReader(1 << 20);
        final String big = "x".repeat(300_000);
        final ByteBuf in = Unpooled.copiedBuffer("*2\r\n$4\r\nECHO\r\n$300000\r\n" + big + "\r\n*1\r\n$4\r\nPING\r\n", StandardCharsets.US_ASCII);
        try {
            assertEquals(RespReader.COMMAND, r.next(in));
            assertEquals(300_000, r.length[1]);
            assertTrue(r.argIs(0, "ECHO".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(RespReader.COMMAND, r.next(in));
            assertTrue(r.argIs(0, "PING".getBytes(StandardCharsets.US_ASCII)));
            assertFalse(r.argIs(0, "PONG".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(r.data.length <= 64 * 1024, "the 300 kB buffer was let go: " + r.data.length);
            assertEquals(RespReader.NEED_MORE, r.next(in));
        } finally {
            in.release();
        }
    }

    private static String last(final List<String> l) {
        return l.isEmpty() ? "(nothing)" : l.get(l.size() - 1);
    }
}
