package io.slate.tuple;

import io.slate.engine.tuple.TupleCodec;

import java.util.Arrays;

/**
 * An immutable tuple: an ordered list of 1 to {@value #MAX_FIELDS} fields, each a string, long, double, boolean or
 * bytes ({@link FieldType}). {@code Tuple.of("alert", 7L, 0.93)}.
 *
 * <p>A tuple is kept in its binary form ({@code docs/tuples.md}), which is also what the journal stores; accessors
 * decode one field at a time. Thread-safe (immutable). For a reusable, allocation-free tuple see {@link TupleBuffer}.
 */
public final class Tuple {
    /** Most fields in a tuple. */
    public static final int MAX_FIELDS = TupleCodec.MAX_FIELDS;
    /** Most bytes in one string field (UTF-8) or bytes field. */
    public static final int MAX_FIELD_BYTES = TupleCodec.MAX_FIELD_BYTES;
    /** Most bytes in the binary form of one tuple. */
    public static final int MAX_ENCODED_BYTES = TupleCodec.MAX_TUPLE_BYTES;

    private final byte[] bytes;
    private final int[] offsets;

    /** Takes ownership of a valid binary form. */
    Tuple(final byte[] bytes) {
        this.bytes = bytes;
        this.offsets = new int[bytes[0]];
        TupleCodec.fieldOffsets(bytes, 0, offsets);
    }

    /**
     * A tuple of these fields: {@code String} (or any {@code CharSequence}), {@code Long} (also {@code Integer},
     * {@code Short}, {@code Byte}: stored as long), {@code Double} (also {@code Float}), {@code Boolean},
     * {@code byte[]} (copied).
     *
     * @throws IllegalArgumentException for no fields, more than {@value #MAX_FIELDS}, a null field or one of another
     *                                  type, a string or bytes field over {@value #MAX_FIELD_BYTES} bytes, a tuple
     *                                  over {@value #MAX_ENCODED_BYTES} bytes, or text that is not valid Unicode
     */
    public static Tuple of(final Object... fields) {
        if (fields == null || fields.length == 0) {
            throw new IllegalArgumentException("a tuple needs at least one field");
        }
        if (fields.length > MAX_FIELDS) {
            throw new IllegalArgumentException("too many fields: " + fields.length + ", a tuple has at most " + MAX_FIELDS);
        }
        int length = 1;
        for (int i = 0; i < fields.length; i++) {
            length += TupleCodec.valueLength(fields[i], i);
        }
        checkEncodedLength(length);
        final byte[] b = new byte[length];
        b[0] = (byte) fields.length;
        int p = 1;
        for (final Object f : fields) {
            p = TupleCodec.putValue(f, b, p);
        }
        return new Tuple(b);
    }

    static void checkEncodedLength(final int length) {
        if (length > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("tuple is too large: " + length + " bytes encoded, at most " + MAX_ENCODED_BYTES);
        }
    }

    /**
     * The tuple whose binary form is {@code src[offset, offset + length)} (as {@link #encodeTo} writes it).
     *
     * @throws IllegalArgumentException naming the problem when those bytes are not exactly one tuple
     */
    public static Tuple decode(final byte[] src, final int offset, final int length) {
        if (offset < 0 || length < 0 || offset + length > src.length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length) + ") outside an array of " + src.length);
        }
        final String problem = TupleCodec.check(src, offset, length, false);
        if (problem != null) {
            throw new IllegalArgumentException("not a tuple: " + problem);
        }
        return new Tuple(Arrays.copyOfRange(src, offset, offset + length));
    }

    /** The number of fields, 1 to {@value #MAX_FIELDS}. */
    public int arity() {
        return offsets.length;
    }

    /** The type of field {@code i} (0-based). */
    public FieldType type(final int i) {
        return TupleCodec.type(bytes, offset(i));
    }

    /** Field {@code i} as a string. @throws IllegalArgumentException if it is not a string */
    public String getString(final int i) {
        return TupleCodec.stringAt(bytes, typed(i, FieldType.STRING));
    }

    /** Field {@code i} as a long. @throws IllegalArgumentException if it is not a long */
    public long getLong(final int i) {
        return TupleCodec.longAt(bytes, typed(i, FieldType.LONG));
    }

    /** Field {@code i} as a double. @throws IllegalArgumentException if it is not a double */
    public double getDouble(final int i) {
        return TupleCodec.doubleAt(bytes, typed(i, FieldType.DOUBLE));
    }

    /** Field {@code i} as a boolean. @throws IllegalArgumentException if it is not a boolean */
    public boolean getBoolean(final int i) {
        return TupleCodec.booleanAt(bytes, typed(i, FieldType.BOOLEAN));
    }

    /** A copy of field {@code i}'s bytes. @throws IllegalArgumentException if it is not a bytes field */
    public byte[] getBytes(final int i) {
        return TupleCodec.bytesAt(bytes, typed(i, FieldType.BYTES));
    }

    /** Field {@code i} as an object: {@code String}, {@code Long}, {@code Double}, {@code Boolean} or a copy of the {@code byte[]}. */
    public Object get(final int i) {
        return TupleCodec.valueAt(bytes, offset(i));
    }

    /** The length of this tuple's binary form. */
    public int encodedLength() {
        return bytes.length;
    }

    /** Copies this tuple's binary form into {@code dst} at {@code offset}; returns the number of bytes written. */
    public int encodeTo(final byte[] dst, final int offset) {
        System.arraycopy(bytes, 0, dst, offset, bytes.length);
        return bytes.length;
    }

    private int offset(final int i) {
        if (i < 0 || i >= offsets.length) {
            throw new IndexOutOfBoundsException("field " + i + " of a tuple of " + offsets.length + " fields");
        }
        return offsets[i];
    }

    private int typed(final int i, final FieldType expected) {
        final int fo = offset(i);
        if (bytes[fo] != expected.code()) {
            throw new IllegalArgumentException("field " + i + " is a " + TupleCodec.type(bytes, fo).label() + ", not a " + expected.label());
        }
        return fo;
    }

    /** Two tuples are equal when their fields are: same types, same values (doubles by canonical bits). */
    @Override
    public boolean equals(final Object o) {
        return o instanceof Tuple && Arrays.equals(bytes, ((Tuple) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The tuple as one JSON array, e.g. {@code ["alert",7,0.93]} (bytes as {@code "b64:..."}). */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(bytes.length + 16);
        TupleCodec.appendJson(bytes, 0, sb);
        return sb.toString();
    }
}
