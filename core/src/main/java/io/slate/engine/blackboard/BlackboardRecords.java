package io.slate.engine.blackboard;

import io.slate.blackboard.AttributeType;
import io.slate.blackboard.Attributes;
import io.slate.journal.Op;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The values of the blackboard's journal records: layout, encoder and decoder. The record around them is the
 * space's ({@code RecordDescriptor}): its key is the blackboard's name, its agent the writer, its op one of
 * {@link Op#BB_DEFINE} ... {@link Op#BB_ABANDON}. All integers little-endian; text is UTF-8 with its byte length
 * first. Nothing here is Java serialization and no class name is ever read: a value is bytes we lay out ourselves,
 * checked field by field against the record's length.
 *
 * <pre>
 *  every value:   format u8 (= 1) | body
 *
 *  BB_DEFINE      level count u8 (1..64) | { name len u8 | name }*
 *                 record version = level count
 *  BB_WRITE       change list (one change for the API's post/update/retract)
 *                 record version = change count
 *  BB_CLAIM       ks name len u8 | ks name | entry id i64 | entry version i64 | claimer slot i32 | claimer pid i64 |
 *                 claimer start ticks i64          (the claimer's exact identity in the agent registry)
 *                 record version = entry id
 *  BB_COMMIT      claim index i64 | outcome u8 (0 ok, 1 failed) | ok: change list / failed: message len u16 | message
 *                 record version = claim index
 *  BB_ABANDON     claim index i64 | claimer slot i32 | claimer pid i64 | claimer start ticks i64 (the dead claimer)
 *                 record version = claim index
 *
 *  change list    count i32 | change*
 *  change         kind u8 | body
 *    1 post       level ordinal u8 | confidence f64 | attributes
 *    2 update     entry id i64 | expected version i64 (-1: any) | confidence f64 | attributes
 *    3 retract    entry id i64 | expected version i64 (-1: any)
 *  attributes     count u16 | { name len u8 | name | type u8 | value }*   (names in ascending order)
 *    1 string     len i32 | UTF-8        2 long  i64        3 double  f64 (IEEE 754 bits)
 *    4 boolean    u8 (0 or 1)            5 bytes len i32 | bytes
 * </pre>
 */
public final class BlackboardRecords {
    public static final int FORMAT = 1;
    /** Largest record value; a larger write is refused (a larger commit ends its activation as failed). */
    public static final int MAX_RECORD_BYTES = 1 << 20;

    public static final int KIND_POST = 1;
    public static final int KIND_UPDATE = 2;
    public static final int KIND_RETRACT = 3;

    public static final int OUTCOME_OK = 0;
    public static final int OUTCOME_FAILED = 1;

    /** Longest failure message kept in a commit, in UTF-8 bytes. */
    public static final int MAX_MESSAGE_BYTES = 2000;

    private BlackboardRecords() {
    }

    /** True for the journal operations of blackboards. */
    /** The operations of blackboards, for {@link io.slate.spi.RecordCursor#next(long)}. */
    public static final long OPS = io.slate.spi.RecordCursor.opsWhere(BlackboardRecords::isBlackboardOp);

    public static boolean isBlackboardOp(final Op op) {
        return op.code() >= Op.BB_DEFINE.code() && op.code() <= Op.BB_ABANDON.code();
    }

    /** One proposed or journaled change of an entry. Immutable. */
    public static final class ChangeSpec {
        final int kind;
        final int levelOrdinal;
        final long entryId;
        final long expectedVersion;
        final double confidence;
        final Attributes attributes;

        private ChangeSpec(final int kind, final int levelOrdinal, final long entryId, final long expectedVersion, final double confidence,
                           final Attributes attributes) {
            this.kind = kind;
            this.levelOrdinal = levelOrdinal;
            this.entryId = entryId;
            this.expectedVersion = expectedVersion;
            this.confidence = confidence;
            this.attributes = attributes;
        }

        public static ChangeSpec post(final int levelOrdinal, final Attributes attributes, final double confidence) {
            return new ChangeSpec(KIND_POST, levelOrdinal, 0, -1, confidence, attributes);
        }

        public static ChangeSpec update(final long entryId, final long expectedVersion, final Attributes attributes, final double confidence) {
            return new ChangeSpec(KIND_UPDATE, -1, entryId, expectedVersion, confidence, attributes);
        }

        public static ChangeSpec retract(final long entryId, final long expectedVersion) {
            return new ChangeSpec(KIND_RETRACT, -1, entryId, expectedVersion, 0, null);
        }

        public int kind() {
            return kind;
        }

        @Override
        public String toString() {
            switch (kind) {
                case KIND_POST:
                    return "post@" + levelOrdinal + " " + attributes + " conf=" + confidence;
                case KIND_UPDATE:
                    return "update #" + entryId + (expectedVersion < 0 ? "" : " if v" + expectedVersion) + " " + attributes + " conf=" + confidence;
                default:
                    return "retract #" + entryId + (expectedVersion < 0 ? "" : " if v" + expectedVersion);
            }
        }
    }

    // ------------------------------------------------------------------ checks shared by the API and the decoder

    /** @throws IllegalArgumentException when the confidence is NaN, infinite or outside [0, 1] */
    public static double checkConfidence(final double confidence) {
        if (!(confidence >= 0.0 && confidence <= 1.0)) {
            throw new IllegalArgumentException("confidence must be a number in [0, 1], got " + confidence);
        }
        return confidence;
    }

    /** @throws IllegalArgumentException for an id below 1 or an expected version below 1 (other than -1: any) */
    public static void checkTarget(final long entryId, final long expectedVersion) {
        if (entryId < 1) {
            throw new IllegalArgumentException("entry id must be >= 1, got " + entryId);
        }
        if (expectedVersion < 1 && expectedVersion != -1) {
            throw new IllegalArgumentException("expected version must be >= 1, got " + expectedVersion);
        }
    }

    // ------------------------------------------------------------------ encoding

    /** A growable little-endian byte buffer. Not thread-safe; reuse one per thread. */
    public static final class Writer {
        private byte[] buf = new byte[256];
        private int pos;

        public Writer reset() {
            pos = 0;
            return this;
        }

        public byte[] buffer() {
            return buf;
        }

        public int length() {
            return pos;
        }

        private void ensure(final int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(pos + n, buf.length * 2));
            }
        }

        Writer u8(final int v) {
            ensure(1);
            buf[pos++] = (byte) v;
            return this;
        }

        Writer u16(final int v) {
            ensure(2);
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
            return this;
        }

        Writer i32(final int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) {
                buf[pos++] = (byte) (v >>> (8 * i));
            }
            return this;
        }

        Writer i64(final long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buf[pos++] = (byte) (v >>> (8 * i));
            }
            return this;
        }

        Writer f64(final double v) {
            return i64(Double.doubleToRawLongBits(v));
        }

        Writer bytes(final byte[] b, final int off, final int len) {
            ensure(len);
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
            return this;
        }

        /** Text with a u8 length (names). */
        Writer name(final String s) {
            final byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 255) {
                throw new IllegalArgumentException("name '" + Names.abbreviate(s) + "' is " + b.length + " UTF-8 bytes; at most 255 allowed");
            }
            return u8(b.length).bytes(b, 0, b.length);
        }
    }

    public static void encodeDefine(final Writer w, final List<String> levels) {
        w.reset().u8(FORMAT).u8(levels.size());
        for (String l : levels) {
            w.name(l);
        }
    }

    public static void encodeWrite(final Writer w, final List<ChangeSpec> changes) {
        w.reset().u8(FORMAT);
        encodeChanges(w, changes);
    }

    public static void encodeClaim(final Writer w, final String knowledgeSource, final long entryId, final long entryVersion, final int slot,
                                   final long pid, final long startTicks) {
        w.reset().u8(FORMAT).name(knowledgeSource).i64(entryId).i64(entryVersion).i32(slot).i64(pid).i64(startTicks);
    }

    public static void encodeCommit(final Writer w, final long claimIndex, final List<ChangeSpec> changes) {
        w.reset().u8(FORMAT).i64(claimIndex).u8(OUTCOME_OK);
        encodeChanges(w, changes);
    }

    public static void encodeFailedCommit(final Writer w, final long claimIndex, final String message) {
        byte[] m = (message == null ? "" : message).getBytes(StandardCharsets.UTF_8);
        if (m.length > MAX_MESSAGE_BYTES) {
            // cut at a character boundary: drop continuation bytes (10xxxxxx) at the cut
            int n = MAX_MESSAGE_BYTES;
            while (n > 0 && (m[n] & 0xC0) == 0x80) {
                n--;
            }
            m = Arrays.copyOf(m, n);
        }
        w.reset().u8(FORMAT).i64(claimIndex).u8(OUTCOME_FAILED).u16(m.length).bytes(m, 0, m.length);
    }

    public static void encodeAbandon(final Writer w, final long claimIndex, final int slot, final long pid, final long startTicks) {
        w.reset().u8(FORMAT).i64(claimIndex).i32(slot).i64(pid).i64(startTicks);
    }

    private static void encodeChanges(final Writer w, final List<ChangeSpec> changes) {
        w.i32(changes.size());
        for (ChangeSpec c : changes) {
            w.u8(c.kind);
            switch (c.kind) {
                case KIND_POST:
                    w.u8(c.levelOrdinal).f64(c.confidence);
                    encodeAttributes(w, c.attributes);
                    break;
                case KIND_UPDATE:
                    w.i64(c.entryId).i64(c.expectedVersion).f64(c.confidence);
                    encodeAttributes(w, c.attributes);
                    break;
                case KIND_RETRACT:
                    w.i64(c.entryId).i64(c.expectedVersion);
                    break;
                default:
                    throw new IllegalArgumentException("change kind " + c.kind);
            }
        }
    }

    static void encodeAttributes(final Writer w, final Attributes a) {
        w.u16(a.size());
        for (Map.Entry<String, Object> e : a.asMap().entrySet()) {
            w.name(e.getKey());
            final Object v = e.getValue();
            if (v instanceof String) {
                final byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
                w.u8(AttributeType.STRING.code()).i32(b.length).bytes(b, 0, b.length);
            } else if (v instanceof Long) {
                w.u8(AttributeType.LONG.code()).i64((Long) v);
            } else if (v instanceof Double) {
                w.u8(AttributeType.DOUBLE.code()).f64((Double) v);
            } else if (v instanceof Boolean) {
                w.u8(AttributeType.BOOLEAN.code()).u8((Boolean) v ? 1 : 0);
            } else {
                final byte[] b = (byte[]) v;
                w.u8(AttributeType.BYTES.code()).i32(b.length).bytes(b, 0, b.length);
            }
        }
    }

    // ------------------------------------------------------------------ decoding

    /** A value that is not a valid blackboard record; the caller names the record's index and the journal. */
    public static final class MalformedException extends RuntimeException {
        MalformedException(final String problem) {
            super(problem);
        }
    }

    /** A bounds-checked little-endian reader over one record's value. Not thread-safe; reuse one per thread. */
    public static final class Reader {
        private byte[] buf;
        private int pos;
        private int end;

        /** Positions on {@code [0, length)} of {@code b} and checks the format byte. */
        public Reader wrap(final byte[] b, final int length) {
            this.buf = b;
            this.pos = 0;
            this.end = length;
            final int format = u8();
            if (format != FORMAT) {
                throw new MalformedException("blackboard record format " + format + " is not one this build reads (" + FORMAT + ")");
            }
            return this;
        }

        private void need(final int n, final String what) {
            if (n < 0 || end - pos < n) {
                throw new MalformedException("record ends inside " + what + " (needs " + n + " bytes at offset " + pos + ", has " + (end - pos) + ")");
            }
        }

        public int u8() {
            need(1, "a byte");
            return buf[pos++] & 0xFF;
        }

        public int u16() {
            need(2, "a 2-byte length");
            final int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
            pos += 2;
            return v;
        }

        public int i32() {
            need(4, "a 4-byte integer");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v |= (buf[pos + i] & 0xFF) << (8 * i);
            }
            pos += 4;
            return v;
        }

        public long i64() {
            need(8, "an 8-byte integer");
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v |= (buf[pos + i] & 0xFFL) << (8 * i);
            }
            pos += 8;
            return v;
        }

        public double f64() {
            return Double.longBitsToDouble(i64());
        }

        public String text(final int len, final String what) {
            need(len, what);
            final String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        public String name(final String what) {
            final int len = u8();
            if (len == 0) {
                throw new MalformedException("empty " + what);
            }
            return text(len, what);
        }

        public byte[] bytes(final int len, final String what) {
            need(len, what);
            final byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return b;
        }

        /** Fails unless every byte was read. */
        public void end() {
            if (pos != end) {
                throw new MalformedException((end - pos) + " unexpected bytes at the end of the record");
            }
        }
    }

    public static List<String> decodeDefine(final Reader r) {
        final int n = r.u8();
        if (n < 1 || n > 64) {
            throw new MalformedException("level count " + n + " is not in 1..64");
        }
        final List<String> levels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final String l = r.name("level name");
            if (levels.contains(l)) {
                throw new MalformedException("level '" + l + "' appears twice");
            }
            levels.add(l);
        }
        r.end();
        return levels;
    }

    public static List<ChangeSpec> decodeChanges(final Reader r, final int levelCount) {
        final int n = r.i32();
        if (n < 0 || n > MAX_RECORD_BYTES) {
            throw new MalformedException("change count " + n);
        }
        final List<ChangeSpec> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            final int kind = r.u8();
            switch (kind) {
                case KIND_POST: {
                    final int level = r.u8();
                    if (level >= levelCount) {
                        throw new MalformedException("post to level ordinal " + level + " of a blackboard with " + levelCount + " levels");
                    }
                    final double conf = decodeConfidence(r);
                    list.add(ChangeSpec.post(level, decodeAttributes(r), conf));
                    break;
                }
                case KIND_UPDATE: {
                    final long id = r.i64();
                    final long expected = r.i64();
                    final double conf = decodeConfidence(r);
                    list.add(ChangeSpec.update(id, expected, decodeAttributes(r), conf));
                    break;
                }
                case KIND_RETRACT:
                    list.add(ChangeSpec.retract(r.i64(), r.i64()));
                    break;
                default:
                    throw new MalformedException("unknown change kind " + kind);
            }
        }
        return list;
    }

    private static double decodeConfidence(final Reader r) {
        final double c = r.f64();
        if (!(c >= 0.0 && c <= 1.0)) {
            throw new MalformedException("confidence " + c + " is not in [0, 1]");
        }
        return c;
    }

    static Attributes decodeAttributes(final Reader r) {
        final int n = r.u16();
        if (n == 0) {
            return Attributes.empty();
        }
        final Attributes.Builder b = Attributes.builder();
        String previous = null;
        for (int i = 0; i < n; i++) {
            final String name = r.name("attribute name");
            if (previous != null && previous.compareTo(name) >= 0) {
                throw new MalformedException("attribute names out of order: '" + previous + "' before '" + name + "'");
            }
            previous = name;
            final int code = r.u8();
            final AttributeType type = AttributeType.ofCode(code);
            if (type == null) {
                throw new MalformedException("attribute '" + name + "' has unknown type code " + code);
            }
            try {
                switch (type) {
                    case STRING:
                        b.put(name, r.text(r.i32(), "attribute '" + name + "'"));
                        break;
                    case LONG:
                        b.put(name, r.i64());
                        break;
                    case DOUBLE:
                        b.put(name, r.f64());
                        break;
                    case BOOLEAN: {
                        final int v = r.u8();
                        if (v > 1) {
                            throw new MalformedException("attribute '" + name + "' has boolean byte " + v);
                        }
                        b.put(name, v == 1);
                        break;
                    }
                    default:
                        b.put(name, r.bytes(r.i32(), "attribute '" + name + "'"));
                        break;
                }
            } catch (IllegalArgumentException e) {
                throw new MalformedException("attribute '" + name + "': " + e.getMessage());
            }
        }
        return b.build();
    }
}
