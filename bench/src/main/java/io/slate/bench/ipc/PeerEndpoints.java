package io.slate.bench.ipc;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The peers Slate is compared with, each carrying the same payload bytes ({@link Payload}) between the same two
 * pinned, spinning JVMs:
 * <ul>
 *   <li>{@code chronicle-queue}: Slate's substrate, raw: one queue that both directions share (as Slate's journal
 *       is), a one-byte direction tag before the payload, same roll cycle and block size as a Slate journal;</li>
 *   <li>{@code agrona-ring}: Agrona's {@link OneToOneRingBuffer} over a memory-mapped file in {@code /dev/shm}, one
 *       ring per direction: the floor for shared-memory messaging;</li>
 *   <li>{@code aeron-ipc}: Aeron IPC publications and subscriptions, one stream per direction, through a media driver
 *       embedded in side B (shared threading mode, backing off when idle);</li>
 *   <li>{@code uds} and {@code tcp}: one non-blocking socket connection (Unix domain / TCP loopback with
 *       {@code TCP_NODELAY}), both sides spinning on {@code read};</li>
 *   <li>{@code redis}: a {@code redis-server} on loopback, one client connection per JVM, {@code RPUSH} to send and
 *       {@code BLPOP} to receive (a list per direction).</li>
 * </ul>
 */
final class PeerEndpoints {
    private PeerEndpoints() {
    }

    /** Fields every peer endpoint shares. */
    abstract static class Base extends MessageEndpoint {
        final byte[] payload;

        Base(final int payloadBytes, final boolean sideA) {
            super(sideA);
            this.payload = Payload.allocate(payloadBytes);
        }

        static void checkDeadline(final long deadline, final String what) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + " for " + Endpoint.PEER_TIMEOUT_NANOS / 1_000_000_000L + " s");
            }
        }
    }

    /** Opens a queue in {@code dir} as a Slate journal is opened (binary, fast hourly cycle, 16 MiB blocks). */
    static SingleChronicleQueue openQueue(final Path dir) {
        return SingleChronicleQueueBuilder.binary(dir.toFile()).rollCycle(RollCycles.FAST_HOURLY).blockSize(16L << 20).build();
    }

    /** {@code chronicle-queue}: raw excerpts on one shared queue. */
    static final class ChronicleQueueEndpoint extends Base {
        private static final byte PING = 'A';
        private static final byte PONG = 'B';
        private static final byte TAKE = 'T';
        private final SingleChronicleQueue queue;
        private final ExcerptAppender appender;
        private final ExcerptTailer tailer;
        private final byte outTag;
        private final byte inTag;

        /** The bytes of the excerpt a receiver appends to take each message, tag included (0: it takes nothing). */
        private final int takeBytes;
        private final byte[] take;

        ChronicleQueueEndpoint(final Path dir, final int payloadBytes, final boolean sideA) {
            this(dir, payloadBytes, sideA, 0);
        }

        /**
         * With {@code takeBytes > 0} ({@code chronicle-queue-take}), a message counts as received only once the
         * receiver has appended an excerpt of that size (tagged so that the peer passes over it): the append a tuple's
         * take is on the journal, the floor of {@code slate-tuple}.
         */
        ChronicleQueueEndpoint(final Path dir, final int payloadBytes, final boolean sideA, final int takeBytes) {
            super(payloadBytes, sideA);
            this.takeBytes = takeBytes;
            this.take = new byte[Math.max(0, takeBytes - 1)];
            queue = openQueue(dir);
            appender = queue.createAppender();
            tailer = queue.createTailer().toEnd();
            outTag = sideA ? PING : PONG;
            inTag = sideA ? PONG : PING;
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            try (DocumentContext dc = appender.writingDocument()) {
                final Bytes<?> b = dc.wire().bytes();
                b.writeByte(outTag);
                b.write(payload, 0, payload.length);
            }
        }

        @Override
        public boolean poll() {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return false;
                }
                final Bytes<?> b = dc.wire().bytes();
                if (b.readByte() != inTag) {
                    return false;
                }
                seq = b.readLong();
                stamp = b.readLong();
            }
            if (takeBytes > 0) {
                Payload.write(take, 0, seq, stamp);
                try (DocumentContext dc = appender.writingDocument()) {
                    final Bytes<?> b = dc.wire().bytes();
                    b.writeByte(TAKE);
                    b.write(take, 0, take.length);
                }
            }
            arrived = System.nanoTime();
            return true;
        }

        @Override
        public void close() {
            tailer.close();
            appender.close();
            queue.close();
        }
    }

    /** {@code agrona-ring}: a one-to-one ring buffer per direction, in mapped files. */
    static final class AgronaRingEndpoint extends Base implements MessageHandler {
        /** Ring capacity (a power of two); the file also holds the trailer. */
        static final int CAPACITY = 1 << 20;
        private static final int MSG_TYPE = 1;
        private final MappedByteBuffer outMap;
        private final MappedByteBuffer inMap;
        private final OneToOneRingBuffer out;
        private final OneToOneRingBuffer in;
        private final UnsafeBuffer src;

        AgronaRingEndpoint(final Path dir, final int payloadBytes, final boolean sideA) {
            super(payloadBytes, sideA);
            final File ping = dir.resolve("ping.ring").toFile();
            final File pong = dir.resolve("pong.ring").toFile();
            final long length = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
            if (!sideA) {
                // B starts first and creates both rings, zeroed
                IoUtil.ensureDirectoryExists(dir.toFile(), "ring directory");
                IoUtil.unmap(IoUtil.mapNewFile(ping, length));
                IoUtil.unmap(IoUtil.mapNewFile(pong, length));
            }
            outMap = IoUtil.mapExistingFile(sideA ? ping : pong, "out ring");
            inMap = IoUtil.mapExistingFile(sideA ? pong : ping, "in ring");
            out = new OneToOneRingBuffer(new UnsafeBuffer(outMap));
            in = new OneToOneRingBuffer(new UnsafeBuffer(inMap));
            src = new UnsafeBuffer(payload);
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            if (out.write(MSG_TYPE, src, 0, payload.length)) {
                return;
            }
            final long deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
            while (!out.write(MSG_TYPE, src, 0, payload.length)) {
                checkDeadline(deadline, "ring full");
                Thread.onSpinWait();
            }
        }

        @Override
        public boolean poll() {
            return in.read(this, 1) == 1;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
            arrived = System.nanoTime();
            seq = buffer.getLong(index, ByteOrder.LITTLE_ENDIAN);
            stamp = buffer.getLong(index + 8, ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void close() {
            IoUtil.unmap(outMap);
            IoUtil.unmap(inMap);
        }
    }

    /** {@code aeron-ipc}: exclusive IPC publications, one stream per direction; side B embeds the media driver. */
    static final class AeronEndpoint extends Base implements FragmentHandler {
        private static final String CHANNEL = "aeron:ipc";
        private static final int PING_STREAM = 1001;
        private static final int PONG_STREAM = 1002;
        private final MediaDriver driver;
        private final Aeron aeron;
        private final ExclusivePublication publication;
        private final Subscription subscription;
        private final UnsafeBuffer src;
        private boolean received;

        AeronEndpoint(final Path dir, final int payloadBytes, final boolean sideA) {
            super(payloadBytes, sideA);
            final String aeronDir = dir.resolve("aeron").toString();
            if (sideA) {
                driver = null;
            } else {
                driver = MediaDriver.launch(new MediaDriver.Context()
                        .aeronDirectoryName(aeronDir)
                        .threadingMode(ThreadingMode.SHARED)
                        .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)))
                        .ipcTermBufferLength(1 << 20)
                        .dirDeleteOnStart(true)
                        .dirDeleteOnShutdown(true));
            }
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
            publication = aeron.addExclusivePublication(CHANNEL, sideA ? PING_STREAM : PONG_STREAM);
            subscription = aeron.addSubscription(CHANNEL, sideA ? PONG_STREAM : PING_STREAM);
            src = new UnsafeBuffer(payload);
        }

        @Override
        public void connect() {
            final long deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
            while (!publication.isConnected() || !subscription.isConnected()) {
                checkDeadline(deadline, "Aeron streams not connected");
                Thread.onSpinWait();
            }
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            long deadline = 0;
            while (true) {
                final long r = publication.offer(src, 0, payload.length);
                if (r > 0) {
                    return;
                }
                if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IllegalStateException("Aeron publication refused the message: " + Publication.errorString(r));
                }
                if (deadline == 0) {
                    deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
                }
                checkDeadline(deadline, "Aeron back pressure (" + Publication.errorString(r) + ")");
                Thread.onSpinWait();
            }
        }

        @Override
        public boolean poll() {
            received = false;
            subscription.poll(this, 1);
            return received;
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header) {
            arrived = System.nanoTime();
            seq = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
            stamp = buffer.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN);
            received = true;
        }

        @Override
        public void close() {
            publication.close();
            subscription.close();
            aeron.close();
            if (driver != null) {
                driver.close();
            }
        }
    }

    /** {@code uds} and {@code tcp}: one socket connection, non-blocking, both sides spinning on it. */
    static final class SocketEndpoint extends Base {
        private final boolean unix;
        private final ServerSocketChannel server;
        private final Path socketFile;
        private final int port;
        private final ByteBuffer out;
        private final ByteBuffer in;
        private SocketChannel channel;

        SocketEndpoint(final Path dir, final int payloadBytes, final boolean sideA, final boolean unix, final String address) {
            super(payloadBytes, sideA);
            this.unix = unix;
            this.socketFile = dir.resolve("bench.sock");
            out = ByteBuffer.allocateDirect(payloadBytes).order(ByteOrder.LITTLE_ENDIAN);
            out.put(payload).flip();
            in = ByteBuffer.allocateDirect(payloadBytes).order(ByteOrder.LITTLE_ENDIAN);
            try {
                if (sideA) {
                    server = null;
                    port = unix ? 0 : Integer.parseInt(address);
                    channel = unix ? SocketChannel.open(UnixDomainSocketAddress.of(socketFile))
                            : SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    configure(channel);
                } else {
                    java.nio.file.Files.createDirectories(dir);
                    if (unix) {
                        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                        server.bind(UnixDomainSocketAddress.of(socketFile));
                        port = 0;
                    } else {
                        server = ServerSocketChannel.open();
                        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set up the " + (unix ? "Unix domain" : "TCP") + " socket", e);
            }
        }

        private void configure(final SocketChannel ch) throws IOException {
            if (!unix) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            ch.configureBlocking(false);
        }

        @Override
        public String address() {
            return unix ? socketFile.toString() : Integer.toString(port);
        }

        @Override
        public void connect() {
            if (server == null) {
                return;
            }
            try {
                channel = server.accept(); // A connects right after it starts; bounded by the harness's timeout on A
                configure(channel);
            } catch (IOException e) {
                throw new UncheckedIOException("accept failed", e);
            }
        }

        @Override
        public void send(final long seq, final long stamp) {
            out.putLong(0, seq).putLong(8, stamp).clear();
            try {
                channel.write(out);
                if (out.hasRemaining()) {
                    final long deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
                    while (out.hasRemaining()) {
                        checkDeadline(deadline, "socket send buffer full");
                        channel.write(out);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("send failed", e);
            }
        }

        @Override
        public boolean poll() {
            try {
                if (channel.read(in) < 0) {
                    throw new IllegalStateException("the peer closed the connection");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("receive failed", e);
            }
            if (in.hasRemaining()) {
                return false;
            }
            arrived = System.nanoTime();
            seq = in.getLong(0);
            stamp = in.getLong(8);
            in.clear();
            return true;
        }

        @Override
        public void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
                if (server != null) {
                    server.close();
                    java.nio.file.Files.deleteIfExists(socketFile);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("close failed", e);
            }
        }
    }

    /** {@code redis}: {@code RPUSH} the payload onto the peer's list, {@code BLPOP} from this side's list. */
    static final class RedisEndpoint extends Base {
        /** The Redis commands this case uses, for the report. */
        static final String COMMANDS = "RPUSH to send, BLPOP (0.1 s timeout, retried) to receive; one list per direction";
        private final Resp redis;
        private final byte[] outKey;
        private final byte[] inKey;
        private final byte[] rpush = Resp.bytes("RPUSH");
        private final byte[] blpop = Resp.bytes("BLPOP");
        private final byte[] timeout = Resp.bytes("0.1");

        RedisEndpoint(final Path dir, final int payloadBytes, final boolean sideA, final String address) {
            super(payloadBytes, sideA);
            redis = new Resp(Integer.parseInt(address));
            final String prefix = "slate-bench:" + dir.getFileName() + ":";
            outKey = Resp.bytes(prefix + (sideA ? "ping" : "pong"));
            inKey = Resp.bytes(prefix + (sideA ? "pong" : "ping"));
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            final Object reply = redis.call(rpush, outKey, payload);
            if (!(reply instanceof Long)) {
                throw new IllegalStateException("RPUSH answered " + reply);
            }
        }

        @Override
        public boolean poll() {
            final Object reply = redis.call(blpop, inKey, timeout);
            if (reply == null) {
                return false;
            }
            arrived = System.nanoTime();
            final byte[] value = (byte[]) ((List<?>) reply).get(1);
            seq = Payload.seq(value, 0);
            stamp = Payload.stamp(value, 0);
            return true;
        }

        @Override
        public void close() {
            redis.close();
        }
    }

    /**
     * {@code etcd-raw-pair}, {@code etcd-raw-take} and {@code etcd-raw-queue}: raw jetcd between the two JVMs, the floor
     * of the etcd cases in the same kind of process. A message is a put of this side's key, delivered by a Watch on the
     * peer's; the receiver may also commit a record naming it before it counts as received (what a tuple's take must
     * commit), or a key off the path (a mutex waiter's next place in its queue). See
     * {@link io.slate.etcd.EtcdFloorBench.RawPair}.
     */
    static final class EtcdRawEndpoint extends Base {
        private final io.slate.etcd.EtcdFloorBench.RawPair pair;

        EtcdRawEndpoint(final String address, final int payloadBytes, final boolean sideA, final io.slate.etcd.EtcdFloorBench.RawPair.Extra extra) {
            super(payloadBytes, sideA);
            pair = new io.slate.etcd.EtcdFloorBench.RawPair(address, sideA, extra);
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            pair.send(payload);
        }

        @Override
        public boolean poll() {
            final byte[] m;
            try {
                m = pair.poll(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the peer", e);
            }
            if (m == null) {
                return false;
            }
            arrived = System.nanoTime();
            seq = Payload.seq(m, 0);
            stamp = Payload.stamp(m, 0);
            return true;
        }

        @Override
        public boolean pollWaits() {
            return true;
        }

        @Override
        public void close() {
            pair.close();
        }
    }
}
