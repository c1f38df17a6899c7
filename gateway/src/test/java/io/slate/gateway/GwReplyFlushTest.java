package io.slate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replies are written at the end of the event loop's pass over its ready connections ({@link ReplyFlusher}), not
 * connection by connection: many pipelining connections on one event loop, some dropping in the middle of a
 * pipeline, each get every reply of theirs, in order, and nothing of another's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GwReplyFlushTest {
    private static final int CONNECTIONS = 24;
    private static final int ROUNDS = 150;
    private static final int PER_ROUND = 5;

    @Test
    void pipeliningConnectionsOnOneLoopEachGetTheirRepliesInOrder() throws Exception {
        try (GwServer s = new GwServer("flush", GatewayConfig.defaults().port(0).ioThreads(1))) {
            final ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS + 1);
            try {
                final List<Future<Integer>> clients = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    final int id = c;
                    clients.add(pool.submit(() -> pipeline(s.port(), id)));
                }
                // connections that send half a pipeline and drop while the others are answered in the same passes
                final Future<Integer> droppers = pool.submit(() -> {
                    int n = 0;
                    for (int i = 0; i < 200; i++) {
                        try (Socket k = new Socket("127.0.0.1", s.port())) {
                            final ByteArrayOutputStream b = new ByteArrayOutputStream();
                            for (int j = 0; j < 16; j++) {
                                b.writeBytes(Resp3Client.encode("INCR", "flush:dropped"));
                            }
                            b.writeBytes("*3\r\n$3\r\nSET\r\n$10\r\nflush:half".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            k.setSoLinger(true, 0); // a reset, not an orderly close
                            k.getOutputStream().write(b.toByteArray());
                            n++;
                        }
                    }
                    return n;
                });
                for (int c = 0; c < CONNECTIONS; c++) {
                    assertEquals(ROUNDS * PER_ROUND, clients.get(c).get(100, TimeUnit.SECONDS), "replies checked on connection " + c);
                }
                assertEquals(200, droppers.get(100, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            try (Resp3Client c = s.client()) {
                for (int id = 0; id < CONNECTIONS; id++) {
                    assertEquals(Integer.toString(ROUNDS), c.call("GET", "flush:n" + id).replace("\"", ""));
                }
                // the dropped connections' half command was never run
                assertEquals("(nil)", c.call("GET", "flush:half"));
            }
        }
    }

    /** Sends {@link #ROUNDS} pipelines of SET, GET, INCR, GET, SET on this connection's own keys; checks every reply. */
    private static int pipeline(final int port, final int id) throws Exception {
        int checked = 0;
        try (Resp3Client c = new Resp3Client(port, 30_000)) {
            for (int r = 1; r <= ROUNDS; r++) {
                final String v = "v" + id + "-" + r;
                final ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(Resp3Client.encode("SET", "flush:k" + id, v));
                b.writeBytes(Resp3Client.encode("GET", "flush:k" + id));
                b.writeBytes(Resp3Client.encode("INCR", "flush:n" + id));
                b.writeBytes(Resp3Client.encode("GET", "flush:n" + id));
                b.writeBytes(Resp3Client.encode("SET", "flush:k" + id, v + "!", "GET"));
                c.sendRaw(b.toByteArray());
                assertEquals("OK", Resp3Client.render(c.readFrame()), "SET of round " + r + " on connection " + id);
                assertEquals("\"" + v + "\"", Resp3Client.render(c.readFrame()), "GET of round " + r + " on connection " + id);
                assertEquals(Integer.toString(r), Resp3Client.render(c.readFrame()), "INCR of round " + r + " on connection " + id);
                assertEquals("\"" + r + "\"", Resp3Client.render(c.readFrame()), "GET of the counter, round " + r + " on connection " + id);
                assertEquals("\"" + v + "\"", Resp3Client.render(c.readFrame()), "SET GET of round " + r + " on connection " + id);
                checked += PER_ROUND;
            }
        }
        return checked;
    }
}
