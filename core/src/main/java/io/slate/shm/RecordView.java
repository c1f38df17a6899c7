package io.slate.shm;

import io.slate.internal.Utf8;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.kv.Entry;
import io.slate.space.CorruptSpaceException;
import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The reusable flyweight a tailer decodes records into ({@link RecordDescriptor} layout). Decoding copies the
 * key, agent and value into buffers owned by the view, which grow only when a record does not fit.
 * Single-threaded, like the tailer that owns it.
 */
final class RecordView implements JournalRecord {
    private final Path journalDir;
    private long index;
    private Op op;
    private int flags;
    private long version;
    private long timestampNanos;
    private long revertedIndex;
    private final StringBuilder key = new StringBuilder(64);
    private final StringBuilder agent = new StringBuilder(32);
    private byte[] scratch = new byte[256];
    private byte[] value = new byte[256];
    private int valueLength;

    RecordView(final Path journalDir) {
        this.journalDir = journalDir;
    }

    /** Decodes the record at the bytes' read position; throws a clear error for anything that is not ours. */
    void read(final Bytes<?> in, final long index) {
        this.index = index;
        final long remaining = in.readRemaining();
        if (remaining < RecordDescriptor.HEADER_LENGTH + 7) {
            throw foreign(index, "record of " + remaining + " bytes is shorter than a Slate record header");
        }
        final byte magic = in.readByte();
        final byte format = in.readByte();
        if (magic != RecordDescriptor.MAGIC) {
            throw foreign(index, "record does not start with the Slate magic byte (found 0x" + Integer.toHexString(magic & 0xFF) + ")");
        }
        if (format != RecordDescriptor.FORMAT) {
            throw foreign(index, "record format " + format + " is not one this build reads (" + RecordDescriptor.FORMAT + ")");
        }
        final int code = in.readUnsignedByte();
        op = Op.ofCode(code);
        if (op == null) {
            throw foreign(index, "unknown operation code " + code);
        }
        flags = in.readUnsignedByte();
        version = in.readLong();
        timestampNanos = in.readLong();
        revertedIndex = in.readLong();
        final int keyLen = in.readUnsignedShort();
        key.setLength(0);
        readUtf8(in, keyLen, key, index);
        final int agentLen = in.readUnsignedByte();
        agent.setLength(0);
        readUtf8(in, agentLen, agent, index);
        if (in.readRemaining() < 4) {
            throw foreign(index, "record ends before its value length");
        }
        final int vlen = in.readInt();
        if (vlen < 0 || vlen > in.readRemaining()) {
            throw foreign(index, "value length " + vlen + " exceeds the record's remaining " + in.readRemaining() + " bytes");
        }
        if (value.length < vlen) {
            value = new byte[Math.max(vlen, value.length * 2)];
        }
        in.read(value, 0, vlen);
        valueLength = vlen;
    }

    private void readUtf8(final Bytes<?> in, final int len, final StringBuilder out, final long index) {
        if (len > in.readRemaining()) {
            throw foreign(index, "text field of " + len + " bytes exceeds the record");
        }
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        in.read(scratch, 0, len);
        Utf8.decode(scratch, 0, len, out);
    }

    private CorruptSpaceException foreign(final long index, final String problem) {
        return new CorruptSpaceException(journalDir, "journal record at index " + index + " (0x" + Long.toHexString(index) + "): " + problem);
    }

    @Override
    public long index() {
        return index;
    }

    @Override
    public Op op() {
        return op;
    }

    @Override
    public CharSequence key() {
        return key;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public CharSequence agent() {
        return agent;
    }

    @Override
    public long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public boolean removed() {
        return (flags & RecordDescriptor.FLAG_REMOVED) != 0;
    }

    @Override
    public long revertedIndex() {
        return revertedIndex;
    }

    @Override
    public int valueLength() {
        return valueLength;
    }

    @Override
    public byte[] valueBuffer() {
        return value;
    }

    @Override
    public byte[] valueCopy() {
        return Arrays.copyOf(value, valueLength);
    }

    @Override
    public String valueAsString() {
        return new String(value, 0, valueLength, StandardCharsets.UTF_8);
    }

    @Override
    public Entry toEntry() {
        return new Entry(key.toString(), valueCopy(), version, agent.toString(), timestampNanos, index, removed());
    }

    @Override
    public String toString() {
        return index + " " + op.label() + " " + key + "@" + version + " by " + agent;
    }
}
