package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The etcd engine's floor, measured (not a test): what raw jetcd gets from a cluster, next to what the Slate engine
 * pieces of this module get from the same cluster in the same run.
 *
 * <ul>
 *   <li><b>round trip</b>: a put (raw: {@code KV.put}; engine: {@link EtcdKeyValue#put}, one Txn with two puts;
 *       Slate API: {@code Space.kv().put} on an {@code etcd://} space, a serializable read of the version and the
 *       commit) and its delivery to a reader on another client (raw: a {@code Watch} on the key; engine: a
 *       {@link JournalTailer}; Slate API: a journal {@code Tailer} of another space handle), one at a time: send,
 *       wait for the acknowledgement, wait for the delivery; the three kinds of samples alternate. HdrHistogram,
 *       after a warm-up.</li>
 *   <li><b>throughput</b>: 1..N writers, each with its own client (as separate agents would have), each with one
 *       request in flight: raw = a Txn of the engine's shape (compare the key's version, put the key, put a
 *       record) built by hand; engine = {@link EtcdKeyValue#put} with the version it expects. Raw and engine
 *       rounds alternate; the median round is reported.</li>
 * </ul>
 *
 * Usage: {@code EtcdFloorBench --endpoints h:p,h:p [--samples 2000] [--seconds 3] [--writers 4] [--value-bytes 64]
 * [--rounds 3]};
 * {@code scripts/bench-etcd-floor.sh} starts a 3-member loopback cluster for it. Prints the machine's load before
 * and after, because every number here depends on it.
 */
public final class EtcdFloorBench {
    private EtcdFloorBench() {
    }

    public static void main(final String[] args) throws Exception {
        String endpoints = null;
        int samples = 2000;
        int seconds = 3;
        int writers = 4;
        int valueBytes = 64;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            switch (a) {
                case "--endpoints": endpoints = args[++i]; break;
                case "--samples": samples = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--writers": writers = Integer.parseInt(args[++i]); break;
                case "--value-bytes": valueBytes = Integer.parseInt(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("unknown option " + a
                        + " (--endpoints h:p,h:p --samples N --seconds S --writers N --value-bytes B --rounds R)");
            }
        }
        if (endpoints == null) {
            throw new IllegalArgumentException("--endpoints h:p[,h:p...] is required");
        }
        run(endpoints, samples, seconds, writers, valueBytes, rounds, System.out);
    }

    static void run(final String endpoints, final int samples, final int seconds, final int writers, final int valueBytes,
                    final int rounds, final PrintStream out) throws Exception {
        final byte[] value = new byte[valueBytes];
        final String space = "floor-" + Long.toHexString(System.nanoTime());
        final EtcdAddress address = EtcdAddress.parse("etcd://" + endpoints + "/" + space);
        out.println("# etcd engine floor: " + address.endpointList() + ", value " + valueBytes + " bytes");
        out.println("load before: " + uptime());
        out.println("jvm: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", cpus " + Runtime.getRuntime().availableProcessors());
        out.println();
        out.println("| case | samples | p50 us | p90 us | p99 us | max us |");
        out.println("|---|---:|---:|---:|---:|---:|");
        try (EtcdConnection a = EtcdConnection.open(address, new EtcdConnection.Options());
             EtcdConnection b = EtcdConnection.open(address, new EtcdConnection.Options())) {
            final Histogram[] rtt = roundTrips(a, b, space, "etcd://" + endpoints + "/" + space + "-api", value, samples);
            out.println(row("raw jetcd put -> watch", rtt[0]));
            out.println(row("engine commit -> tailer", rtt[1]));
            out.println(row("Slate API kv.put -> journal tailer", rtt[2]));
            out.printf("%nengine / raw round trip p50: %.2f%n", rtt[1].getValueAtPercentile(50) / (double) rtt[0].getValueAtPercentile(50));
            out.printf("Slate API / raw round trip p50: %.2f%n", rtt[2].getValueAtPercentile(50) / (double) rtt[0].getValueAtPercentile(50));
        }
        io.slate.space.Space.delete("etcd://" + endpoints + "/" + space + "-api");
        throughput(address, 1, 2, value, true); // JIT warm-up of both paths, not reported
        throughput(address, 1, 2, value, false);
        out.println();
        out.println("median of " + rounds + " alternating rounds of " + seconds + " s each");
        out.println();
        out.println("| writers | raw Txn ops/s | engine commit ops/s | engine / raw | raw rounds | engine rounds |");
        out.println("|---:|---:|---:|---:|---|---|");
        for (int w = 1; w <= writers; w++) {
            final double[] raw = new double[rounds];
            final double[] engine = new double[rounds];
            for (int r = 0; r < rounds; r++) { // alternating, so that load drifting on a shared host weighs on both
                raw[r] = throughput(address, w, seconds, value, true);
                engine[r] = throughput(address, w, seconds, value, false);
            }
            out.printf("| %d | %.0f | %.0f | %.2f | %s | %s |%n", w, median(raw), median(engine), median(engine) / median(raw),
                    rates(raw), rates(engine));
        }
        out.println();
        out.println("load after: " + uptime());
        try (EtcdConnection c = EtcdConnection.open(address, new EtcdConnection.Options())) { // leave the cluster as found
            c.await(c.kv().delete(new SpaceLayout(space).spacePrefix(), DeleteOption.builder().isPrefix(true).build()), 30_000, "cleanup");
            c.await(c.kv().delete(EtcdConnection.bytes("/bench-raw/" + space + "/"), DeleteOption.builder().isPrefix(true).build()), 30_000, "cleanup");
        }
    }

    /**
     * The engine's round-trip floor, callable from other harnesses: {@code warmup + samples} raw jetcd puts of a
     * {@code valueBytes} value on one client, each waited for until a {@code Watch} on another client delivers it,
     * one at a time; the last {@code samples} are recorded (nanoseconds). Its keys are removed afterwards.
     */
    public static Histogram rawRoundTrip(final String endpoints, final int warmup, final int samples, final int valueBytes)
            throws Exception {
        final String space = "floor-rtt-" + Long.toHexString(System.nanoTime());
        final EtcdAddress address = EtcdAddress.parse("etcd://" + endpoints + "/" + space);
        final ByteSequence key = EtcdConnection.bytes("/bench-raw/" + space + "/rtt");
        final ByteSequence v = ByteSequence.from(new byte[valueBytes]);
        final LinkedBlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
        final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (EtcdConnection writer = EtcdConnection.open(address, new EtcdConnection.Options());
             EtcdConnection reader = EtcdConnection.open(address, new EtcdConnection.Options())) {
            try (Watch.Watcher w = reader.client().getWatchClient().watch(key, WatchOption.DEFAULT, response -> {
                for (final WatchEvent e : response.getEvents()) {
                    arrived.add(e.getKeyValue().getModRevision());
                }
            })) {
                Thread.sleep(200); // the watch is registered
                for (int i = -warmup; i < samples; i++) {
                    final long t0 = System.nanoTime();
                    rawPutWatch(writer, key, v, arrived);
                    final long t1 = System.nanoTime();
                    if (i >= 0) {
                        h.recordValue(t1 - t0);
                    }
                }
            } finally {
                writer.await(writer.kv().delete(EtcdConnection.bytes("/bench-raw/" + space + "/"),
                        DeleteOption.builder().isPrefix(true).build()), 30_000, "cleanup");
            }
        }
        return h;
    }

    /**
     * The engine's throughput floor, callable from other harnesses: {@code writers} threads, each with its own
     * client and one request in flight, commit Txns of the engine's shape (compare the key's version, put the key,
     * put a record) for a second of warm-up, then {@code seconds}; returns the Txns per second of those seconds.
     * Its keys are removed afterwards.
     */
    public static double rawTxnThroughput(final String endpoints, final int writers, final int seconds, final int valueBytes)
            throws Exception {
        final String space = "floor-txn-" + Long.toHexString(System.nanoTime());
        final EtcdAddress address = EtcdAddress.parse("etcd://" + endpoints + "/" + space);
        try {
            return throughput(address, writers, seconds, new byte[valueBytes], true);
        } finally {
            try (EtcdConnection c = EtcdConnection.open(address, new EtcdConnection.Options())) {
                c.await(c.kv().delete(EtcdConnection.bytes("/bench-raw/" + space + "/"), DeleteOption.builder().isPrefix(true).build()),
                        30_000, "cleanup");
            }
        }
    }

    /**
     * One writer of {@link #rawTxnThroughput}'s Txns, for a harness that runs each writer in a process of its own (as
     * Slate's writers are: one agent JVM each, with its own client): {@link #op} commits one Txn of the engine's shape
     * (compare the key's version, put the key, put a record) and waits for its answer. Single-threaded. {@link #close}
     * removes its keys and closes its client.
     */
    public static final class RawTxnWriter implements AutoCloseable {
        private final EtcdConnection connection;
        private final String prefix;
        private final String name;
        private final ByteSequence key;
        private final ByteSequence value;
        private long version;
        private long seq;

        /** {@code address}: {@code etcd://host:port[,host:port...]/space}; {@code name}: this writer's, unique in the space. */
        public RawTxnWriter(final String address, final String name, final int valueBytes) {
            final EtcdAddress a = EtcdAddress.parse(address);
            connection = EtcdConnection.open(a, new EtcdConnection.Options());
            prefix = "/bench-raw/" + a.spaceName() + "/";
            this.name = name;
            key = EtcdConnection.bytes(prefix + "k/" + name);
            value = ByteSequence.from(new byte[valueBytes]);
        }

        public void op() {
            final ByteSequence record = EtcdConnection.bytes(prefix + "j/" + name + "-" + seq++);
            final TxnResponse t = connection.await(connection.kv().txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(version)))
                    .Then(Op.put(key, value, PutOption.DEFAULT), Op.put(record, value, PutOption.DEFAULT)).commit(), 10_000, "raw Txn");
            if (!t.isSucceeded()) {
                throw new IllegalStateException("raw Txn conflict on its own key " + key);
            }
            version++;
        }

        @Override
        public void close() {
            try {
                connection.await(connection.kv().delete(EtcdConnection.bytes(prefix), DeleteOption.builder().isPrefix(true).build()),
                        30_000, "cleanup");
            } finally {
                connection.close();
            }
        }
    }

    /**
     * One side of a raw jetcd round trip between two processes, for a harness that runs Slate's etcd cases in two JVMs
     * (the floor in the same kind of process): {@link #send} puts this side's key and waits for the answer; a Watch on
     * the peer's key delivers what the peer sent to {@link #poll}. {@link Extra#TAKE}: a message counts as received
     * only once the receiver has committed a record of the engine's append shape (a Txn: put {@code j/<id>} if it does
     * not exist) naming it: what a message taken exactly once must commit before its taker may act on it, as Slate's
     * tuple take does. {@link Extra#QUEUE}: on each message the receiver also puts a key of its own that it does not
     * wait for before it answers (it waits before its next receipt): the commit a mutex handed to a queued waiter makes
     * off the path, the waiter's next place in the queue (whose create revision is its fencing token). Single-threaded
     * (the watch's callback only queues). {@link #close} removes this side's keys.
     */
    public static final class RawPair implements AutoCloseable {
        /** What a receiver commits besides the messages: nothing, a take of each, or a queue key off the path. */
        public enum Extra { NONE, TAKE, QUEUE }

        private final EtcdConnection connection;
        private final String prefix;
        private final ByteSequence outKey;
        private final ByteSequence inKey;
        private final Extra extra;
        private final String side;
        private java.util.concurrent.CompletableFuture<?> queued;
        private final LinkedBlockingQueue<io.etcd.jetcd.KeyValue> arrived = new LinkedBlockingQueue<>();
        private final Watch.Watcher watcher;
        private long taken;

        /** {@code address}: {@code etcd://host:port[,host:port...]/space}, the same for both sides. */
        public RawPair(final String address, final boolean sideA, final Extra extra) {
            final EtcdAddress a = EtcdAddress.parse(address);
            connection = EtcdConnection.open(a, new EtcdConnection.Options());
            prefix = "/bench-raw/" + a.spaceName() + "/";
            side = sideA ? "a" : "b";
            outKey = EtcdConnection.bytes(prefix + (sideA ? "ping" : "pong"));
            inKey = EtcdConnection.bytes(prefix + (sideA ? "pong" : "ping"));
            this.extra = extra;
            // what the peer sent before the watch starts is in the read; everything after it comes on the watch
            final GetResponse now = connection.await(connection.kv().get(inKey), 10_000, "read of " + inKey);
            arrived.addAll(now.getKvs());
            watcher = connection.client().getWatchClient().watch(inKey,
                    WatchOption.builder().withRevision(now.getHeader().getRevision() + 1).build(), response -> {
                        for (final WatchEvent e : response.getEvents()) {
                            if (e.getEventType() == WatchEvent.EventType.PUT) {
                                arrived.add(e.getKeyValue());
                            }
                        }
                    });
        }

        /** Puts {@code message} under this side's key and waits for etcd's answer. */
        public void send(final byte[] message) {
            connection.await(connection.kv().put(outKey, ByteSequence.from(message)), 10_000, "put of " + outKey);
        }

        /**
         * The peer's next message (taken first with {@link Extra#TAKE}; with {@link Extra#QUEUE}, this side's queue key
         * sent), or null when none came within {@code timeoutNanos}.
         */
        public byte[] poll(final long timeoutNanos) throws InterruptedException {
            if (queued != null) {
                connection.await(queued, 10_000, "queue key of " + side);
                queued = null;
            }
            final io.etcd.jetcd.KeyValue kv = arrived.poll(timeoutNanos, TimeUnit.NANOSECONDS);
            if (kv == null) {
                return null;
            }
            if (extra != Extra.NONE) {
                final ByteSequence record = EtcdConnection.bytes(prefix + "j/" + side + "-" + taken++);
                final ByteSequence names = EtcdConnection.bytes(Long.toString(kv.getModRevision()));
                if (extra == Extra.QUEUE) {
                    queued = connection.kv().put(record, names);
                } else {
                    final TxnResponse t = connection.await(connection.kv().txn().If(new Cmp(record, Cmp.Op.EQUAL, CmpTarget.version(0)))
                            .Then(Op.put(record, names, PutOption.DEFAULT))
                            .Else(Op.get(record, io.etcd.jetcd.options.GetOption.DEFAULT)).commit(), 10_000, "take of " + inKey);
                    if (!t.isSucceeded()) {
                        throw new IllegalStateException("raw take record " + record + " exists already");
                    }
                }
            }
            return kv.getValue().getBytes();
        }

        @Override
        public void close() {
            try {
                watcher.close();
                if (queued != null) {
                    connection.await(queued, 10_000, "queue key of " + side);
                }
                connection.await(connection.kv().delete(outKey), 30_000, "cleanup");
                connection.await(connection.kv().delete(EtcdConnection.bytes(prefix + "j/" + side + "-"),
                        DeleteOption.builder().isPrefix(true).build()), 30_000, "cleanup");
            } finally {
                connection.close();
            }
        }
    }

    /** One raw round trip: put {@code key}, wait until the watch feeding {@code arrived} delivers that revision. */
    private static void rawPutWatch(final EtcdConnection writer, final ByteSequence key, final ByteSequence v,
                                    final LinkedBlockingQueue<Long> arrived) throws InterruptedException {
        final long rev = writer.await(writer.kv().put(key, v), 10_000, "put").getHeader().getRevision();
        Long got;
        do {
            got = arrived.poll(10, TimeUnit.SECONDS);
            if (got == null) {
                throw new IllegalStateException("watch delivered nothing within 10 s");
            }
        } while (got < rev);
    }

    /**
     * Both round trips, sample by sample in alternation (raw, engine, raw, ...), so that the machine's load, which
     * drifts on a shared host, weighs on both alike. Returns {raw, engine}.
     */
    private static Histogram[] roundTrips(final EtcdConnection writer, final EtcdConnection reader, final String space,
                                          final String apiAddress, final byte[] value, final int samples) throws Exception {
        final ByteSequence key = EtcdConnection.bytes("/bench-raw/" + space + "/rtt");
        final LinkedBlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
        final Histogram raw = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram engine = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram api = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final ByteSequence v = ByteSequence.from(value);
        final SpaceLayout layout = new SpaceLayout(space);
        final EtcdKeyValue kv = new EtcdKeyValue(writer, layout, "bench");
        final byte[] engineKey = "rtt".getBytes(StandardCharsets.UTF_8);
        try (Watch.Watcher w = reader.client().getWatchClient().watch(key, WatchOption.DEFAULT, response -> {
            for (final WatchEvent e : response.getEvents()) {
                arrived.add(e.getKeyValue().getModRevision());
            }
        }); JournalTailer t = new JournalTailer(reader, layout, 0);
             io.slate.space.Space apiWriter = io.slate.space.Space.open(io.slate.space.SpaceOptions.of(apiAddress).agentId("bench-writer"));
             io.slate.space.Space apiReader = io.slate.space.Space.open(io.slate.space.SpaceOptions.of(apiAddress).agentId("bench-reader"));
             io.slate.journal.Tailer apiTailer = apiReader.journal().tailerFromEnd()) {
            t.poll(100); // listed (empty) and watching
            Thread.sleep(200); // the raw watch is registered
            long version = 0;
            for (int i = -samples / 5; i < samples; i++) { // the first fifth warms up
                final long t0 = System.nanoTime();
                rawPutWatch(writer, key, v, arrived);
                final long t1 = System.nanoTime();
                final KeyValueEngine.Commit c = kv.put(engineKey, version, value, kv.newRequestId());
                version = c.version;
                EtcdRecord r;
                do {
                    r = t.poll(10_000);
                    if (r == null) {
                        throw new IllegalStateException("tailer delivered nothing within 10 s");
                    }
                } while (r.index < c.index);
                final long t2 = System.nanoTime();
                apiWriter.kv().put("rtt", value);
                final long index = io.slate.spi.BackendSpace.of(apiWriter, "the benchmark").store().lastWriteIndex();
                io.slate.journal.JournalRecord ar;
                do {
                    ar = apiTailer.next(10, TimeUnit.SECONDS);
                    if (ar == null) {
                        throw new IllegalStateException("the API's tailer delivered nothing within 10 s");
                    }
                } while (ar.index() < index);
                final long t3 = System.nanoTime();
                if (i >= 0) {
                    raw.recordValue(t1 - t0);
                    engine.recordValue(t2 - t1);
                    api.recordValue(t3 - t2);
                }
            }
        }
        return new Histogram[] {raw, engine, api};
    }

    private static double throughput(final EtcdAddress address, final int writers, final int seconds, final byte[] value,
                                     final boolean raw) throws Exception {
        final List<EtcdConnection> conns = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final LongAdder ops = new LongAdder();
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(writers);
        final Throwable[] failure = new Throwable[1];
        final String run = (raw ? "raw" : "engine") + writers + "-" + Long.toHexString(System.nanoTime());
        try {
            for (int w = 0; w < writers; w++) {
                final EtcdConnection c = EtcdConnection.open(address, new EtcdConnection.Options());
                conns.add(c);
                final int id = w;
                final Thread t = new Thread(() -> {
                    try {
                        if (raw) {
                            rawWriter(c.kv(), address.spaceName(), run + "-" + id, value, ops, measuring, stop);
                        } else {
                            engineWriter(c, address.spaceName(), run + "-" + id, value, ops, measuring, stop);
                        }
                    } catch (Throwable e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    } finally {
                        done.countDown();
                    }
                }, "writer-" + w);
                threads.add(t);
                t.start();
            }
            Thread.sleep(1000); // warm-up
            measuring.set(true);
            final long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            measuring.set(false);
            final long elapsed = System.nanoTime() - t0;
            stop.set(true);
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("writers did not stop within 30 s");
            }
            synchronized (failure) {
                if (failure[0] != null) {
                    throw new IllegalStateException("a writer failed: " + failure[0], failure[0]);
                }
            }
            return ops.sum() * 1e9 / elapsed;
        } finally {
            stop.set(true);
            for (final Thread t : threads) {
                t.join(30_000);
            }
            for (final EtcdConnection c : conns) {
                c.close();
            }
        }
    }

    /** A Txn of the engine's shape, by hand: compare the key's version, put the key, put a record. */
    private static void rawWriter(final KV kv, final String space, final String name, final byte[] value, final LongAdder ops,
                                  final AtomicBoolean measuring, final AtomicBoolean stop) throws Exception {
        final ByteSequence key = EtcdConnection.bytes("/bench-raw/" + space + "/k/" + name);
        final ByteSequence v = ByteSequence.from(value);
        long version = 0;
        for (long seq = 0; !stop.get(); seq++) {
            final ByteSequence record = EtcdConnection.bytes("/bench-raw/" + space + "/j/" + name + "-" + seq);
            final TxnResponse t = kv.txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(version)))
                    .Then(Op.put(key, v, PutOption.DEFAULT), Op.put(record, v, PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS);
            if (!t.isSucceeded()) {
                throw new IllegalStateException("raw Txn conflict on its own key " + key);
            }
            version++;
            if (measuring.get()) {
                ops.increment();
            }
        }
    }

    private static void engineWriter(final EtcdConnection c, final String space, final String name, final byte[] value,
                                     final LongAdder ops, final AtomicBoolean measuring, final AtomicBoolean stop) {
        final EtcdKeyValue kv = new EtcdKeyValue(c, new SpaceLayout(space), name);
        final byte[] key = name.getBytes(StandardCharsets.UTF_8);
        long version = 0;
        while (!stop.get()) {
            final KeyValueEngine.Commit commit = kv.put(key, version, value, kv.newRequestId());
            if (!commit.applied()) {
                throw new IllegalStateException("engine conflict on its own key " + name + ": " + commit);
            }
            version = commit.version;
            if (measuring.get()) {
                ops.increment();
            }
        }
    }

    private static double median(final double[] v) {
        final double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static String rates(final double[] v) {
        final StringBuilder b = new StringBuilder();
        for (final double d : v) {
            b.append(b.length() == 0 ? "" : " ").append(Math.round(d));
        }
        return b.toString();
    }

    private static String row(final String name, final Histogram h) {
        return String.format("| %s | %d | %.0f | %.0f | %.0f | %.0f |", name, h.getTotalCount(),
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getMaxValue() / 1e3);
    }

    private static String uptime() {
        try {
            final Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                final String s = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor(5, TimeUnit.SECONDS);
                return s;
            }
        } catch (IOException e) {
            return "(uptime unavailable: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }
}
