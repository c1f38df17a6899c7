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

    /** Two digits at a time: the tens and the ones of 0..99. */
    private static final byte[] TENS = new byte[100];
    private static final byte[] ONES = new byte[100];

    static {
        for (int i = 0; i < 100; i++) {
            TENS[i] = (byte) ('0' + i / 10);
            ONES[i] = (byte) ('0' + i % 10);
        }
    }

    /** Decimal digits of a long's magnitude (1 to 19, for a non-negative long). */
    private static int digits(final long x) {
        long p = 10;
        for (int d = 1; d < 19; d++) {
            if (x < p) {
                return d;
            }
            p *= 10;
        }
        return 19;
    }

    /**
     * Writes {@code v} as decimal ASCII at {@code offset} (needs up to 20 bytes); returns the length. Allocation-free.
     * The length is found by comparisons and the digits come two per division: a counter's increment formats one per
     * write.
     */
    public static int writeDecimal(final long v, final byte[] dst, final int offset) {
        if (v == Long.MIN_VALUE) {
            System.arraycopy(MIN_LONG, 0, dst, offset, MIN_LONG.length);
            return MIN_LONG.length;
        }
        long x = Math.abs(v);
        final int len = digits(x) + (v < 0 ? 1 : 0);
        int p = offset + len;
        while (x >= 100) {
            final long q = x / 100;
            final int r = (int) (x - q * 100);
            dst[--p] = ONES[r];
            dst[--p] = TENS[r];
            x = q;
        }
        dst[--p] = ONES[(int) x];
        if (x >= 10) {
            dst[--p] = TENS[(int) x];
        }
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

    /**
     * Parses a long written as {@link #decimal} writes one, and nothing else: an optional {@code -}, then {@code 0}
     * alone or digits without a leading zero; no {@code +}, no {@code -0}, no blanks (so each long has one text, and
     * the rule is Redis's for a counter's value). What {@link KeyValue#increment} accepts. Allocation-free on success.
     *
     * @throws IllegalArgumentException naming the key when the bytes are not such a long
     */
    public static long parseCanonicalDecimal(final CharSequence key, final byte[] src, final int offset, final int length) {
        final int end = offset + length;
        final boolean negative = length > 0 && src[offset] == '-';
        final int first = negative ? offset + 1 : offset;
        final int n = end - first;
        if (n <= 0 || n > 19 || src[first] == '0' && (n > 1 || negative)) {
            throw notDecimal(key, src, offset, length);
        }
        if (n <= 18) {
            // at most 18 digits cannot overflow: no check per digit
            long r = 0;
            for (int i = first; i < end; i++) {
                final int d = src[i] - '0';
                if (d < 0 || d > 9) {
                    throw notDecimal(key, src, offset, length);
                }
                r = r * 10 + d;
            }
            return negative ? -r : r;
        }
        if (src[first] < '1' || src[first] > '9') {
            throw notDecimal(key, src, offset, length);
        }
        return parseDecimal(key, src, offset, length); // 19 digits: checked for overflow digit by digit
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
