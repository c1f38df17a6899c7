package io.slate.blackboard;

/**
 * The type of one attribute value of a blackboard entry. The code is the byte stored in journal records
 * (see {@code docs/blackboard.md}); codes are never reused.
 */
public enum AttributeType {
    /** UTF-8 text. */
    STRING(1),
    /** A signed 64-bit integer. */
    LONG(2),
    /** An IEEE 754 double (NaN and infinities included: an attribute is data, not a confidence). */
    DOUBLE(3),
    /** A boolean. */
    BOOLEAN(4),
    /** Opaque bytes. */
    BYTES(5);

    private final int code;

    AttributeType(final int code) {
        this.code = code;
    }

    /** The byte that stands for this type in journal records. */
    public int code() {
        return code;
    }

    /** The type with this code, or {@code null} for a code this build does not know. */
    public static AttributeType ofCode(final int code) {
        for (AttributeType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
