package io.slate.tuple;

import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Tuples and templates written as words, one word per field: how the {@code slate} command line and the gateway's
 * {@code SLATE.*} commands (and so the Python and Node helpers) write them.
 *
 * <p>A field is {@code true}/{@code false} (a boolean), an integer (a long), a decimal number with a '.' or an
 * exponent (a double), {@code b64:BASE64} (bytes), text in double or single quotes (a string, quotes removed: so
 * {@code "42"} is the string 42), or any other word (a string). In a template {@code *} matches any field and
 * {@code ?string}, {@code ?long}, {@code ?double}, {@code ?boolean}, {@code ?bytes} any field of that type.
 *
 * <p>Bad words are refused with an {@link IllegalArgumentException} naming the field and the problem. Thread-safe.
 */
public final class TupleWords {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?");
    private static final String BASE64_PREFIX = "b64:";

    private TupleWords() {
    }

    /** The tuple these words write. */
    public static Tuple tuple(final List<String> words) {
        if (words == null || words.isEmpty()) {
            throw new IllegalArgumentException("a tuple needs at least one field");
        }
        final Object[] fields = new Object[words.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(words.get(i), i);
        }
        return Tuple.of(fields);
    }

    /** The template these words write. */
    public static Template template(final List<String> words) {
        if (words == null || words.isEmpty()) {
            throw new IllegalArgumentException("a template needs at least one field");
        }
        final Object[] fields = new Object[words.size()];
        for (int i = 0; i < fields.length; i++) {
            final String w = words.get(i);
            if (w.equals("*")) {
                fields[i] = Template.ANY;
            } else if (w.startsWith("?")) {
                fields[i] = formal(w);
            } else {
                fields[i] = field(w, i);
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
                throw new IllegalArgumentException("unknown formal '" + abbreviate(w) + "': use ?string, ?long, ?double, ?boolean, ?bytes or *"
                        + " (quote a string that starts with '?': '\"" + abbreviate(w) + "\"')");
        }
    }

    /** One field word; {@code index} (from 0) names the field in an error. */
    public static Object field(final String w, final int index) {
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
        if (w.startsWith(BASE64_PREFIX)) {
            try {
                return Base64.getDecoder().decode(w.substring(BASE64_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field " + index + " '" + abbreviate(w) + "' is not valid base64 after 'b64:': " + e.getMessage(), e);
            }
        }
        if (w.length() >= 2 && (w.startsWith("\"") && w.endsWith("\"") || w.startsWith("'") && w.endsWith("'"))) {
            return w.substring(1, w.length() - 1);
        }
        return w;
    }

    private static String abbreviate(final String s) {
        return s.length() <= 64 ? s : s.substring(0, 60) + "...";
    }
}
