package io.slate.tuple;

import io.slate.engine.tuple.TupleCodec;

import java.util.Arrays;

/**
 * A reusable, mutable tuple: the allocation-free way to build a tuple for {@link TupleSpace#out(TupleBuffer)} and to
 * receive one from {@link TupleSpace#inp(Template, TupleBuffer)}, {@link TupleSpace#rdp(Template, TupleBuffer)} or a
 * {@link TupleWatch}. Its byte array grows when a tuple does not fit and is then reused.
 *
 * <p>Build: {@code buffer.clear().addString("job").addLong(42)}. Read: the same accessors as {@link Tuple}, plus the
 * tuple's {@link #id()} (its journal index) and times when it was filled from a space.
 *
 * <p>Not thread-safe: one per thread. A buffer handed out by a watch is valid until the watch's next call.
 */
public final class TupleBuffer {
    private byte[] bytes;
    private int length;
    private final int[] offsets = new int[Tuple.MAX_FIELDS];
    private long id = -1;
    private long writtenAtNanos;
    private long expiresAtNanos = Long.MAX_VALUE;

    /** An empty buffer with room for 256 bytes. */
    public TupleBuffer() {
        this(256);
    }

    /** An empty buffer with room for {@code initialCapacity} bytes of binary form. */
    public TupleBuffer(final int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
        clear();
    }

    // ---------------------------------------------------------------- building

    /** Empties the buffer (no fields, no id); returns it for chaining. */
    public TupleBuffer clear() {
        bytes[0] = 0;
        length = 1;
        id = -1;
        writtenAtNanos = 0;
        expiresAtNanos = Long.MAX_VALUE;
        return this;
    }

    /** Appends a string field. @throws IllegalArgumentException when full, too large or not valid Unicode */
    public TupleBuffer addString(final CharSequence value) {
        final int field = nextField();
        if (value == null) {
            throw new IllegalArgumentException("field " + field + " is null");
        }
        final int n = TupleCodec.utf8Length(value);
        TupleCodec.checkFieldBytes(field, "string", n, "UTF-8 bytes");
        ensure(TupleCodec.VAR_HEADER + n);
        final int end = TupleCodec.putString(value, bytes, length);
        return added(field, end);
    }

    /** Appends a long field. @throws IllegalArgumentException when the buffer already holds {@value Tuple#MAX_FIELDS} fields */
    public TupleBuffer addLong(final long value) {
        final int field = nextField();
        ensure(TupleCodec.FIXED_LENGTH);
        return added(field, TupleCodec.putLongField(value, bytes, length));
    }

    /** Appends a double field. @throws IllegalArgumentException when the buffer already holds {@value Tuple#MAX_FIELDS} fields */
    public TupleBuffer addDouble(final double value) {
        final int field = nextField();
        ensure(TupleCodec.FIXED_LENGTH);
        return added(field, TupleCodec.putDouble(value, bytes, length));
    }

    /** Appends a boolean field. @throws IllegalArgumentException when the buffer already holds {@value Tuple#MAX_FIELDS} fields */
    public TupleBuffer addBoolean(final boolean value) {
        final int field = nextField();
        ensure(2);
        return added(field, TupleCodec.putBoolean(value, bytes, length));
    }

    /** Appends a bytes field (copied). @throws IllegalArgumentException when full or too large */
    public TupleBuffer addBytes(final byte[] value) {
        return addBytes(value, 0, value.length);
    }

    /** Appends {@code value[offset, offset + len)} as a bytes field (copied). @throws IllegalArgumentException when full or too large */
    public TupleBuffer addBytes(final byte[] value, final int offset, final int len) {
        final int field = nextField();
        if (offset < 0 || len < 0 || offset + len > value.length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + len) + ") outside an array of " + value.length);
        }
        TupleCodec.checkFieldBytes(field, "bytes", len, "bytes");
        ensure(TupleCodec.VAR_HEADER + len);
        return added(field, TupleCodec.putBytes(value, offset, len, bytes, length));
    }

    private int nextField() {
        final int field = bytes[0];
        if (field >= Tuple.MAX_FIELDS) {
            throw new IllegalArgumentException("too many fields: a tuple has at most " + Tuple.MAX_FIELDS);
        }
        return field;
    }

    private void ensure(final int more) {
        Tuple.checkEncodedLength(length + more);
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
        }
    }

    private TupleBuffer added(final int field, final int end) {
        offsets[field] = length;
        length = end;
        bytes[0] = (byte) (field + 1);
        id = -1;
        return this;
    }

    /**
     * Replaces the content with the tuple whose binary form is {@code src[offset, offset + len)}; the id and times
     * are reset. Returns this buffer.
     *
     * @throws IllegalArgumentException naming the problem when those bytes are not exactly one tuple
     */
    public TupleBuffer set(final byte[] src, final int offset, final int len) {
        if (offset < 0 || len < 0 || offset + len > src.length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + len) + ") outside an array of " + src.length);
        }
        final String problem = TupleCodec.check(src, offset, len, false);
        if (problem != null) {
            throw new IllegalArgumentException("not a tuple: " + problem);
        }
        if (bytes.length < len) {
            bytes = new byte[Math.max(len, bytes.length * 2)];
        }
        System.arraycopy(src, offset, bytes, 0, len);
        length = len;
        TupleCodec.fieldOffsets(bytes, 0, offsets);
        id = -1;
        writtenAtNanos = 0;
        expiresAtNanos = Long.MAX_VALUE;
        return this;
    }

    /** Replaces the content with {@code tuple}'s; the id and times are reset. */
    public TupleBuffer set(final Tuple tuple) {
        final int n = tuple.encodedLength();
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, bytes.length * 2)];
        }
        tuple.encodeTo(bytes, 0);
        length = n;
        TupleCodec.fieldOffsets(bytes, 0, offsets);
        id = -1;
        writtenAtNanos = 0;
        expiresAtNanos = Long.MAX_VALUE;
        return this;
    }

    /**
     * Records where the tuple came from: its id (the journal index of its {@code out}), when it was written and when it
     * expires (epoch nanoseconds; {@code Long.MAX_VALUE}: never). Set by the tuple space when it fills the buffer.
     */
    public TupleBuffer origin(final long id, final long writtenAtNanos, final long expiresAtNanos) {
        this.id = id;
        this.writtenAtNanos = writtenAtNanos;
        this.expiresAtNanos = expiresAtNanos;
        return this;
    }

    // ---------------------------------------------------------------- reading

    /** True when the buffer holds no field. */
    public boolean isEmpty() {
        return bytes[0] == 0;
    }

    /** The number of fields. */
    public int arity() {
        return bytes[0];
    }

    /** The tuple's id, the journal index of the record that wrote it; {@code -1} for a tuple built here. */
    public long id() {
        return id;
    }

    /** When the tuple was written, epoch nanoseconds; 0 for a tuple built here. */
    public long writtenAtNanos() {
        return writtenAtNanos;
    }

    /** When the tuple's lease ends, epoch nanoseconds; {@code Long.MAX_VALUE} when it has none. */
    public long expiresAtNanos() {
        return expiresAtNanos;
    }

    /** The type of field {@code i}. */
    public FieldType type(final int i) {
        return TupleCodec.type(bytes, offset(i));
    }

    /** Allocates: field {@code i} as a string. @throws IllegalArgumentException if it is not a string */
    public String getString(final int i) {
        return TupleCodec.stringAt(bytes, typed(i, FieldType.STRING));
    }

    /** True when string field {@code i} equals {@code s}; allocation-free. @throws IllegalArgumentException if it is not a string */
    public boolean stringEquals(final int i, final CharSequence s) {
        final int fo = typed(i, FieldType.STRING);
        final int n = TupleCodec.varLengthAt(bytes, fo);
        if (s.length() > n) {
            return false;
        }
        int p = fo + TupleCodec.VAR_HEADER;
        final int end = p + n;
        for (int c = 0; c < s.length(); c++) {
            final char ch = s.charAt(c);
            if (ch >= 0x80) {
                return getString(i).contentEquals(s);
            }
            if (p >= end || bytes[p++] != ch) {
                return false;
            }
        }
        return p == end;
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

    /** Allocates: a copy of bytes field {@code i}. @throws IllegalArgumentException if it is not a bytes field */
    public byte[] getBytes(final int i) {
        return TupleCodec.bytesAt(bytes, typed(i, FieldType.BYTES));
    }

    /** Allocates: field {@code i} as an object ({@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code byte[]}). */
    public Object get(final int i) {
        return TupleCodec.valueAt(bytes, offset(i));
    }

    /** Allocates: an immutable copy. @throws IllegalStateException when the buffer is empty */
    public Tuple toTuple() {
        if (isEmpty()) {
            throw new IllegalStateException("the buffer holds no field: a tuple needs at least one");
        }
        return new Tuple(Arrays.copyOf(bytes, length));
    }

    /** The length of the binary form. */
    public int encodedLength() {
        return length;
    }

    /** Copies the binary form into {@code dst} at {@code offset}; returns the number of bytes written. */
    public int encodeTo(final byte[] dst, final int offset) {
        System.arraycopy(bytes, 0, dst, offset, length);
        return length;
    }

    private int offset(final int i) {
        if (i < 0 || i >= bytes[0]) {
            throw new IndexOutOfBoundsException("field " + i + " of a tuple of " + bytes[0] + " fields");
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

    /** Allocates: the tuple as one JSON array, like {@link Tuple#toString()}; {@code []} when empty. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "[]";
        }
        final StringBuilder sb = new StringBuilder(length + 16);
        TupleCodec.appendJson(bytes, 0, sb);
        return sb.toString();
    }
}
