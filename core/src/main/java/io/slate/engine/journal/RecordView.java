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
 * The reusable flyweight a tailer decodes raw records into, for the public {@link JournalRecord}. The fixed fields are
 * read at once; the key, the agent id and the value are copied into buffers owned by the view (which grow only when a
 * record does not fit) when first asked for, from the raw record, which stays valid until its cursor's next read, as
 * this view does: a reader that looks at the key only (most records are someone else's) decodes nothing more.
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
    /**
     * The key {@link #keyEquals} was asked about, as UTF-8: a String (immutable, so the same object is the same bytes)
     * asked twice in a row; null until then.
     */
    private CharSequence keyAsked;
    private byte[] keyAskedUtf8 = new byte[64];
    private int keyAskedLength;
    /** The key {@link #keyEquals} was last asked about, when it was not {@link #keyAsked}. */
    private CharSequence keyAskedBefore;
    /** The raw record this view shows, until the key, agent and value were all copied out of it. */
    private LogRecord raw;
    private boolean keyRead;
    private boolean agentRead;
    private boolean valueRead;

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
        valueLength = r.valueLength();
        raw = r;
        keyRead = false;
        agentRead = false;
        valueRead = false;
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
        if (!keyRead) {
            key.setLength(0);
            readUtf8(raw.buffer(), raw.keyOffset(), raw.keyLength(), key);
            keyRead = true;
        }
        return key;
    }

    @Override
    public boolean keyEquals(final CharSequence k) {
        if (keyRead) {
            return Utf8.contentEquals(key, k);
        }
        if (k == keyAsked) {
            return raw.keyEquals(keyAskedUtf8, keyAskedLength);
        }
        if (k instanceof String && k == keyAskedBefore && !hasSurrogate(k)) {
            // the same String twice in a row: a reader that looks for one key, as most do; its bytes from now on (text
            // with surrogates keeps the comparison by chars, which finds an unpaired one equal to nothing)
            final int n = Utf8.length(k);
            if (keyAskedUtf8.length < n) {
                keyAskedUtf8 = new byte[Math.max(n, keyAskedUtf8.length * 2)];
            }
            keyAskedLength = Utf8.encode(k, keyAskedUtf8);
            keyAsked = k;
            return raw.keyEquals(keyAskedUtf8, keyAskedLength);
        }
        keyAskedBefore = k;
        return Utf8.equals(raw.buffer(), raw.keyOffset(), raw.keyLength(), k);
    }

    private static boolean hasSurrogate(final CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public CharSequence agent() {
        if (!agentRead) {
            agent.setLength(0);
            readUtf8(raw.buffer(), raw.agentOffset(), raw.agentLength(), agent);
            agentRead = true;
        }
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
        if (!valueRead) {
            if (value.length < valueLength) {
                value = new byte[Math.max(valueLength, value.length * 2)];
            }
            raw.buffer().getBytes(raw.valueOffset(), value, 0, valueLength);
            valueRead = true;
        }
        return value;
    }

    @Override
    public byte[] valueCopy() {
        return Arrays.copyOf(valueBuffer(), valueLength);
    }

    @Override
    public String valueAsString() {
        return new String(valueBuffer(), 0, valueLength, StandardCharsets.UTF_8);
    }

    @Override
    public Entry toEntry() {
        return new Entry(key().toString(), valueCopy(), version, agent().toString(), timestampNanos, index, removed());
    }

    @Override
    public String toString() {
        return index + " " + op.label() + " " + key() + "@" + version + " by " + agent();
    }
}
