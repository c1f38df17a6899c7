package io.slate.etcd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One journal record as stored in etcd (the value of {@code /slate/S/j/<request id>}); its index is the etcd
 * revision of the commit that wrote it, which is not stored in it (etcd gives it as the key's mod revision).
 *
 * <pre>
 *   0       1       2               4                              12                             20
 *   +-------+-------+---------------+------------------------------+------------------------------+
 *   |format | op    | flags (u16)   | version after the commit     | agent (lease id, 0 = none)   |
 *   +-------+-------+---------------+------------------------------+------------------------------+
 *   20      24                      24+K     28+K
 *   +-------+-----------------------+--------+----------------------------------------------------+
 *   | K     | key (K bytes)         | V      | value (V bytes)                                    |
 *   +-------+-----------------------+--------+----------------------------------------------------+
 *   little endian; format = 1; op 1 = put, 2 = delete (V = 0)
 * </pre>
 *
 * Immutable once decoded. Decoding checks every length against the record's size and names the record when it does
 * not fit.
 */
final class JournalRecord {
    static final byte FORMAT = 1;
    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final int HEADER = 20;
    final long index;
    final String requestId;
    final byte op;
    final int flags;
    final long version;
    final long agent;
    final byte[] key;
    final byte[] value;

    JournalRecord(final long index, final String requestId, final byte op, final int flags, final long version,
                  final long agent, final byte[] key, final byte[] value) {
        this.index = index;
        this.requestId = requestId;
        this.op = op;
        this.flags = flags;
        this.version = version;
        this.agent = agent;
        this.key = key;
        this.value = value;
    }

    static int encodedLength(final int keyLength, final int valueLength) {
        return HEADER + 4 + keyLength + 4 + valueLength;
    }

    static byte[] encode(final byte op, final int flags, final long version, final long agent, final byte[] key,
                         final byte[] value) {
        final ByteBuffer b = ByteBuffer.allocate(encodedLength(key.length, value.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(FORMAT).put(op).putShort((short) flags).putLong(version).putLong(agent);
        b.putInt(key.length).put(key).putInt(value.length).put(value);
        return b.array();
    }

    /** Decodes the record stored under {@code requestId} at {@code index}; throws naming it when malformed. */
    static JournalRecord decode(final long index, final String requestId, final byte[] bytes) {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER + 8) {
            throw malformed(index, requestId, "is " + bytes.length + " bytes, shorter than a header");
        }
        final byte format = b.get();
        if (format != FORMAT) {
            throw malformed(index, requestId, "has format " + format + "; this version reads format " + FORMAT);
        }
        final byte op = b.get();
        if (op != PUT && op != DELETE) {
            throw malformed(index, requestId, "has unknown op " + op);
        }
        final int flags = b.getShort() & 0xFFFF;
        final long version = b.getLong();
        final long agent = b.getLong();
        final int kl = b.getInt();
        if (kl < 0 || kl > b.remaining() - 4) {
            throw malformed(index, requestId, "has key length " + kl + " past its end");
        }
        final byte[] key = new byte[kl];
        b.get(key);
        final int vl = b.getInt();
        if (vl < 0 || vl != b.remaining()) {
            throw malformed(index, requestId, "has value length " + vl + " but " + b.remaining() + " bytes remain");
        }
        final byte[] value = new byte[vl];
        b.get(value);
        return new JournalRecord(index, requestId, op, flags, version, agent, key, value);
    }

    private static EtcdFailure malformed(final long index, final String requestId, final String problem) {
        return new EtcdFailure(EtcdFailure.Kind.FAILED, "journal record " + requestId + " at index " + index + " "
                + problem, true);
    }

    @Override
    public String toString() {
        return "#" + index + " " + (op == PUT ? "put " : "delete ") + SpaceLayout.printable(key) + " v" + version;
    }
}
