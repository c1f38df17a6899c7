package io.slate.tuple;

/**
 * The type of one field of a tuple. Each type has a one-byte code in the binary form of tuples (see
 * {@code docs/tuples.md}); codes are never reused. Immutable.
 */
public enum FieldType {
    /** Text, stored as UTF-8. */
    STRING(1, "string"),
    /** A 64-bit signed integer. */
    LONG(2, "long"),
    /** A 64-bit IEEE 754 floating-point number; two doubles are equal when their canonical bits are. */
    DOUBLE(3, "double"),
    /** {@code true} or {@code false}. */
    BOOLEAN(4, "boolean"),
    /** Raw bytes. */
    BYTES(5, "bytes");

    private static final FieldType[] BY_CODE = {null, STRING, LONG, DOUBLE, BOOLEAN, BYTES};

    private final int code;
    private final String label;

    FieldType(final int code, final String label) {
        this.code = code;
        this.label = label;
    }

    /** The byte that tags a field of this type in the binary form. */
    public int code() {
        return code;
    }

    /** The lower-case name the command line uses ({@code ?long} is a formal of type {@code long}). */
    public String label() {
        return label;
    }

    /** The type with this code, or {@code null} for a code this build does not know. */
    public static FieldType ofCode(final int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
