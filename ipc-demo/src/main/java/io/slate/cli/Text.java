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

    /**
     * Why a command-line argument cannot be taken as text, or {@code null} when it can: the JVM decodes arguments
     * from the locale's charset and puts U+FFFD where bytes could not be decoded, so the text would not be what was
     * typed; and an unpaired surrogate is no text at all.
     */
    static String undecodable(final String arg) {
        for (int i = 0; i < arg.length(); i++) {
            final char c = arg.charAt(i);
            if (c == '\uFFFD') {
                final String charset = System.getProperty("sun.jnu.encoding", "UTF-8");
                return "is not valid " + charset + " text: it has bytes that could not be decoded (U+FFFD at character " + i + ")"
                        + (charset.equalsIgnoreCase("UTF-8") ? "" : "; run with a UTF-8 locale (e.g. LANG=C.UTF-8)")
                        + "; give arbitrary bytes as b64:BASE64";
            }
            if (Character.isSurrogate(c) && !paired(arg, i)) {
                return "has an unpaired surrogate at character " + i + ": not text";
            }
        }
        return null;
    }

    /**
     * Text safe to print in a message: control characters, U+FFFD and unpaired surrogates shown as {@code \\xNN} or
     * {@code \\uNNNN}, so nothing reaches the terminal but the text; cut to about 2000 characters.
     */
    static String printable(final String s) {
        final StringBuilder sb = new StringBuilder(Math.min(s.length(), 1024));
        for (int i = 0; i < s.length() && sb.length() < 2000; i++) {
            final char c = s.charAt(i);
            final boolean control = c < 0x20 && c != '\t' || c >= 0x7F && c < 0xA0;
            if (control || c == '\uFFFD' || Character.isSurrogate(c) && !paired(s, i)) {
                sb.append(c <= 0xFF ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() < 2000 ? sb.toString() : sb + "...";
    }

    /** True when the surrogate at {@code i} is half of a pair. */
    private static boolean paired(final String s, final int i) {
        final char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** Long text cut for an error message, like core's key messages. */
    static String abbreviate(final String s) {
        return s.length() <= 64 ? s : s.substring(0, 60) + "...";
    }
}
