package io.slate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot commands (GET, SET, INCR, DECR) allocate nothing per command on the event loop in steady state: what the
 * gateway's threads allocate, measured by the JVM's per-thread allocation counters over 64,000 pipelined commands, is
 * a small amount per read (Netty's buffers, one reply writer), not per command. Before the gateway parsed RESP itself
 * this was about 650 bytes per command (docs/benchmarks.md).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GwAllocationTest {
    private static final int BATCH = 64;

    @Test
    void pipelinedGetSetIncrAllocateAlmostNothingPerCommand() throws Exception {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocation per thread");
        try (GwServer s = new GwServer("alloc"); Resp3Client c = s.client()) {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < BATCH / 4; i++) {
                b.writeBytes(Resp3Client.encode("SET", "alloc:k" + (i % 4), "value-" + i));
                b.writeBytes(Resp3Client.encode("GET", "alloc:k" + (i % 4)));
                b.writeBytes(Resp3Client.encode("INCR", "alloc:n"));
                b.writeBytes(Resp3Client.encode("DECR", "alloc:m"));
            }
            final byte[] batch = b.toByteArray();
            // warm-up: the JIT compiles the path
            roundTrips(c, batch, 3_000);
            final long before = eventLoopAllocatedBytes(threads);
            final int rounds = 1_000;
            roundTrips(c, batch, rounds);
            final long perCommand = (eventLoopAllocatedBytes(threads) - before) / ((long) rounds * BATCH);
            System.out.println("gateway event-loop allocation: " + perCommand + " bytes per command (" + BATCH + " commands per read)");
            assertTrue(perCommand < 32, "the event loop allocated " + perCommand + " bytes per GET/SET/INCR/DECR command");
            assertEquals("\"" + "value-" + (BATCH / 4 - 1) + "\"", c.call("GET", "alloc:k3"));
            assertEquals("" + (3_000 + rounds) * (BATCH / 4), c.call("GET", "alloc:n").replace("\"", ""));
        }
    }

    private static void roundTrips(final Resp3Client c, final byte[] batch, final int rounds) throws Exception {
        for (int r = 0; r < rounds; r++) {
            c.sendRaw(batch);
            for (int i = 0; i < BATCH; i++) {
                c.readFrame();
            }
        }
    }

    /** What the gateway's Netty threads have allocated so far. */
    private static long eventLoopAllocatedBytes(final com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("multiThreadIoEventLoopGroup")) {
                sum += threads.getThreadAllocatedBytes(t.getId());
            }
        }
        return sum;
    }
}
