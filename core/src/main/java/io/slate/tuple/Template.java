package io.slate.tuple;

import io.slate.engine.tuple.TupleCodec;

import java.util.Arrays;

/**
 * What a reader or taker looks for: one entry per field, each an actual value (the field must equal it), a typed
 * formal (any field of that type: {@link #ANY_STRING}, {@link #ANY_LONG}, {@link #ANY_DOUBLE}, {@link #ANY_BOOLEAN},
 * {@link #ANY_BYTES}) or the wildcard {@link #ANY}. A template matches tuples of exactly its arity.
 * {@code Template.of("alert", Template.ANY_LONG, Template.ANY)}.
 *
 * <p>Actual values follow the rules of {@link Tuple#of}: an {@code Integer} is the long of the same value, a
 * {@code Float} the double; strings compare by their UTF-8 bytes, doubles by canonical bits ({@code -0.0} and
 * {@code 0.0} differ, every NaN equals NaN).
 *
 * <p>Immutable and thread-safe.
 */
public final class Template {
    /** Matches any field. */
    public static final Formal ANY = new Formal(null);
    /** Matches any string field. */
    public static final Formal ANY_STRING = new Formal(FieldType.STRING);
    /** Matches any long field. */
    public static final Formal ANY_LONG = new Formal(FieldType.LONG);
    /** Matches any double field. */
    public static final Formal ANY_DOUBLE = new Formal(FieldType.DOUBLE);
    /** Matches any boolean field. */
    public static final Formal ANY_BOOLEAN = new Formal(FieldType.BOOLEAN);
    /** Matches any bytes field. */
    public static final Formal ANY_BYTES = new Formal(FieldType.BYTES);

    private final byte[] bytes;

    private Template(final byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A template of these fields: actual values (as for {@link Tuple#of}), typed formals and {@link #ANY}.
     *
     * @throws IllegalArgumentException for no fields (arity 0), more than {@value Tuple#MAX_FIELDS}, a null field or
     *                                  one of an unsupported type, or an actual value over the size limits
     */
    public static Template of(final Object... fields) {
        if (fields == null || fields.length == 0) {
            throw new IllegalArgumentException("a template needs at least one field (arity 0 matches nothing)");
        }
        if (fields.length > Tuple.MAX_FIELDS) {
            throw new IllegalArgumentException("too many fields: " + fields.length + ", a template has at most " + Tuple.MAX_FIELDS);
        }
        int length = 1;
        for (int i = 0; i < fields.length; i++) {
            length += fields[i] instanceof Formal ? 1 : TupleCodec.valueLength(fields[i], i);
        }
        Tuple.checkEncodedLength(length);
        final byte[] b = new byte[length];
        b[0] = (byte) fields.length;
        int p = 1;
        for (final Object f : fields) {
            if (f instanceof Formal) {
                final FieldType t = ((Formal) f).type;
                b[p++] = (byte) (t == null ? TupleCodec.ANY : TupleCodec.FORMAL | t.code());
            } else {
                p = TupleCodec.putValue(f, b, p);
            }
        }
        return new Template(b);
    }

    /** The template of {@code arity} wildcards: matches every tuple of that arity. */
    public static Template anyOfArity(final int arity) {
        if (arity < 1 || arity > Tuple.MAX_FIELDS) {
            throw new IllegalArgumentException("arity must be 1.." + Tuple.MAX_FIELDS + ", got " + arity);
        }
        final byte[] b = new byte[1 + arity];
        b[0] = (byte) arity;
        return new Template(b);
    }

    /**
     * The template whose binary form is {@code src[offset, offset + length)} (as {@link #encodeTo} writes it).
     *
     * @throws IllegalArgumentException naming the problem when those bytes are not exactly one template
     */
    public static Template decode(final byte[] src, final int offset, final int length) {
        if (offset < 0 || length < 0 || offset + length > src.length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length) + ") outside an array of " + src.length);
        }
        final String problem = TupleCodec.check(src, offset, length, true);
        if (problem != null) {
            throw new IllegalArgumentException("not a template: " + problem);
        }
        return new Template(Arrays.copyOfRange(src, offset, offset + length));
    }

    /** The number of fields: the arity of the tuples it matches. */
    public int arity() {
        return bytes[0];
    }

    /** True when this template matches {@code tuple}. */
    public boolean matches(final Tuple tuple) {
        final int n = tuple.encodedLength();
        final byte[] b = new byte[n];
        tuple.encodeTo(b, 0);
        return TupleCodec.matches(bytes, 0, b, 0);
    }

    /** True when this template matches the tuple in {@code buffer} (false when it is empty). */
    public boolean matches(final TupleBuffer buffer) {
        if (buffer.isEmpty()) {
            return false;
        }
        final byte[] b = new byte[buffer.encodedLength()];
        buffer.encodeTo(b, 0);
        return TupleCodec.matches(bytes, 0, b, 0);
    }

    /** The length of this template's binary form. */
    public int encodedLength() {
        return bytes.length;
    }

    /** Copies this template's binary form into {@code dst} at {@code offset}; returns the number of bytes written. */
    public int encodeTo(final byte[] dst, final int offset) {
        System.arraycopy(bytes, 0, dst, offset, bytes.length);
        return bytes.length;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Template && Arrays.equals(bytes, ((Template) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The template as the command line writes it: actuals as JSON, formals as {@code ?long}, wildcards as {@code *}. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(bytes.length + 16);
        TupleCodec.appendTemplate(bytes, 0, sb);
        return sb.toString();
    }

    /** A formal: matches any field of its type, or any field at all ({@link #ANY}). The constants are the only instances. */
    public static final class Formal {
        private final FieldType type;

        private Formal(final FieldType type) {
            this.type = type;
        }

        /** The type this formal matches, or {@code null} for {@link #ANY}. */
        public FieldType type() {
            return type;
        }

        /** {@code *} or {@code ?type}. */
        @Override
        public String toString() {
            return type == null ? "*" : "?" + type.label();
        }
    }
}
