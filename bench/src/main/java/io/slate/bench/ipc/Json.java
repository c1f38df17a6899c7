package io.slate.bench.ipc;

import java.util.Locale;

/** A small JSON writer: objects, arrays, strings, numbers; indentation by nesting. Enough for results.json. */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private int depth;
    private boolean first = true;
    private boolean pendingValue;

    Json beginObject() {
        return open('{');
    }

    Json endObject() {
        return close('}');
    }

    Json beginArray() {
        return open('[');
    }

    Json endArray() {
        return close(']');
    }

    /** Starts a member of the current object; follow it with a value or a begin. */
    Json name(final String name) {
        separate();
        string(name);
        sb.append(": ");
        pendingValue = true; // the value that follows needs no separator
        return this;
    }

    Json value(final String s) {
        separate();
        if (s == null) {
            sb.append("null");
        } else {
            string(s);
        }
        return this;
    }

    Json value(final long n) {
        separate();
        sb.append(n);
        return this;
    }

    /** A number; NaN and infinities become {@code null}. */
    Json value(final double d) {
        separate();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            sb.append("null");
        } else {
            sb.append(String.format(Locale.ROOT, "%.3f", d));
        }
        return this;
    }

    Json nullValue() {
        separate();
        sb.append("null");
        return this;
    }

    private Json open(final char c) {
        separate();
        sb.append(c);
        depth++;
        first = true;
        return this;
    }

    private Json close(final char c) {
        depth--;
        if (!first) {
            newline();
        }
        sb.append(c);
        first = false;
        return this;
    }

    private void separate() {
        if (pendingValue) {
            pendingValue = false;
            first = false;
            return;
        }
        if (!first) {
            sb.append(',');
        }
        if (depth > 0) {
            newline();
        }
        first = false;
    }

    private void newline() {
        sb.append('\n');
        for (int i = 0; i < depth; i++) {
            sb.append("  ");
        }
    }

    private void string(final String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString() + "\n";
    }

    /**
     * Reads JSON text into maps (insertion-ordered), lists, strings, doubles, booleans and null. For reading back
     * results.json files ({@code --compare}); a malformed text is an {@link IllegalArgumentException} saying where.
     */
    static Object parse(final String text) {
        final Reader r = new Reader(text);
        final Object v = r.value();
        r.skipSpace();
        if (r.at < text.length()) {
            throw r.problem("text after the value");
        }
        return v;
    }

    private static final class Reader {
        private final String s;
        private int at;

        Reader(final String s) {
            this.s = s;
        }

        IllegalArgumentException problem(final String what) {
            return new IllegalArgumentException(what + " at character " + at);
        }

        void skipSpace() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        private char peek() {
            skipSpace();
            if (at >= s.length()) {
                throw problem("unexpected end");
            }
            return s.charAt(at);
        }

        private void expect(final char c) {
            if (peek() != c) {
                throw problem("expected '" + c + "'");
            }
            at++;
        }

        Object value() {
            final char c = peek();
            switch (c) {
                case '{': {
                    at++;
                    final java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                    if (peek() == '}') {
                        at++;
                        return m;
                    }
                    while (true) {
                        if (peek() != '"') {
                            throw problem("expected a member name");
                        }
                        final String k = string();
                        expect(':');
                        m.put(k, value());
                        if (peek() == ',') {
                            at++;
                            continue;
                        }
                        expect('}');
                        return m;
                    }
                }
                case '[': {
                    at++;
                    final java.util.List<Object> l = new java.util.ArrayList<>();
                    if (peek() == ']') {
                        at++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        if (peek() == ',') {
                            at++;
                            continue;
                        }
                        expect(']');
                        return l;
                    }
                }
                case '"':
                    return string();
                default:
                    if (s.startsWith("null", at)) {
                        at += 4;
                        return null;
                    }
                    if (s.startsWith("true", at)) {
                        at += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", at)) {
                        at += 5;
                        return Boolean.FALSE;
                    }
                    final int start = at;
                    while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                        at++;
                    }
                    if (start == at) {
                        throw problem("unexpected '" + c + "'");
                    }
                    try {
                        return Double.parseDouble(s.substring(start, at));
                    } catch (NumberFormatException e) {
                        at = start;
                        throw problem("bad number");
                    }
            }
        }

        private String string() {
            expect('"');
            final StringBuilder b = new StringBuilder();
            while (true) {
                if (at >= s.length()) {
                    throw problem("unterminated string");
                }
                final char c = s.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (at >= s.length()) {
                    throw problem("unterminated escape");
                }
                final char e = s.charAt(at++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u':
                        if (at + 4 > s.length()) {
                            throw problem("short \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: b.append(e); break;
                }
            }
        }
    }
}
