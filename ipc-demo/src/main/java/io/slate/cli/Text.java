package io.slate.cli;

import io.slate.kv.Values;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** Conversions between command-line text and stored bytes, and the readable forms of times and sizes. */
final class Text {
    /** Prefix of a command-line value given as base64 bytes, and of non-text values printed for humans. */
    static final String BASE64_PREFIX = "b64:";

    private Text() {
    }

    /** A value argument: UTF-8 text, or {@code b64:...} for arbitrary bytes. */
    static byte[] parseValue(final String arg) {
        if (!arg.startsWith(BASE64_PREFIX)) {
            return arg.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(arg.substring(BASE64_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("value '" + abbreviate(arg) + "' is not valid base64 after 'b64:': " + e.getMessage(), e);
        }
    }

    /** True when the first {@code length} bytes are UTF-8 text (tab and line breaks allowed, no other controls). */
    static boolean isText(final byte[] b, final int length) {
        return Values.isText(b, 0, length);
    }

    static String utf8(final byte[] b, final int length) {
        return new String(b, 0, length, StandardCharsets.UTF_8);
    }

    static String base64(final byte[] b, final int length) {
        return Base64.getEncoder().encodeToString(length == b.length ? b : java.util.Arrays.copyOf(b, length));
    }

    /** The value as {@code get} prints it: the text itself, or {@code b64:...} (which {@code put} accepts back). */
    static String display(final byte[] b, final int length) {
        return isText(b, length) ? utf8(b, length) : BASE64_PREFIX + base64(b, length);
    }

    /** The value on one line: like {@link #display}, with line breaks and tabs shown as {@code \n}, {@code \r}, {@code \t}. */
    static String displayOneLine(final byte[] b, final int length) {
        return oneLine(display(b, length));
    }

    /** Text on one line: line breaks and tabs shown as {@code \n}, {@code \r}, {@code \t}. */
    static String oneLine(final CharSequence cs) {
        final String s = cs.toString();
        if (s.indexOf('\n') < 0 && s.indexOf('\r') < 0 && s.indexOf('\t') < 0) {
            return s;
        }
        return s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }

    /** Nanoseconds since the epoch as ISO-8601 UTC with nanoseconds. */
    static String isoNanos(final long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L)).toString();
    }

    /** Milliseconds since the epoch as ISO-8601 UTC. */
    static String isoMillis(final long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /** A byte count for humans: {@code 16777216 (16.0 MiB)}. */
    static String bytes(final long n) {
        if (n < 1024) {
            return Long.toString(n);
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return n + " (" + String.format(java.util.Locale.ROOT, "%.1f", v) + " " + units[u] + ")";
    }

    /** Long text cut for an error message, like core's key messages. */
    static String abbreviate(final String s) {
        return s.length() <= 64 ? s : s.substring(0, 60) + "...";
    }
}
