package io.slate.bench.ipc;

import java.nio.file.Path;
import java.util.List;

/** The latency cases of the harness, by name, and the endpoint each one opens. */
final class Cases {
    /** Every latency case, Slate's first, in report order. */
    static final List<String> LATENCY = List.of("slate-journal", "slate-kv", "slate-kv-await", "slate-tuple", "slate-mutex",
            "chronicle-queue", "chronicle-queue-record", "chronicle-queue-take", "agrona-ring", "aeron-ipc", "uds", "tcp", "redis",
            "etcd-raw", "etcd-raw-pair", "etcd-raw-take", "etcd-raw-queue", "etcd-kv", "etcd-journal", "etcd-tuple", "etcd-mutex");
    /**
     * The cases on the harness's etcd cluster; {@code etcd-raw} is jetcd alone (the engine's floor), run by the harness
     * itself; {@code etcd-raw-pair}, {@code etcd-raw-take} and {@code etcd-raw-queue} are jetcd alone in two JVMs, as
     * Slate's cases run.
     */
    static final List<String> ETCD = List.of("etcd-raw", "etcd-raw-pair", "etcd-raw-take", "etcd-raw-queue", "etcd-kv", "etcd-journal", "etcd-tuple", "etcd-mutex");
    /** Every throughput kind, with the payload sizes it runs at. */
    static final List<Kind> THROUGHPUT = List.of(new Kind("slate-journal", 16), new Kind("slate-journal", 256),
            new Kind("chronicle-queue", 16), new Kind("chronicle-queue", 256), new Kind("chronicle-queue-record", 16), new Kind("slate-kv", 16), new Kind("slate-tuple", 16),
            new Kind("etcd-kv", Cases.ETCD_TP_BYTES), new Kind("etcd-journal", Cases.ETCD_TP_BYTES), new Kind("etcd-tuple", Cases.ETCD_TP_BYTES),
            new Kind(Cases.ETCD_RAW_TXN, Cases.ETCD_TP_BYTES));
    /**
     * Raw jetcd Txns from writer JVMs (one client each), run with {@code etcd-raw}: the floor for Slate's etcd writers
     * in the same kind of process, next to {@code etcd-raw}'s raw Txns from threads of the harness's one JVM.
     */
    static final String ETCD_RAW_TXN = "etcd-raw-txn";
    /** The payload of the etcd throughput runs, Slate's and raw Txn's alike. */
    static final int ETCD_TP_BYTES = 16;

    private Cases() {
    }

    /**
     * The bytes of the journal record Slate writes (record format 2, what a new space writes) for a value of
     * {@code valueBytes} under {@code key} by agent {@code agent} at a version of {@code version}'s size: the fixed part
     * (magic, format, op, flags, time, the key's and the agent id's lengths), the key, the agent id, the version's varint
     * and the value. {@code chronicle-queue-record} writes raw excerpts of this size: what a journal that must carry
     * those fields costs Chronicle Queue itself. The cases' versions are their sequence numbers: a few hundred thousand
     * in a latency run, millions in a throughput run.
     */
    static int journalRecordBytes(final int valueBytes, final String key, final String agent, final long version) {
        return io.slate.spi.RecordDescriptor.compactLength(key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                agent.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, valueBytes, version);
    }

    /**
     * The bytes of the journal record of {@code slate-tuple}'s out: ("ping", seq, stamp, filler) in tuple space "bench" by
     * agent tuple-a (an out's version is 0).
     */
    static int tupleOutRecordBytes(final int payloadBytes) {
        final io.slate.tuple.TupleBuffer t = new io.slate.tuple.TupleBuffer(payloadBytes + 64).addString("ping").addLong(LATENCY_VERSION)
                .addLong(System.nanoTime()).addBytes(new byte[payloadBytes - Payload.MIN_BYTES]);
        return journalRecordBytes(io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET + t.encodedLength(), "bench", "tuple-a", 0);
    }

    /** The bytes of the journal record of {@code slate-tuple}'s take: its version is the tuple's id, a journal index. */
    static int tupleTakeRecordBytes() {
        return journalRecordBytes(io.slate.engine.tuple.TupleRecordDescriptor.TAKE_LENGTH, "bench", "tuple-b", 1L << 51);
    }

    /** A latency run's typical sequence number (a version's size in the record). */
    static final long LATENCY_VERSION = 300_000;
    /** A throughput run's typical sequence number. */
    static final long THROUGHPUT_VERSION = 10_000_000;

    /** True for the cases that measure Slate (the others are the peers it is compared with). */
    static boolean isSlate(final String name) {
        return name.startsWith("slate-") || isEtcd(name) && !name.startsWith("etcd-raw");
    }

    /** True for the cases that need the etcd cluster. */
    static boolean isEtcd(final String name) {
        return name.startsWith("etcd-");
    }

    /**
     * Opens side A or B of a case in {@code dir}; {@code address} is what B printed (a port) for the transports that
     * need one, the redis port for redis and the space's {@code etcd://} address for the etcd cases.
     */
    static Endpoint open(final String name, final Path dir, final int payloadBytes, final boolean sideA, final String address) {
        switch (name) {
            case "slate-journal":
                return new SlateEndpoints.JournalEndpoint(dir.toString(), payloadBytes, sideA);
            case "slate-kv":
                return new SlateEndpoints.KeyValueEndpoint(dir.toString(), payloadBytes, sideA);
            case "slate-kv-await":
                return new SlateEndpoints.KeyValueEndpoint(dir.toString(), payloadBytes, sideA, true);
            case "slate-tuple":
                return new SlateEndpoints.TupleEndpoint(dir.toString(), payloadBytes, sideA);
            case "slate-mutex":
                return new SlateEndpoints.MutexEndpoint(dir.toString(), sideA);
            case "etcd-journal":
                return new SlateEndpoints.JournalEndpoint(address, payloadBytes, sideA);
            case "etcd-kv":
                return new SlateEndpoints.KeyValueEndpoint(address, payloadBytes, sideA);
            case "etcd-tuple":
                return new SlateEndpoints.TupleEndpoint(address, payloadBytes, sideA);
            case "etcd-mutex":
                return new SlateEndpoints.MutexEndpoint(address, sideA);
            case "etcd-raw-pair":
                return new PeerEndpoints.EtcdRawEndpoint(address, payloadBytes, sideA, io.slate.etcd.EtcdFloorBench.RawPair.Extra.NONE);
            case "etcd-raw-take":
                return new PeerEndpoints.EtcdRawEndpoint(address, payloadBytes, sideA, io.slate.etcd.EtcdFloorBench.RawPair.Extra.TAKE);
            case "etcd-raw-queue":
                return new PeerEndpoints.EtcdRawEndpoint(address, payloadBytes, sideA, io.slate.etcd.EtcdFloorBench.RawPair.Extra.QUEUE);
            case "chronicle-queue":
                return new PeerEndpoints.ChronicleQueueEndpoint(dir, payloadBytes, sideA);
            case "chronicle-queue-record": // the slate-journal case's record (key bench/ping, agent journal-a), tag byte included
                return new PeerEndpoints.ChronicleQueueEndpoint(dir, journalRecordBytes(payloadBytes, "bench/ping", "journal-a", LATENCY_VERSION) - 1, sideA);
            case "chronicle-queue-take": // slate-tuple's records: its out's, and the take of each by the receiver
                return new PeerEndpoints.ChronicleQueueEndpoint(dir, tupleOutRecordBytes(payloadBytes) - 1, sideA, tupleTakeRecordBytes());
            case "agrona-ring":
                return new PeerEndpoints.AgronaRingEndpoint(dir, payloadBytes, sideA);
            case "aeron-ipc":
                return new PeerEndpoints.AeronEndpoint(dir, payloadBytes, sideA);
            case "uds":
                return new PeerEndpoints.SocketEndpoint(dir, payloadBytes, sideA, true, address);
            case "tcp":
                return new PeerEndpoints.SocketEndpoint(dir, payloadBytes, sideA, false, address);
            case "redis":
                return new PeerEndpoints.RedisEndpoint(dir, payloadBytes, sideA, address);
            default:
                throw new IllegalArgumentException("no case " + name + "; cases: " + LATENCY);
        }
    }

    /** What each case carries, for the report. */
    static String carries(final String name, final int payloadBytes) {
        switch (name) {
            case "slate-journal":
                return "a journal record (key bench/ping, " + payloadBytes + " B value) appended, read by a tailer";
            case "slate-kv":
                return "put of a " + payloadBytes + " B value, seen by get spinning on the version";
            case "slate-kv-await":
                return "put of a " + payloadBytes + " B value, seen by awaitChange into a buffer (the waiter follows the journal)";
            case "slate-tuple":
                return "out of (\"ping\", seq, stamp, " + (payloadBytes - Payload.MIN_BYTES) + " B) taken by inp";
            case "slate-mutex":
                return "a mutex changing hands, nothing else (one way: seq and stamp in two counters the sender sets before its unlock)";
            case "chronicle-queue":
                return "raw excerpt, 1 B tag + " + payloadBytes + " B, one queue both ways";
            case "chronicle-queue-record":
                return "raw excerpt of the size of slate-journal's record for a " + payloadBytes + " B value ("
                        + journalRecordBytes(payloadBytes, "bench/ping", "journal-a", LATENCY_VERSION) + " B: fixed fields, key, agent id, version, value), one queue both ways";
            case "chronicle-queue-take":
                return "raw excerpt of the size of slate-tuple's out record (" + tupleOutRecordBytes(payloadBytes) + " B), counted as received once"
                        + " the receiver appended an excerpt of the size of its take record (" + tupleTakeRecordBytes() + " B), one queue both ways";
            case "agrona-ring":
                return payloadBytes + " B message, OneToOneRingBuffer per direction over a mapped file in /dev/shm";
            case "aeron-ipc":
                return payloadBytes + " B message, exclusive IPC publication per direction, embedded driver";
            case "uds":
                return payloadBytes + " B over one Unix domain socket, non-blocking, spinning";
            case "tcp":
                return payloadBytes + " B over one TCP loopback connection, TCP_NODELAY, non-blocking, spinning";
            case "redis":
                return payloadBytes + " B value; " + PeerEndpoints.RedisEndpoint.COMMANDS;
            case "etcd-raw":
                return "raw jetcd: put of a " + payloadBytes + " B value on one client, delivered by a Watch on another (one JVM; the floor)";
            case "etcd-raw-pair":
                return "raw jetcd between two JVMs: put of a " + payloadBytes + " B value (its answer awaited), delivered by a Watch in the peer";
            case "etcd-raw-take":
                return "raw jetcd between two JVMs as etcd-raw-pair, each message taken by a Txn of the engine's append shape before it counts"
                        + " as received (the commits of a tuple's out and take)";
            case "etcd-raw-queue":
                return "raw jetcd between two JVMs as etcd-raw-pair, each receiver also putting a key of its own off the path (not waited for"
                        + " before it answers): the commits of a mutex handed to a queued waiter, whose next place in the queue is a commit";
            case "etcd-kv":
                return "Slate on etcd: put of a " + payloadBytes + " B value, seen by awaitChange (the key followed on the space handle's watch)";
            case "etcd-journal":
                return "Slate on etcd: a journal record (" + payloadBytes + " B value) appended through the SPI's RecordLog, read by a tailer"
                        + " waiting in next(timeout)";
            case "etcd-tuple":
                return "Slate on etcd: out of (\"ping\", seq, stamp, " + (payloadBytes - Payload.MIN_BYTES) + " B) taken by in(timeout)";
            case "etcd-mutex":
                return "Slate on etcd: a mutex changing hands, nothing else (one way: seq and stamp in two counters the sender sets before its unlock)";
            default:
                return "";
        }
    }

    /** A throughput kind at one payload size. */
    static final class Kind {
        final String name;
        final int payloadBytes;

        Kind(final String name, final int payloadBytes) {
            this.name = name;
            this.payloadBytes = payloadBytes;
        }

        /** Commits (etcd Txns) one operation makes on etcd: an {@code out + inp} pair is two (the out and the take). */
        int commits() {
            return "etcd-tuple".equals(name) ? 2 : 1;
        }

        /** What one operation is, for the report. */
        String operation() {
            switch (name) {
                case "slate-journal":
                case "etcd-journal":
                    return "journal append";
                case "chronicle-queue":
                case "chronicle-queue-record":
                    return "raw excerpt append";
                case "slate-kv":
                case "etcd-kv":
                    return "put";
                case ETCD_RAW_TXN:
                    return "raw Txn (compare version, put key, put record)";
                default:
                    return "out + inp pair";
            }
        }
    }
}
