package io.slate.bench.ipc;

import io.slate.shm.ChronicleJournal;
import io.slate.journal.Op;
import io.slate.spi.RecordLog;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.tuple.Template;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What a writer JVM of the throughput runs does, as fast as it can: append journal records, append raw Chronicle Queue
 * excerpts (the substrate, for comparison), put keys, or {@code out} a tuple and take it back with {@code inp}. Every
 * writer JVM opens the same space (or queue), so 2 to 4 writers contend on one journal.
 */
final class Writers {
    private Writers() {
    }

    /** One operation per call; single-threaded. */
    interface Writer extends AutoCloseable {
        void op(long seq);

        @Override
        void close();
    }

    /**
     * The writer for {@code kind} ({@code slate-journal}, {@code chronicle-queue}, {@code slate-kv}, {@code slate-tuple};
     * {@code etcd-kv}, {@code etcd-journal}, {@code etcd-tuple}, {@code etcd-raw-txn}) in {@code dir}: a directory, or an {@code etcd://} address for the etcd kinds.
     */
    static Writer open(final String kind, final String dir, final int payloadBytes, final int index) {
        switch (kind) {
            case "slate-journal":
            case "etcd-journal":
                return new JournalWriter(dir, payloadBytes, index);
            case "chronicle-queue":
                return new QueueWriter(Paths.get(dir), payloadBytes);
            case "chronicle-queue-record": // the bytes of JournalWriter's record for the same value
                return new QueueWriter(Paths.get(dir), Cases.journalRecordBytes(payloadBytes, "bench/w" + index, "writer-" + index, Cases.THROUGHPUT_VERSION));
            case "slate-kv":
            case "etcd-kv":
                return new KeyValueWriter(dir, payloadBytes, index);
            case "slate-tuple":
            case "etcd-tuple":
                return new TupleWriter(dir, payloadBytes, index);
            case "etcd-raw-txn":
                return new RawTxnWriter(dir, payloadBytes, index);
            default:
                throw new IllegalArgumentException("no throughput kind " + kind);
        }
    }

    /** Appends a record of {@code payloadBytes} through {@link ChronicleJournal#append} (on etcd: the SPI's {@link RecordLog#append}). */
    static final class JournalWriter implements Writer {
        private final Space space;
        private final RecordLog journal;
        private final byte[] payload;
        private final String key;

        JournalWriter(final String dir, final int payloadBytes, final int index) {
            space = SlateEndpoints.open(dir, "writer-" + index);
            journal = SlateEndpoints.journal(space);
            payload = Payload.allocate(payloadBytes);
            key = "bench/w" + index;
        }

        @Override
        public void op(final long seq) {
            Payload.write(payload, 0, seq, 0);
            journal.append(Op.PUT, 0, seq, key, payload, 0, payload.length);
        }

        @Override
        public void close() {
            space.close();
        }
    }

    /** Appends a raw excerpt of {@code payloadBytes} to a queue opened like a Slate journal. */
    static final class QueueWriter implements Writer {
        private final SingleChronicleQueue queue;
        private final ExcerptAppender appender;
        private final byte[] payload;

        QueueWriter(final Path dir, final int payloadBytes) {
            queue = PeerEndpoints.openQueue(dir);
            appender = queue.createAppender();
            payload = Payload.allocate(payloadBytes);
        }

        @Override
        public void op(final long seq) {
            Payload.write(payload, 0, seq, 0);
            try (DocumentContext dc = appender.writingDocument()) {
                final Bytes<?> b = dc.wire().bytes();
                b.write(payload, 0, payload.length);
            }
        }

        @Override
        public void close() {
            appender.close();
            queue.close();
        }
    }

    /** Puts a value of {@code payloadBytes} to one of this writer's 1024 keys, round robin. */
    static final class KeyValueWriter implements Writer {
        private static final int KEYS = 1024;
        private final Space space;
        private final KeyValue kv;
        private final byte[] payload;
        private final String[] keys = new String[KEYS];

        KeyValueWriter(final String dir, final int payloadBytes, final int index) {
            space = SlateEndpoints.open(dir, "writer-" + index);
            kv = space.kv();
            payload = Payload.allocate(payloadBytes);
            for (int i = 0; i < KEYS; i++) {
                keys[i] = "bench/w" + index + "/k" + i;
            }
        }

        @Override
        public void op(final long seq) {
            Payload.write(payload, 0, seq, 0);
            kv.put(keys[(int) (seq & (KEYS - 1))], payload, 0, payload.length);
        }

        @Override
        public void close() {
            space.close();
        }
    }

    /**
     * Raw jetcd Txns of the engine's shape (compare the key's version, put the key, put a record) from a writer JVM of
     * its own, like Slate's etcd writers: the engine's floor at the same concurrency in the same kind of process.
     */
    static final class RawTxnWriter implements Writer {
        private final io.slate.etcd.EtcdFloorBench.RawTxnWriter writer;

        RawTxnWriter(final String address, final int payloadBytes, final int index) {
            writer = new io.slate.etcd.EtcdFloorBench.RawTxnWriter(address, "writer-" + index, payloadBytes);
        }

        @Override
        public void op(final long seq) {
            writer.op();
        }

        @Override
        public void close() {
            writer.close();
        }
    }

    /** {@code out} of ("job-W", seq, stamp[, filler]) then {@code inp} of it: one pair per op; nothing stays. */
    static final class TupleWriter implements Writer {
        private final Space space;
        private final TupleSpace tuples;
        private final TupleBuffer out;
        private final TupleBuffer in;
        private final byte[] payload;
        private final String name;
        private final Template template;

        TupleWriter(final String dir, final int payloadBytes, final int index) {
            space = SlateEndpoints.open(dir, "writer-" + index);
            tuples = TupleSpace.of(space, "bench");
            out = new TupleBuffer(payloadBytes + 64);
            in = new TupleBuffer(payloadBytes + 64);
            payload = Payload.allocate(payloadBytes);
            name = "job-" + index;
            template = payloadBytes > Payload.MIN_BYTES
                    ? Template.of(name, Template.ANY_LONG, Template.ANY_LONG, Template.ANY_BYTES)
                    : Template.of(name, Template.ANY_LONG, Template.ANY_LONG);
        }

        @Override
        public void op(final long seq) {
            out.clear().addString(name).addLong(seq).addLong(0);
            if (payload.length > Payload.MIN_BYTES) {
                out.addBytes(payload, Payload.MIN_BYTES, payload.length - Payload.MIN_BYTES);
            }
            tuples.out(out);
            if (!tuples.inp(template, in)) {
                throw new IllegalStateException("the tuple just written was not taken");
            }
        }

        @Override
        public void close() {
            tuples.close();
            space.close();
        }
    }
}
