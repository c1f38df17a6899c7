package io.slate.engine.journal;

import io.slate.internal.Utf8;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.kv.Entry;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordDescriptor;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The reusable flyweight a tailer decodes raw records into, for the public {@link JournalRecord}. Decoding copies the
 * key, agent and value into buffers owned by the view, which grow only when a record does not fit.
 * Single-threaded, like the tailer that owns it.
 */
public final class RecordView implements JournalRecord {
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

    /** Decodes {@code r}; returns null, or what makes it unreadable (an operation code this build does not know). */
    public String read(final LogRecord r) {
        this.index = r.index();
        final Op o = r.op();
        if (o == null) {
            return "unknown operation code " + r.opCode();
        }
        op = o;
        flags = r.flags();
        version = r.version();
        timestampNanos = r.timestampNanos();
        revertedIndex = r.revertedIndex();
        final DirectBuffer b = r.buffer();
        key.setLength(0);
        readUtf8(b, r.keyOffset(), r.keyLength(), key);
        agent.setLength(0);
        readUtf8(b, r.agentOffset(), r.agentLength(), agent);
        final int n = r.valueLength();
        if (value.length < n) {
            value = new byte[Math.max(n, value.length * 2)];
        }
        b.getBytes(r.valueOffset(), value, 0, n);
        valueLength = n;
        return null;
    }

    private void readUtf8(final DirectBuffer b, final int offset, final int len, final StringBuilder out) {
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        b.getBytes(offset, scratch, 0, len);
        Utf8.decode(scratch, 0, len, out);
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
