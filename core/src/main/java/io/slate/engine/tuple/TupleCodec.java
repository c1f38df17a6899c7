package io.slate.engine.tuple;

import io.slate.internal.JsonText;
import io.slate.internal.Utf8;
import io.slate.tuple.FieldType;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The binary form of tuples and templates (language-neutral, little-endian; {@code docs/tuples.md}). It is the value
 * of a {@code TUPLE_OUT} record and what the local index keeps and matches. No class names, no Java serialization.
 *
 * <pre>
 *  tuple    := arity (1 byte, 1..32) field{arity}
 *  field    := tag (1 byte) payload
 *     tag 1 STRING   payload: length (4 bytes) + UTF-8 bytes
 *     tag 2 LONG     payload: 8 bytes, two's complement
 *     tag 3 DOUBLE   payload: 8 bytes, Double.doubleToLongBits (NaN canonical)
 *     tag 4 BOOLEAN  payload: 1 byte, 0 or 1
 *     tag 5 BYTES    payload: length (4 bytes) + bytes
 *  template := arity (1 byte) tfield{arity}
 *  tfield   := 0x00                 any field (wildcard)
 *            | 0x80 | type tag      any field of that type (typed formal), no payload
 *            | field                this exact value (actual)
 * </pre>
 *
 * An actual matches a field when the two encodings are byte for byte equal, so the same rule serves every type
 * (strings compare by UTF-8 bytes, doubles by canonical bits: {@code -0.0 != 0.0}, {@code NaN == NaN}). Static
 * methods, thread-safe; matching and reading allocate nothing.
 */
public final class TupleCodec {
    /** Most fields in a tuple or template. */
    public static final int MAX_FIELDS = 32;
    /** Most bytes in one string (UTF-8) or bytes field. */
    public static final int MAX_FIELD_BYTES = 65_536;
    /** Most bytes in the binary form of one tuple. */
    public static final int MAX_TUPLE_BYTES = 262_144;

    /** Template tag: any field. */
    public static final int ANY = 0;
    /** Template tag bit: any field of the type in the low bits. */
    public static final int FORMAL = 0x80;
    /** Field tags, the codes of {@link FieldType}. */
    public static final int STRING = 1;
    public static final int LONG = 2;
    public static final int DOUBLE = 3;
    public static final int BOOLEAN = 4;
    public static final int BYTES = 5;
    /** Tag and length of a string or bytes field. */
    public static final int VAR_HEADER = 5;
    /** Tag and payload of a long or double field. */
    public static final int FIXED_LENGTH = 9;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private TupleCodec() {
    }

    // ---------------------------------------------------------------- little-endian access (plain, for heap arrays)

    public static long getLong(final byte[] b, final int off) {
        return (long) LONGS.get(b, off);
    }

    public static void putLong(final byte[] b, final int off, final long v) {
        LONGS.set(b, off, v);
    }

    public static int getInt(final byte[] b, final int off) {
        return (int) INTS.get(b, off);
    }

    public static void putInt(final byte[] b, final int off, final int v) {
        INTS.set(b, off, v);
    }

    // ---------------------------------------------------------------- walking

    /** Length (tag included) of the tuple field whose tag is at {@code off}; the form must be valid. */
    public static int fieldLength(final byte[] b, final int off) {
        switch (b[off]) {
            case STRING:
            case BYTES:
                return VAR_HEADER + getInt(b, off + 1);
            case LONG:
            case DOUBLE:
                return FIXED_LENGTH;
            case BOOLEAN:
                return 2;
            default:
                throw new IllegalStateException("unknown field tag " + (b[off] & 0xFF) + " at " + off);
        }
    }

    /** Length of the template field whose tag is at {@code off}: 1 for a wildcard or formal, else the actual's. */
    public static int templateFieldLength(final byte[] b, final int off) {
        final int tag = b[off] & 0xFF;
        return tag == ANY || (tag & FORMAL) != 0 ? 1 : fieldLength(b, off);
    }

    /**
     * Checks that {@code b[off, off + len)} holds exactly one tuple (or, with {@code template}, one template) in the
     * binary form. Returns {@code null} when it does, otherwise the problem in words.
     */
    public static String check(final byte[] b, final int off, final int len, final boolean template) {
        if (len < 1) {
            return "no bytes";
        }
        final int arity = b[off] & 0xFF;
        if (arity < 1 || arity > MAX_FIELDS) {
            return "arity " + arity + " is outside 1.." + MAX_FIELDS;
        }
        final int end = off + len;
        int p = off + 1;
        for (int i = 0; i < arity; i++) {
            if (p >= end) {
                return "ends before field " + i + " of " + arity;
            }
            final int tag = b[p] & 0xFF;
            if (template && (tag == ANY || (tag & FORMAL) != 0 && FieldType.ofCode(tag & ~FORMAL) != null)) {
                p++;
                continue;
            }
            switch (tag) {
                case STRING:
                case BYTES: {
                    if (end - p < VAR_HEADER) {
                        return "field " + i + " ends inside its length";
                    }
                    final int n = getInt(b, p + 1);
                    if (n < 0 || n > MAX_FIELD_BYTES || n > end - p - VAR_HEADER) {
                        return "field " + i + " has length " + n + ", which the " + (end - p - VAR_HEADER) + " bytes left cannot hold";
                    }
                    p += VAR_HEADER + n;
                    break;
                }
                case LONG:
                case DOUBLE:
                    if (end - p < FIXED_LENGTH) {
                        return "field " + i + " ends inside its 8 bytes";
                    }
                    p += FIXED_LENGTH;
                    break;
                case BOOLEAN:
                    if (end - p < 2 || (b[p + 1] != 0 && b[p + 1] != 1)) {
                        return "field " + i + " is not a boolean 0 or 1";
                    }
                    p += 2;
                    break;
                default:
                    return "field " + i + " has unknown type code " + tag;
            }
        }
        if (p != end) {
            return (end - p) + " bytes follow the last field";
        }
        return null;
    }

    /** Stores the offset of each field's tag of the valid tuple at {@code off} in {@code offsets}; returns the arity. */
    public static int fieldOffsets(final byte[] b, final int off, final int[] offsets) {
        final int arity = b[off];
        int p = off + 1;
        for (int i = 0; i < arity; i++) {
            offsets[i] = p;
            p += fieldLength(b, p);
        }
        return arity;
    }

    /**
     * True when the template at {@code tplOff} matches the tuple at {@code tupOff} (both valid): same arity, each
     * wildcard any field, each formal a field of its type, each actual a byte-equal field. Allocation-free.
     */
    public static boolean matches(final byte[] tpl, final int tplOff, final byte[] tup, final int tupOff) {
        final int arity = tpl[tplOff];
        if (tup[tupOff] != arity) {
            return false;
        }
        int t = tplOff + 1;
        int u = tupOff + 1;
        for (int i = 0; i < arity; i++) {
            final int tag = tpl[t] & 0xFF;
            final int ulen = fieldLength(tup, u);
            if (tag == ANY) {
                t++;
            } else if ((tag & FORMAL) != 0) {
                if (tup[u] != (tag & ~FORMAL)) {
                    return false;
                }
                t++;
            } else {
                final int tlen = fieldLength(tpl, t);
                if (tlen != ulen || !Arrays.equals(tpl, t, t + tlen, tup, u, u + ulen)) {
                    return false;
                }
                t += tlen;
            }
            u += ulen;
        }
        return true;
    }

    // ---------------------------------------------------------------- reading fields: fo is the offset of the tag

    public static FieldType type(final byte[] b, final int fo) {
        return FieldType.ofCode(b[fo]);
    }

    public static long longAt(final byte[] b, final int fo) {
        return getLong(b, fo + 1);
    }

    public static double doubleAt(final byte[] b, final int fo) {
        return Double.longBitsToDouble(getLong(b, fo + 1));
    }

    public static boolean booleanAt(final byte[] b, final int fo) {
        return b[fo + 1] != 0;
    }

    /** Length of the payload of a string or bytes field. */
    public static int varLengthAt(final byte[] b, final int fo) {
        return getInt(b, fo + 1);
    }

    public static String stringAt(final byte[] b, final int fo) {
        return new String(b, fo + VAR_HEADER, getInt(b, fo + 1), StandardCharsets.UTF_8);
    }

    public static byte[] bytesAt(final byte[] b, final int fo) {
        return Arrays.copyOfRange(b, fo + VAR_HEADER, fo + VAR_HEADER + getInt(b, fo + 1));
    }

    /** The field as an object: String, Long, Double, Boolean or a copy of the bytes. */
    public static Object valueAt(final byte[] b, final int fo) {
        switch (b[fo]) {
            case STRING:
                return stringAt(b, fo);
            case LONG:
                return longAt(b, fo);
            case DOUBLE:
                return doubleAt(b, fo);
            case BOOLEAN:
                return booleanAt(b, fo);
            case BYTES:
                return bytesAt(b, fo);
            default:
                throw new IllegalStateException("unknown field tag " + b[fo]);
        }
    }

    // ---------------------------------------------------------------- writing fields

    /**
     * The encoded length of {@code value} as field {@code field} (String or other CharSequence, Long, Integer, Short,
     * Byte, Double, Float, Boolean, byte[]); refuses null, other types and oversized text or bytes.
     */
    public static int valueLength(final Object value, final int field) {
        if (value instanceof CharSequence) {
            final int n = utf8Length((CharSequence) value);
            checkFieldBytes(field, "string", n, "UTF-8 bytes");
            return VAR_HEADER + n;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof Double || value instanceof Float) {
            return FIXED_LENGTH;
        }
        if (value instanceof Boolean) {
            return 2;
        }
        if (value instanceof byte[]) {
            final int n = ((byte[]) value).length;
            checkFieldBytes(field, "bytes", n, "bytes");
            return VAR_HEADER + n;
        }
        if (value == null) {
            throw new IllegalArgumentException("field " + field + " is null: a field is a string, long, double, boolean or byte[]");
        }
        throw new IllegalArgumentException("field " + field + " has unsupported type " + value.getClass().getSimpleName()
                + ": a field is a string, long, double, boolean or byte[]");
    }

    /** Writes {@code value} (checked by {@link #valueLength}) at {@code off}; returns the offset after it. */
    public static int putValue(final Object value, final byte[] dst, final int off) {
        if (value instanceof CharSequence) {
            return putString((CharSequence) value, dst, off);
        }
        if (value instanceof Double || value instanceof Float) {
            return putDouble(((Number) value).doubleValue(), dst, off);
        }
        if (value instanceof Number) {
            return putLongField(((Number) value).longValue(), dst, off);
        }
        if (value instanceof Boolean) {
            return putBoolean((Boolean) value, dst, off);
        }
        final byte[] bytes = (byte[]) value;
        return putBytes(bytes, 0, bytes.length, dst, off);
    }

    /** Refuses a string or bytes field over {@link #MAX_FIELD_BYTES}, naming the field. */
    public static void checkFieldBytes(final int field, final String type, final int n, final String unit) {
        if (n > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("field " + field + " (" + type + ") is too large: " + n + " " + unit + ", at most "
                    + MAX_FIELD_BYTES);
        }
    }

    /** Writes a field at {@code off} (room checked by the caller); returns the offset after it. */
    public static int putLongField(final long v, final byte[] dst, final int off) {
        dst[off] = LONG;
        putLong(dst, off + 1, v);
        return off + FIXED_LENGTH;
    }

    public static int putDouble(final double v, final byte[] dst, final int off) {
        dst[off] = DOUBLE;
        putLong(dst, off + 1, Double.doubleToLongBits(v));
        return off + FIXED_LENGTH;
    }

    public static int putBoolean(final boolean v, final byte[] dst, final int off) {
        dst[off] = BOOLEAN;
        dst[off + 1] = (byte) (v ? 1 : 0);
        return off + 2;
    }

    public static int putBytes(final byte[] src, final int srcOff, final int len, final byte[] dst, final int off) {
        dst[off] = BYTES;
        putInt(dst, off + 1, len);
        System.arraycopy(src, srcOff, dst, off + VAR_HEADER, len);
        return off + VAR_HEADER + len;
    }

    /** Writes a string field; {@code dst} must have room for {@link #utf8Length} bytes after the header. */
    public static int putString(final CharSequence s, final byte[] dst, final int off) {
        final int n = io.slate.internal.Utf8.encode(s, dst, off + VAR_HEADER);
        dst[off] = STRING;
        putInt(dst, off + 1, n);
        return off + VAR_HEADER + n;
    }

    /** The UTF-8 length of {@code s} (an unpaired surrogate counts 3 bytes and is refused when written). */
    public static int utf8Length(final CharSequence s) {
        return io.slate.internal.Utf8.length(s);
    }

    // ---------------------------------------------------------------- text forms

    /**
     * Appends the valid tuple at {@code off} as one JSON array: strings as JSON strings, longs as integers, doubles
     * as numbers with a '.' or exponent (NaN and infinities as the strings "NaN", "Infinity", "-Infinity"), booleans,
     * bytes as the string "b64:" + base64.
     */
    public static void appendJson(final byte[] b, final int off, final StringBuilder out) {
        final int arity = b[off];
        int p = off + 1;
        out.append('[');
        for (int i = 0; i < arity; i++) {
            if (i > 0) {
                out.append(',');
            }
            appendFieldJson(b, p, out);
            p += fieldLength(b, p);
        }
        out.append(']');
    }

    /** Appends the valid template at {@code off}: actuals as in JSON, formals as {@code ?type}, wildcards as {@code *}. */
    public static void appendTemplate(final byte[] b, final int off, final StringBuilder out) {
        final int arity = b[off];
        int p = off + 1;
        out.append('[');
        for (int i = 0; i < arity; i++) {
            if (i > 0) {
                out.append(',');
            }
            final int tag = b[p] & 0xFF;
            if (tag == ANY) {
                out.append('*');
            } else if ((tag & FORMAL) != 0) {
                out.append('?').append(FieldType.ofCode(tag & ~FORMAL).label());
            } else {
                appendFieldJson(b, p, out);
            }
            p += templateFieldLength(b, p);
        }
        out.append(']');
    }

    private static void appendFieldJson(final byte[] b, final int p, final StringBuilder out) {
        switch (b[p]) {
            case STRING:
                quote(stringAt(b, p), out);
                break;
            case LONG:
                out.append(longAt(b, p));
                break;
            case DOUBLE: {
                final double d = doubleAt(b, p);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    out.append('"').append(d).append('"');
                } else {
                    out.append(d);
                }
                break;
            }
            case BOOLEAN:
                out.append(booleanAt(b, p));
                break;
            case BYTES:
                out.append("\"b64:").append(Base64.getEncoder().encodeToString(bytesAt(b, p))).append('"');
                break;
            default:
                throw new IllegalStateException("unknown field tag " + b[p]);
        }
    }

    /** Appends {@code s} as a JSON string literal (RFC 8259 escapes), quotes included. */
    public static void quote(final CharSequence s, final StringBuilder out) {
        io.slate.internal.JsonText.quote(s, out);
    }

    /** A hash of {@code len} bytes (for the index's first-field buckets). */
    public static int hash(final byte[] b, final int off, final int len) {
        int h = 1;
        for (int i = off, end = off + len; i < end; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }
}
