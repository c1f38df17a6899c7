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
}
