package io.slate.blackboard;

import io.slate.engine.blackboard.Names;

import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The attributes of a blackboard entry: names mapped to typed values (text, long, double, boolean or bytes).
 * Names are 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes without control characters; a name holds one value.
 *
 * <p>Immutable and thread-safe. Names are kept in their natural order, so two attribute sets with the same
 * contents are equal and encode to the same bytes. Byte values are copied in and out.
 *
 * <pre>{@code
 * Attributes a = Attributes.builder().put("sensor", 7).put("value", 8.5).put("unit", "dB").build();
 * double v = a.getDouble("value");
 * Attributes b = a.with("checked", true);
 * }</pre>
 */
public final class Attributes {
    /** Largest attribute name in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** Most attributes one entry may have. */
    public static final int MAX_COUNT = 65_535;

    private static final Attributes EMPTY = new Attributes(new TreeMap<>());

    /** Values by name: String, Long, Double, Boolean or byte[] (owned, never handed out). */
    private final TreeMap<String, Object> values;

    private Attributes(final TreeMap<String, Object> values) {
        this.values = values;
    }

    /** No attributes. */
    public static Attributes empty() {
        return EMPTY;
    }

    /** A builder for a new attribute set. */
    public static Builder builder() {
        return new Builder(new TreeMap<>());
    }

    /** Shorthand for one attribute. */
    public static Attributes of(final String name, final Object value) {
        return builder().putValue(name, value).build();
    }

    /** Shorthand for two attributes. */
    public static Attributes of(final String name1, final Object value1, final String name2, final Object value2) {
        return builder().putValue(name1, value1).putValue(name2, value2).build();
    }

    /** Shorthand for three attributes. */
    public static Attributes of(final String name1, final Object value1, final String name2, final Object value2, final String name3,
                                final Object value3) {
        return builder().putValue(name1, value1).putValue(name2, value2).putValue(name3, value3).build();
    }

    /** A builder starting from these attributes. */
    public Builder toBuilder() {
        return new Builder(new TreeMap<>(values));
    }

    /** A copy with {@code name} set to {@code value} (String, Long/Integer/Short/Byte, Double/Float, Boolean or byte[]). */
    public Attributes with(final String name, final Object value) {
        return toBuilder().putValue(name, value).build();
    }

    /** A copy without {@code name}. */
    public Attributes without(final String name) {
        return toBuilder().remove(name).build();
    }

    /** The names, in order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public int size() {
        return values.size();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean has(final String name) {
        return values.containsKey(name);
    }

    /** The type of the value under {@code name}, or {@code null} when there is none. */
    public AttributeType type(final String name) {
        final Object v = values.get(name);
        return v == null ? null : typeOf(v);
    }

    /** @throws IllegalArgumentException when there is no such attribute or it is not text */
    public String getString(final String name) {
        return (String) require(name, AttributeType.STRING);
    }

    /** @throws IllegalArgumentException when there is no such attribute or it is not a long */
    public long getLong(final String name) {
        return (Long) require(name, AttributeType.LONG);
    }

    /** @throws IllegalArgumentException when there is no such attribute or it is not a double */
    public double getDouble(final String name) {
        return (Double) require(name, AttributeType.DOUBLE);
    }

    /** @throws IllegalArgumentException when there is no such attribute or it is not a boolean */
    public boolean getBoolean(final String name) {
        return (Boolean) require(name, AttributeType.BOOLEAN);
    }

    /** Allocates: a copy of the bytes. @throws IllegalArgumentException when there is no such attribute or it is not bytes */
    public byte[] getBytes(final String name) {
        return ((byte[]) require(name, AttributeType.BYTES)).clone();
    }

    /** The value as a String, Long, Double, Boolean or (a copy of the) byte[]; {@code null} when absent. */
    public Object get(final String name) {
        final Object v = values.get(name);
        return v instanceof byte[] ? ((byte[]) v).clone() : v;
    }

    /** For the encoder: the value without copying bytes. Do not modify what it returns. */
    public Object rawValue(final String name) {
        return values.get(name);
    }

    /** An unmodifiable view of the names and values (byte arrays are shared: do not modify them). */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    private Object require(final String name, final AttributeType type) {
        final Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no attribute '" + name + "' (attributes: " + values.keySet() + ")");
        }
        final AttributeType actual = typeOf(v);
        if (actual != type) {
            throw new IllegalArgumentException("attribute '" + name + "' is " + actual + ", not " + type);
        }
        return v;
    }

    static AttributeType typeOf(final Object v) {
        if (v instanceof String) {
            return AttributeType.STRING;
        }
        if (v instanceof Long) {
            return AttributeType.LONG;
        }
        if (v instanceof Double) {
            return AttributeType.DOUBLE;
        }
        if (v instanceof Boolean) {
            return AttributeType.BOOLEAN;
        }
        return AttributeType.BYTES;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Attributes)) {
            return false;
        }
        final TreeMap<String, Object> other = ((Attributes) o).values;
        if (other.size() != values.size()) {
            return false;
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            final Object w = other.get(e.getKey());
            if (w == null || !sameValue(e.getValue(), w)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameValue(final Object a, final Object b) {
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        // Double.equals compares bits: NaN equals NaN, 0.0 differs from -0.0, as in the encoding
        return a.equals(b);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            final Object v = e.getValue();
            h = 31 * h + e.getKey().hashCode();
            h = 31 * h + (v instanceof byte[] ? Arrays.hashCode((byte[]) v) : v.hashCode());
        }
        return h;
    }

    /** {@code {name=value, ...}}; text in quotes, bytes as {@code b64:...}. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append('=');
            final Object v = e.getValue();
            if (v instanceof String) {
                sb.append('"').append(v).append('"');
            } else if (v instanceof byte[]) {
                sb.append("b64:").append(Base64.getEncoder().encodeToString((byte[]) v));
            } else {
                sb.append(v);
            }
        }
        return sb.append('}').toString();
    }

    /**
     * Builds an attribute set. Not thread-safe; {@link #build()} may be called more than once (each call copies).
     */
    public static final class Builder {
        private final TreeMap<String, Object> values;

        private Builder(final TreeMap<String, Object> values) {
            this.values = values;
        }

        public Builder put(final String name, final String value) {
            if (value == null) {
                throw new IllegalArgumentException("value of attribute '" + name + "' must not be null");
            }
            Names.checkUnicode(value, "value of attribute '" + name + "'");
            return set(name, value);
        }

        public Builder put(final String name, final long value) {
            return set(name, value);
        }

        public Builder put(final String name, final double value) {
            return set(name, value);
        }

        public Builder put(final String name, final boolean value) {
            return set(name, value);
        }

        /** Copies the bytes. */
        public Builder put(final String name, final byte[] value) {
            if (value == null) {
                throw new IllegalArgumentException("value of attribute '" + name + "' must not be null");
            }
            return set(name, value.clone());
        }

        /**
         * Puts a value of any supported type: String, Long (or Integer, Short, Byte), Double (or Float), Boolean or byte[].
         *
         * @throws IllegalArgumentException for {@code null} or another type
         */
        public Builder putValue(final String name, final Object value) {
            if (value instanceof String) {
                return put(name, (String) value);
            }
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                return put(name, ((Number) value).longValue());
            }
            if (value instanceof Double || value instanceof Float) {
                return put(name, ((Number) value).doubleValue());
            }
            if (value instanceof Boolean) {
                return put(name, (boolean) (Boolean) value);
            }
            if (value instanceof byte[]) {
                return put(name, (byte[]) value);
            }
            throw new IllegalArgumentException("attribute '" + name + "': values are String, long, double, boolean or byte[], not "
                    + (value == null ? "null" : value.getClass().getName()));
        }

        public Builder remove(final String name) {
            values.remove(name);
            return this;
        }

        private Builder set(final String name, final Object value) {
            Names.check(name, "attribute name", MAX_NAME_BYTES);
            if (!values.containsKey(name) && values.size() >= MAX_COUNT) {
                throw new IllegalArgumentException("an entry has at most " + MAX_COUNT + " attributes");
            }
            values.put(name, value);
            return this;
        }

        public Attributes build() {
            return values.isEmpty() ? EMPTY : new Attributes(new TreeMap<>(values));
        }
    }
}
