package io.slate.cli;

/**
 * Builds one flat JSON object on one line. Strings are escaped per RFC 8259: quote, backslash and control
 * characters; everything else is written as is (the output stream is UTF-8). Not thread-safe.
 */
final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder sb = new StringBuilder(160);
    private boolean empty = true;

    Json() {
        sb.append('{');
    }

    Json field(final String name, final CharSequence value) {
        name(name);
        quote(value, sb);
        return this;
    }

    Json field(final String name, final long value) {
        name(name);
        sb.append(value);
        return this;
    }

    Json field(final String name, final boolean value) {
        name(name);
        sb.append(value);
        return this;
    }

    /** The value as UTF-8 text, or as base64 with {@code "encoding":"base64"} when it is not text. */
    Json value(final String name, final byte[] value, final int length) {
        if (Text.isText(value, length)) {
            return field(name, Text.utf8(value, length));
        }
        field(name, Text.base64(value, length));
        return field("encoding", "base64");
    }

    private void name(final String name) {
        if (!empty) {
            sb.append(',');
        }
        empty = false;
        quote(name, sb);
        sb.append(':');
    }

    /** The finished object. */
    @Override
    public String toString() {
        return sb + "}";
    }

    /** Appends {@code s} as a JSON string literal, quotes included. */
    static void quote(final CharSequence s, final StringBuilder out) {
        out.append('"');
        final int n = s.length();
        for (int i = 0; i < n; i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c) && !pairedSurrogate(s, i)) {
                        out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                    break;
            }
        }
        out.append('"');
    }

    /** True when the surrogate at {@code i} is half of a well-formed pair (then UTF-8 output can carry it). */
    private static boolean pairedSurrogate(final CharSequence s, final int i) {
        final char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** {@code s} as a JSON string literal. */
    static String quote(final CharSequence s) {
        final StringBuilder out = new StringBuilder(s.length() + 2);
        quote(s, out);
        return out.toString();
    }
}
