package io.slate.etcd.backend;

import io.slate.etcd.testing.SharedEtcdCluster;
import io.slate.idle.BusySpinIdleStrategy;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader that waits on an etcd space (a journal tailer's {@code next(timeout)}, a tuple space's {@code in}) parks
 * until the handle's watch delivers, instead of spinning on the space's idle strategy: the spaces here are opened with
 * {@link BusySpinIdleStrategy}, with which the waiting thread used to take a whole core for the whole wait (on a host
 * whose CPUs the etcd members and the client's own threads need to deliver the record). Each test measures the
 * waiting thread's own CPU time over the wait (a generous bound, a fraction of the wait, not a timing figure) and that
 * the record written meanwhile by another handle is still delivered.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdWaitingReaderTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Without etcd each test skips (or fails under CI=true) with the reason. */
    @RegisterExtension
    static final SharedEtcdCluster ETCD = new SharedEtcdCluster(1).connectTimeoutMillis(30_000);

    private static Space open(final String space, final String agent) {
        return Space.open(SpaceOptions.of(ETCD.cluster().address(space)).agentId(agent).idleStrategy(BusySpinIdleStrategy::new).housekeeping(false));
    }

    /** What a wait returned, and the CPU time and wall time its thread spent in it. */
    private static final class Waited<T> {
        final T value;
        final long cpuNanos;
        final long wallNanos;

        Waited(final T value, final long cpuNanos, final long wallNanos) {
            this.value = value;
            this.cpuNanos = cpuNanos;
            this.wallNanos = wallNanos;
        }

        void assertParked(final String what) {
            System.out.println("[etcd-wait] " + what + ": " + cpuNanos / 1_000_000 + " ms of CPU in " + wallNanos / 1_000_000 + " ms");
            // a spinning wait is on the CPU whenever the scheduler lets it: about its whole wall time on an idle host,
            // still most of it on a busy one; a parked wait wakes every 10 ms to look (and to keep its checks going)
            assertTrue(cpuNanos < wallNanos / 4, what + " took " + cpuNanos / 1_000_000 + " ms of CPU in a wait of "
                    + wallNanos / 1_000_000 + " ms: it spun instead of parking until the watch delivered");
        }
    }

    private static <T> Waited<T> timed(final Supplier<T> wait) {
        final long cpu0 = THREADS.getCurrentThreadCpuTime();
        final long t0 = System.nanoTime();
        final T v = wait.get();
        return new Waited<>(v, THREADS.getCurrentThreadCpuTime() - cpu0, System.nanoTime() - t0);
    }

    @Test
    void aTailerWaitingForRecordsParksAndStillGetsTheRecordAnotherAgentAppends() throws Exception {
        try (Space reader = open("waiting-tailer", "reader"); Space writer = open("waiting-tailer", "writer");
             Tailer tailer = reader.journal().tailerFromEnd()) {
            assertNull(tailer.next(0, TimeUnit.MILLISECONDS), "an empty journal");
            final Waited<JournalRecord> idle = CompletableFuture.supplyAsync(() -> timed(() -> tailer.next(1500, TimeUnit.MILLISECONDS)))
                    .get(60, TimeUnit.SECONDS);
            assertNull(idle.value, "nothing was written");
            assertTrue(idle.wallNanos >= TimeUnit.MILLISECONDS.toNanos(1500), "it waited its timeout: " + idle.wallNanos);
            idle.assertParked("a tailer's next(1500 ms) with nothing to read");

            final CompletableFuture<Waited<String>> got = CompletableFuture.supplyAsync(() -> timed(() -> {
                final JournalRecord r = tailer.next(30, TimeUnit.SECONDS);
                return r == null ? null : r.key().toString();
            }));
            Thread.sleep(1000);
            writer.kv().putString("k", "v");
            final Waited<String> w = got.get(60, TimeUnit.SECONDS);
            assertEquals("k", w.value, "the record the other agent wrote while the tailer waited");
            assertTrue(w.wallNanos < TimeUnit.SECONDS.toNanos(20), "delivered long before the timeout: " + w.wallNanos);
            w.assertParked("a tailer's next(30 s) until a record came");
        }
    }

    @Test
    void aTakerWaitingInInParksAndTakesTheTupleAnotherAgentWrites() throws Exception {
        try (Space taker = open("waiting-taker", "taker"); Space writer = open("waiting-taker", "writer");
             TupleSpace in = TupleSpace.of(taker, "jobs"); TupleSpace out = TupleSpace.of(writer, "jobs")) {
            final Template job = Template.of("job", Template.ANY_LONG);
            assertNull(in.inp(job), "no job yet");
            final Waited<Tuple> idle = CompletableFuture.supplyAsync(() -> timed(() -> in.in(job, 1500, TimeUnit.MILLISECONDS)))
                    .get(60, TimeUnit.SECONDS);
            assertNull(idle.value, "nothing was written");
            idle.assertParked("a tuple space's in(1500 ms) with no match");

            final CompletableFuture<Waited<Tuple>> got = CompletableFuture.supplyAsync(() -> timed(() -> in.in(job, 30, TimeUnit.SECONDS)));
            Thread.sleep(1000);
            out.out(io.slate.tuple.Tuple.of("job", 7L));
            final Waited<Tuple> w = got.get(60, TimeUnit.SECONDS);
            assertNotNull(w.value, "the tuple the other agent wrote while the taker waited");
            assertEquals(7L, w.value.getLong(1));
            w.assertParked("a tuple space's in(30 s) until a match came");
            assertNull(out.inp(job), "taken once");
        }
    }
}
