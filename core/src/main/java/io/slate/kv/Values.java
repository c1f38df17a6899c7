package io.slate.kv;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Encodings of values: UTF-8 text and longs as decimal text. */
public final class Values {
    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    private Values() {
    }

    public static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] decimal(final long v) {
        final byte[] b = new byte[20];
        final int n = writeDecimal(v, b, 0);
        return java.util.Arrays.copyOf(b, n);
    }

    /** Writes {@code v} as decimal ASCII at {@code offset} (needs up to 20 bytes); returns the length. Allocation-free. */
    public static int writeDecimal(final long v, final byte[] dst, final int offset) {
        if (v == Long.MIN_VALUE) {
            System.arraycopy(MIN_LONG, 0, dst, offset, MIN_LONG.length);
            return MIN_LONG.length;
        }
        long x = Math.abs(v);
        int digits = 1;
        for (long t = x; t >= 10; t /= 10) {
            digits++;
        }
        final int len = digits + (v < 0 ? 1 : 0);
        int p = offset + len;
        do {
            dst[--p] = (byte) ('0' + (x % 10));
            x /= 10;
        } while (x != 0);
        if (v < 0) {
            dst[offset] = '-';
        }
        return len;
    }

    /**
     * Parses decimal ASCII. Allocation-free on success.
     *
     * @throws IllegalArgumentException naming the key when the bytes are not a decimal long
     */
    public static long parseDecimal(final CharSequence key, final byte[] src, final int offset, final int length) {
        if (length == 0 || length > 20) {
            throw notDecimal(key, src, offset, length);
        }
        int i = offset;
        final int end = offset + length;
        final boolean negative = src[i] == '-';
        if (negative || src[i] == '+') {
            i++;
            if (i == end) {
                throw notDecimal(key, src, offset, length);
            }
        }
        long r = 0;
        for (; i < end; i++) {
            final int d = src[i] - '0';
            if (d < 0 || d > 9) {
                throw notDecimal(key, src, offset, length);
            }
            // accumulate negatively so that Long.MIN_VALUE parses
            if (r < (Long.MIN_VALUE + d) / 10) {
                throw notDecimal(key, src, offset, length);
            }
            r = r * 10 - d;
        }
        if (!negative) {
            if (r == Long.MIN_VALUE) {
                throw notDecimal(key, src, offset, length);
            }
            r = -r;
        }
        return r;
    }

    private static IllegalArgumentException notDecimal(final CharSequence key, final byte[] src, final int offset, final int length) {
        return new IllegalArgumentException("value of key '" + key + "' is not a decimal long: "
                + display(java.util.Arrays.copyOfRange(src, offset, offset + Math.min(length, 40))));
    }

    /** True when the bytes are valid UTF-8 text without control characters other than tab and newlines. */
    public static boolean isText(final byte[] b, final int offset, final int length) {
        final java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder();
        try {
            final String s = dec.decode(java.nio.ByteBuffer.wrap(b, offset, length)).toString();
            for (int i = 0; i < s.length(); i++) {
                final char c = s.charAt(i);
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    return false;
                }
            }
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** Text for humans: the UTF-8 text, or {@code b64:...} for other bytes. */
    public static String display(final byte[] b) {
        return isText(b, 0, b.length) ? new String(b, StandardCharsets.UTF_8) : "b64:" + Base64.getEncoder().encodeToString(b);
    }
}
