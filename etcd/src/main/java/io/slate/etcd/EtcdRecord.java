package io.slate.etcd;

import io.slate.journal.Op;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One record as the etcd engine stores it, in the SPI's one record layout ({@link RecordDescriptor}: magic, format,
 * op, flags, version, timestamp, reverted index, key, agent, value), so a backend cursor can hand the stored bytes to
 * a {@link LogRecord} flyweight unchanged. The same bytes are stored twice per commit: as the journal record
 * ({@code j/<request id>}, index = its mod revision) and as the key's current state ({@code k/<key>}; a removed key
 * keeps a record with {@link RecordDescriptor#FLAG_REMOVED} as its tombstone, so versions go on after a removal).
 *
 * <p>Decoded copies are immutable. Decoding validates through {@link LogRecord#wrap} and names the record when it
 * is not a Slate record.
 */
final class EtcdRecord {
    final long index;
    final String requestId;
    final int opCode;
    final int flags;
    final long version;
    final long timestampNanos;
    final byte[] key;
    final String agent;
    final byte[] value;
    /** The stored bytes, as {@link LogRecord#wrap} reads them. */
    final byte[] bytes;

    private EtcdRecord(final long index, final String requestId, final LogRecord r, final byte[] bytes) {
        this.bytes = bytes;
        this.index = index;
        this.requestId = requestId;
        this.opCode = r.opCode();
        this.flags = r.flags();
        this.version = r.version();
        this.timestampNanos = r.timestampNanos();
        this.key = new byte[r.keyLength()];
        r.buffer().getBytes(r.keyOffset(), key);
        final byte[] a = new byte[r.agentLength()];
        r.buffer().getBytes(r.agentOffset(), a);
        this.agent = new String(a, StandardCharsets.UTF_8);
        this.value = new byte[r.valueLength()];
        r.buffer().getBytes(r.valueOffset(), value);
    }

    static int encodedLength(final int keyLength, final int agentLength, final int valueLength) {
        return RecordDescriptor.MIN_LENGTH + keyLength + agentLength + valueLength;
    }

    /** The record bytes; {@code agent} must fit in {@link RecordDescriptor#MAX_AGENT_BYTES} UTF-8 bytes, the key in 65535. */
    static byte[] encode(final Op op, final int flags, final long version, final long timestampNanos, final byte[] key,
                         final byte[] agent, final byte[] value) {
        if (key.length > 0xFFFF) {
            throw new IllegalArgumentException("key of " + key.length + " bytes: a record holds at most 65535");
        }
        if (agent.length > RecordDescriptor.MAX_AGENT_BYTES) {
            throw new IllegalArgumentException("agent id of " + agent.length + " bytes: a record holds at most "
                    + RecordDescriptor.MAX_AGENT_BYTES);
        }
        final ByteBuffer b = ByteBuffer.allocate(encodedLength(key.length, agent.length, value.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(RecordDescriptor.MAGIC).put(RecordDescriptor.FORMAT).put((byte) op.code()).put((byte) flags);
        b.putLong(version).putLong(timestampNanos).putLong(-1L);
        b.putShort((short) key.length).put(key);
        b.put((byte) agent.length).put(agent);
        b.putInt(value.length).put(value);
        return b.array();
    }

    /** Decodes the record stored under {@code requestId} (or a key's state) at {@code index}; throws naming it when malformed. */
    static EtcdRecord decode(final long index, final String requestId, final byte[] bytes) {
        final LogRecord r = new LogRecord();
        final String problem = r.wrap(index, new UnsafeBuffer(bytes), 0, bytes.length);
        if (problem != null) {
            throw new EtcdFailure(EtcdFailure.Kind.FAILED, "etcd record " + requestId + " at index " + index + ": " + problem, true);
        }
        return new EtcdRecord(index, requestId, r, bytes);
    }

    Op op() {
        return Op.ofCode(opCode);
    }

    boolean removed() {
        return (flags & RecordDescriptor.FLAG_REMOVED) != 0;
    }

    @Override
    public String toString() {
        final Op op = op();
        return "#" + index + " " + (op == null ? "op " + opCode : op.label()) + " " + SpaceLayout.printable(key) + " v" + version;
    }
}
