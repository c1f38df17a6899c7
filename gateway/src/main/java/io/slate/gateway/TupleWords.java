package io.slate.gateway;

import io.slate.tuple.Template;
import io.slate.tuple.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Tuples and templates written as the {@code slate} command line writes them, one argument per field:
 * {@code true}/{@code false} a boolean, an integer a long, a number with '.' or an exponent a double,
 * {@code b64:BASE64} bytes, text in double or single quotes a string (quotes removed, so {@code "42"} is the string
 * 42), any other word a string. In a template {@code *} matches any field and {@code ?string}, {@code ?long},
 * {@code ?double}, {@code ?boolean}, {@code ?bytes} any field of that type.
 */
final class TupleWords {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?");

    private TupleWords() {
    }

    static Tuple tuple(final byte[][] argv, final int from, final int to) {
        if (to <= from) {
            throw new IllegalArgumentException("a tuple needs at least one field");
        }
        final Object[] fields = new Object[to - from];
        for (int i = from; i < to; i++) {
            fields[i - from] = field(argv[i], i - from);
        }
        return Tuple.of(fields);
    }

    static Template template(final byte[][] argv, final int from, final int to) {
        if (to <= from) {
            throw new IllegalArgumentException("a template needs at least one field");
        }
        final Object[] fields = new Object[to - from];
        for (int i = from; i < to; i++) {
            final String w = new String(argv[i], StandardCharsets.UTF_8);
            if (w.equals("*")) {
                fields[i - from] = Template.ANY;
            } else if (w.startsWith("?")) {
                fields[i - from] = formal(w);
            } else {
                fields[i - from] = field(argv[i], i - from);
            }
        }
        return Template.of(fields);
    }

    private static Template.Formal formal(final String w) {
        switch (w) {
            case "?string":
                return Template.ANY_STRING;
            case "?long":
                return Template.ANY_LONG;
            case "?double":
                return Template.ANY_DOUBLE;
            case "?boolean":
                return Template.ANY_BOOLEAN;
            case "?bytes":
                return Template.ANY_BYTES;
            default:
                throw new IllegalArgumentException("unknown formal '" + abbreviate(w)
                        + "': use ?string, ?long, ?double, ?boolean, ?bytes or * (quote a string that starts with '?')");
        }
    }

    static Object field(final byte[] raw, final int index) {
        final String w = new String(raw, StandardCharsets.UTF_8);
        if (w.equals("true") || w.equals("false")) {
            return Boolean.valueOf(w);
        }
        if (INTEGER.matcher(w).matches()) {
            try {
                return Long.parseLong(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field " + index + " '" + abbreviate(w) + "' is an integer outside the range of a long");
            }
        }
        if (DECIMAL.matcher(w).matches()) {
            return Double.parseDouble(w);
        }
        if (w.startsWith("b64:")) {
            try {
                return Base64.getDecoder().decode(w.substring(4));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field " + index + " '" + abbreviate(w) + "' is not valid base64 after 'b64:'");
            }
        }
        if (w.length() >= 2 && (w.startsWith("\"") && w.endsWith("\"") || w.startsWith("'") && w.endsWith("'"))) {
            return w.substring(1, w.length() - 1);
        }
        return w;
    }

    static String abbreviate(final String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
