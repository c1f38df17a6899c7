package io.slate.cli;

/**
 * Builds one flat JSON object on one line. Strings are escaped per RFC 8259: quote, backslash and control
 * characters; everything else is written as is (the output stream is UTF-8). Not thread-safe.
 */
final class Json {

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
        io.slate.internal.JsonText.quote(s, out);
    }

    /** {@code s} as a JSON string literal. */
    static String quote(final CharSequence s) {
        final StringBuilder out = new StringBuilder(s.length() + 2);
        quote(s, out);
        return out.toString();
    }
}
