package io.slate.gateway;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes replies in RESP2 or RESP3 into one buffer. Netty's redis codec encodes RESP2 only, so RESP3 (maps, nulls,
 * doubles, booleans, verbatim strings) is written here, and RESP2 gets the shape Redis gives those replies there
 * (maps as flat arrays, doubles as bulk strings, booleans as integers).
 *
 * <p>Replies concatenate: EXEC writes an array header and then each queued command's reply into the same writer.
 * Not thread-safe: one per reply being built, used by one thread.
 */
final class Resp {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL2_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL2_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ByteBuf out;
    private final int protocol;

    Resp(final ByteBuf out, final int protocol) {
        this.out = out;
        this.protocol = protocol;
    }

    ByteBuf buffer() {
        return out;
    }

    boolean resp3() {
        return protocol == 3;
    }

    void ok() {
        out.writeBytes(OK);
    }

    void simple(final String s) {
        out.writeByte('+');
        writeLine(s);
    }

    /** An error reply: the text starts with its code ({@code ERR}, {@code NOAUTH}...). CR and LF become spaces. */
    void error(final String s) {
        out.writeByte('-');
        writeLine(s);
    }

    private void writeLine(final String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '\r' || c == '\n') {
                out.writeByte(' ');
            } else if (c < 0x80) {
                out.writeByte(c);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        out.writeBytes(CRLF);
    }

    void integer(final long n) {
        out.writeByte(':');
        writeDecimal(n);
        out.writeBytes(CRLF);
    }

    /** A buffer for {@link #integerLine}: {@code :} at 0, then room for 20 digits and CRLF. */
    static byte[] integerLineBuffer() {
        final byte[] b = new byte[1 + 20 + 2];
        b[0] = ':';
        return b;
    }

    /**
     * An integer reply whose {@code n} digits are already at 1 of {@code line} (from {@link #integerLineBuffer}): the
     * CRLF goes after them, and the line is written with one copy.
     */
    void integerLine(final byte[] line, final int n) {
        line[n + 1] = '\r';
        line[n + 2] = '\n';
        out.writeBytes(line, 0, n + 3);
    }

    void bulk(final byte[] b) {
        bulk(b, 0, b.length);
    }

    void bulk(final byte[] b, final int offset, final int length) {
        out.writeByte('$');
        writeDecimal(length);
        out.writeBytes(CRLF);
        out.writeBytes(b, offset, length);
        out.writeBytes(CRLF);
    }

    void bulk(final String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    void bulk(final long n) {
        bulk(Long.toString(n));
    }

    /** The null of a missing string: {@code $-1} in RESP2, {@code _} in RESP3. */
    void nullBulk() {
        out.writeBytes(protocol == 3 ? NULL3 : NULL2_BULK);
    }

    /** The null of a missing array (EXEC aborted, XREAD timed out): {@code *-1} in RESP2, {@code _} in RESP3. */
    void nullArray() {
        out.writeBytes(protocol == 3 ? NULL3 : NULL2_ARRAY);
    }

    void array(final int n) {
        out.writeByte('*');
        writeDecimal(n);
        out.writeBytes(CRLF);
    }

    /** A map of {@code n} pairs: {@code %n} in RESP3, a flat array of 2n elements in RESP2. */
    void map(final int n) {
        if (protocol == 3) {
            out.writeByte('%');
            writeDecimal(n);
            out.writeBytes(CRLF);
        } else {
            array(2 * n);
        }
    }

    /** A set: {@code ~n} in RESP3, an array in RESP2. */
    void set(final int n) {
        if (protocol == 3) {
            out.writeByte('~');
            writeDecimal(n);
            out.writeBytes(CRLF);
        } else {
            array(n);
        }
    }

    /** A double: {@code ,d} in RESP3, a bulk string in RESP2 (as Redis does). */
    void dbl(final double d) {
        final String s = formatDouble(d);
        if (protocol == 3) {
            out.writeByte(',');
            writeLine(s);
        } else {
            bulk(s);
        }
    }

    /** A boolean: {@code #t}/{@code #f} in RESP3, the integer 1/0 in RESP2. */
    void bool(final boolean b) {
        if (protocol == 3) {
            out.writeByte('#');
            out.writeByte(b ? 't' : 'f');
            out.writeBytes(CRLF);
        } else {
            integer(b ? 1 : 0);
        }
    }

    /** Text as Redis returns INFO: a verbatim string ({@code =len txt:...}) in RESP3, a bulk string in RESP2. */
    void verbatim(final String text) {
        final byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (protocol == 3) {
            out.writeByte('=');
            writeDecimal(b.length + 4);
            out.writeBytes(CRLF);
            out.writeBytes("txt:".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes(CRLF);
        } else {
            bulk(b);
        }
    }

    /** The decimal digits of {@code n}, written without making a String. */
    private void writeDecimal(final long n) {
        if (n >= 0 && n < 10) {
            out.writeByte('0' + (int) n);
            return;
        }
        if (n == Long.MIN_VALUE) {
            out.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
            return;
        }
        long v = n;
        if (v < 0) {
            out.writeByte('-');
            v = -v;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && v >= p; p *= 10) {
            digits++;
        }
        final int at = out.writerIndex();
        out.ensureWritable(digits);
        for (int i = digits - 1; i >= 0; i--) {
            out.setByte(at + i, (int) ('0' + v % 10));
            v /= 10;
        }
        out.writerIndex(at + digits);
    }

    /** A double as Redis prints one: {@code inf}, {@code -inf}, {@code nan}, integers without a fraction. */
    static String formatDouble(final double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
