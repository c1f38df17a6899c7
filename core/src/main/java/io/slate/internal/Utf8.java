package io.slate.internal;

/** Allocation-free UTF-8 for keys and agent ids (ASCII fast path; surrogate pairs handled). */
public final class Utf8 {
    private Utf8() {
    }

    /** The UTF-8 length of {@code s}. */
    public static int length(final CharSequence s) {
        final int n = s.length();
        int len = n;
        for (int i = 0; i < n; i++) {
            final char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    len += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    len += 2;
                    i++;
                } else {
                    len += 2;
                }
            }
        }
        return len;
    }

    /** Encodes {@code s} into {@code dst} at 0 (which must hold {@link #length(CharSequence)} bytes); returns the length. */
    public static int encode(final CharSequence s, final byte[] dst) {
        return encode(s, dst, 0);
    }

    /** Encodes {@code s} into {@code dst} at {@code offset}; returns the number of bytes written. */
    public static int encode(final CharSequence s, final byte[] dst, final int offset) {
        final int n = s.length();
        int p = offset;
        for (int i = 0; i < n; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                dst[p++] = (byte) c;
            } else if (c < 0x800) {
                dst[p++] = (byte) (0xC0 | (c >> 6));
                dst[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                dst[p++] = (byte) (0xF0 | (cp >> 18));
                dst[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                dst[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                dst[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("text contains an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                        + ") at char " + i + ": not valid Unicode, cannot be stored as UTF-8");
            } else {
                dst[p++] = (byte) (0xE0 | (c >> 12));
                dst[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                dst[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p - offset;
    }

    /** Decodes {@code len} bytes at {@code off} into {@code out} (appending). Malformed input becomes U+FFFD. */
    public static void decode(final byte[] src, final int off, final int len, final StringBuilder out) {
        final int end = off + len;
        int i = off;
        while (i < end) {
            final int b = src[i] & 0xFF;
            if (b < 0x80) {
                out.append((char) b);
                i++;
            } else if ((b >> 5) == 0x6 && i + 1 < end) {
                out.append((char) (((b & 0x1F) << 6) | (src[i + 1] & 0x3F)));
                i += 2;
            } else if ((b >> 4) == 0xE && i + 2 < end) {
                out.append((char) (((b & 0x0F) << 12) | ((src[i + 1] & 0x3F) << 6) | (src[i + 2] & 0x3F)));
                i += 3;
            } else if ((b >> 3) == 0x1E && i + 3 < end) {
                final int cp = ((b & 0x07) << 18) | ((src[i + 1] & 0x3F) << 12) | ((src[i + 2] & 0x3F) << 6) | (src[i + 3] & 0x3F);
                out.appendCodePoint(cp);
                i += 4;
            } else {
                out.append('\uFFFD');
                i++;
            }
        }
    }

    /**
     * True when the {@code len} bytes at {@code off} of {@code b} are {@code s} in UTF-8, compared as they are encoded,
     * without decoding them. Text with an unpaired surrogate has no UTF-8 form and equals nothing.
     */
    public static boolean equals(final org.agrona.DirectBuffer b, final int off, final int len, final CharSequence s) {
        final int n = s.length();
        if (n > len || len > 3 * n) { // a char is one to three bytes (a surrogate pair four for two chars)
            return false;
        }
        final int end = off + len;
        int p = off;
        for (int i = 0; i < n; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                if (p >= end || b.getByte(p) != (byte) c) {
                    return false;
                }
                p++;
            } else if (c < 0x800) {
                if (end - p < 2 || b.getByte(p) != (byte) (0xC0 | (c >> 6)) || b.getByte(p + 1) != (byte) (0x80 | (c & 0x3F))) {
                    return false;
                }
                p += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                if (end - p < 4 || b.getByte(p) != (byte) (0xF0 | (cp >> 18)) || b.getByte(p + 1) != (byte) (0x80 | ((cp >> 12) & 0x3F))
                        || b.getByte(p + 2) != (byte) (0x80 | ((cp >> 6) & 0x3F)) || b.getByte(p + 3) != (byte) (0x80 | (cp & 0x3F))) {
                    return false;
                }
                p += 4;
            } else if (Character.isSurrogate(c)) {
                return false;
            } else {
                if (end - p < 3 || b.getByte(p) != (byte) (0xE0 | (c >> 12)) || b.getByte(p + 1) != (byte) (0x80 | ((c >> 6) & 0x3F))
                        || b.getByte(p + 2) != (byte) (0x80 | (c & 0x3F))) {
                    return false;
                }
                p += 3;
            }
        }
        return p == end;
    }

    /** True when {@code cs} starts with {@code prefix}. */
    public static boolean startsWith(final CharSequence cs, final CharSequence prefix) {
        final int n = prefix.length();
        if (cs.length() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (cs.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True when the two sequences hold the same characters. */
    public static boolean contentEquals(final CharSequence a, final CharSequence b) {
        final int n = a.length();
        if (b.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
