package io.slate.gateway;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads commands straight out of a connection's bytes, as Redis's own request parser does: a line starting with
 * {@code *} opens a multibulk ({@code *n}, then n bulk strings {@code $len}), anything else is an inline command (words
 * separated by blanks, quotes as redis-cli writes them), as redis-benchmark and telnet send. The arguments of the
 * command just read are copied into one reused array ({@link #data}, {@link #start}, {@link #length}); a command with
 * ordinary sizes allocates nothing. Limits are enforced before any byte of an over-long argument is buffered: a bulk
 * string over {@code maxBulkBytes}, more than {@link #MAX_ARGS} arguments, a line over {@link #MAX_LINE} bytes
 * without its end are protocol errors (the session answers {@code -ERR Protocol error: ...} and closes).
 *
 * <p>Incremental: {@link #next(ByteBuf)} consumes what it can and keeps its place in a multibulk across calls, so a
 * command that arrives in pieces is parsed once. One per connection, used by its event loop only.
 */
final class RespReader {
    /** Most arguments in one command (Redis's limit for a multibulk length). */
    static final int MAX_ARGS = 1024 * 1024;
    /** Longest inline command or header line (Redis's PROTO_INLINE_MAX_SIZE). */
    static final int MAX_LINE = 64 * 1024;
    /** More bytes than the buffers keep after a large command; they shrink back to their start sizes. */
    private static final int KEEP_BYTES = 64 * 1024;
    private static final int KEEP_ARGS = 256;

    /** {@link #next} read no complete command yet: give it more bytes. */
    static final int NEED_MORE = 0;
    /** {@link #next} read a command: {@link #argc} arguments. */
    static final int COMMAND = 1;
    /** {@link #next} found malformed input: {@link #error()} says what; the connection is to be closed. */
    static final int ERROR = 2;

    private final int maxBulkBytes;
    /** The current command's arguments: argument i is {@code data[start[i] .. start[i] + length[i])}. */
    byte[] data = new byte[1024];
    int[] start = new int[16];
    int[] length = new int[16];
    int argc;
    private int fill;
    /** Arguments still to read in the multibulk being read, or -1 between commands. */
    private int remaining = -1;
    private String error;

    RespReader(final int maxBulkBytes) {
        this.maxBulkBytes = maxBulkBytes;
    }

    String error() {
        return error;
    }

    /**
     * Reads from {@code in} (advancing its reader index over what it consumed) until one command is complete, more
     * bytes are needed, or the input is malformed. Blank inline lines and empty multibulks are skipped, as Redis does.
     */
    int next(final ByteBuf in) {
        while (true) {
            if (remaining < 0) {
                if (!in.isReadable()) {
                    return NEED_MORE;
                }
                if (argc > 0 || fill > 0) {
                    reset();
                }
                if (in.getByte(in.readerIndex()) != '*') {
                    final int r = inline(in);
                    if (r != COMMAND || argc > 0) {
                        return r;
                    }
                    continue; // a blank line
                }
                final int eol = lineEnd(in, "too big mbulk count string");
                if (eol < 0) {
                    return eol == -1 ? NEED_MORE : ERROR;
                }
                final long n = parseLength(in, in.readerIndex() + 1, eol);
                in.readerIndex(eol + 1);
                if (n == Long.MIN_VALUE || n > MAX_ARGS) {
                    return fail("invalid multibulk length");
                }
                if (n <= 0) {
                    continue;
                }
                remaining = (int) n;
                ensureArgs(Math.min(remaining, 4096));
            }
            while (remaining > 0) {
                if (!in.isReadable()) {
                    return NEED_MORE;
                }
                final int r = in.readerIndex();
                final byte type = in.getByte(r);
                if (type != '$') {
                    return fail("expected '$', got '" + printable(type) + "'");
                }
                final int eol = lineEnd(in, "too big bulk count string");
                if (eol < 0) {
                    return eol == -1 ? NEED_MORE : ERROR;
                }
                final long len = parseLength(in, r + 1, eol);
                if (len == Long.MIN_VALUE || len < 0 || len > maxBulkBytes) {
                    return fail("invalid bulk length");
                }
                final int n = (int) len;
                // the header stays unread until the whole body and its CRLF are here: no partial copies
                if (in.writerIndex() - (eol + 1) < n + 2) {
                    return NEED_MORE;
                }
                final int body = eol + 1;
                if (in.getByte(body + n) != '\r' || in.getByte(body + n + 1) != '\n') {
                    return fail("bulk string of length " + n + " is not followed by CRLF");
                }
                addArg(in, body, n);
                in.readerIndex(body + n + 2);
                remaining--;
            }
            remaining = -1;
            return COMMAND;
        }
    }

    /** The end of the line (the index of its LF) starting at the reader index; -1: not here yet; -2: too long. */
    private int lineEnd(final ByteBuf in, final String tooLong) {
        final int from = in.readerIndex();
        final int to = (int) Math.min(in.writerIndex(), (long) from + MAX_LINE);
        final int lf = in.indexOf(from, to, (byte) '\n');
        if (lf >= 0) {
            return lf;
        }
        if (in.writerIndex() - from >= MAX_LINE) {
            fail(tooLong);
            return -2;
        }
        return -1;
    }

    /** The decimal between {@code from} and the CR before {@code lf}, or Long.MIN_VALUE when it is not one. */
    private static long parseLength(final ByteBuf in, final int from, final int lf) {
        final int end = lf > from && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        if (end == from || end - from > 19) {
            return Long.MIN_VALUE;
        }
        int i = from;
        final boolean negative = in.getByte(i) == '-';
        if (negative) {
            i++;
            if (i == end) {
                return Long.MIN_VALUE;
            }
        }
        long v = 0;
        for (; i < end; i++) {
            final int d = in.getByte(i) - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private int inline(final ByteBuf in) {
        final int eol = lineEnd(in, "too big inline request");
        if (eol < 0) {
            return eol == -1 ? NEED_MORE : ERROR;
        }
        final int from = in.readerIndex();
        final int end = eol > from && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
        final byte[] line = new byte[end - from];
        in.getBytes(from, line);
        in.readerIndex(eol + 1);
        final List<byte[]> words = splitInline(line);
        if (words == null) {
            return fail("unbalanced quotes in request");
        }
        ensureArgs(words.size());
        for (byte[] w : words) {
            ensureData(w.length);
            System.arraycopy(w, 0, data, fill, w.length);
            start[argc] = fill;
            length[argc] = w.length;
            argc++;
            fill += w.length;
        }
        return COMMAND;
    }

    private void addArg(final ByteBuf in, final int from, final int n) {
        ensureArgs(argc + 1);
        ensureData(n);
        in.getBytes(from, data, fill, n);
        start[argc] = fill;
        length[argc] = n;
        argc++;
        fill += n;
    }

    private void ensureArgs(final int n) {
        if (n > start.length) {
            final int size = Math.max(n, start.length * 2);
            start = java.util.Arrays.copyOf(start, size);
            length = java.util.Arrays.copyOf(length, size);
        }
    }

    private void ensureData(final int n) {
        if (fill + n > data.length) {
            data = java.util.Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) fill + n, 2L * data.length)));
        }
    }

    /** Forgets the last command; buffers grown for a large one go back to their start sizes. */
    private void reset() {
        argc = 0;
        fill = 0;
        if (data.length > KEEP_BYTES) {
            data = new byte[1024];
        }
        if (start.length > KEEP_ARGS) {
            start = new int[16];
            length = new int[16];
        }
    }

    private int fail(final String problem) {
        error = problem;
        remaining = -1;
        return ERROR;
    }

    private static String printable(final byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF);
    }

    // ------------------------------------------------------------ the command just read

    /** Argument {@code i} of the command just read, as a new array. */
    byte[] arg(final int i) {
        return java.util.Arrays.copyOfRange(data, start[i], start[i] + length[i]);
    }

    /** The command just read as one new array per argument (the general path; the fast path reads {@link #data}). */
    byte[][] argv() {
        final byte[][] a = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            a[i] = arg(i);
        }
        return a;
    }

    /** Whether argument {@code i} is {@code upper} (given in upper case), ignoring ASCII case. */
    boolean argIs(final int i, final byte[] upper) {
        if (length[i] != upper.length) {
            return false;
        }
        final int s = start[i];
        for (int j = 0; j < upper.length; j++) {
            final int c = data[s + j];
            if ((c >= 'a' && c <= 'z' ? c - 32 : c) != upper[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Splits an inline command as Redis does: words separated by blanks; double quotes with backslash escapes
     * (\n \r \t \b \a \\ \" \xHH) and single quotes. Returns null for unbalanced quotes.
     */
    static List<byte[]> splitInline(final String line) {
        return splitInline(line.getBytes(StandardCharsets.UTF_8));
    }

    static List<byte[]> splitInline(final byte[] s) {
        final List<byte[]> words = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < s.length && isBlank(s[i])) {
                i++;
            }
            if (i >= s.length) {
                return words;
            }
            final java.io.ByteArrayOutputStream w = new java.io.ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (inDouble) {
                    if (i >= s.length) {
                        return null;
                    }
                    if (s[i] == '\\' && i + 3 < s.length && s[i + 1] == 'x' && isHex(s[i + 2]) && isHex(s[i + 3])) {
                        w.write(Character.digit(s[i + 2], 16) * 16 + Character.digit(s[i + 3], 16));
                        i += 3;
                    } else if (s[i] == '\\' && i + 1 < s.length) {
                        i++;
                        final byte c = s[i];
                        w.write(c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'b' ? '\b' : c == 'a' ? 7 : c);
                    } else if (s[i] == '"') {
                        if (i + 1 < s.length && !isBlank(s[i + 1])) {
                            return null;
                        }
                        done = true;
                    } else {
                        w.write(s[i]);
                    }
                } else if (inSingle) {
                    if (i >= s.length) {
                        return null;
                    }
                    if (s[i] == '\\' && i + 1 < s.length && s[i + 1] == '\'') {
                        i++;
                        w.write('\'');
                    } else if (s[i] == '\'') {
                        if (i + 1 < s.length && !isBlank(s[i + 1])) {
                            return null;
                        }
                        done = true;
                    } else {
                        w.write(s[i]);
                    }
                } else {
                    if (i >= s.length || isBlank(s[i])) {
                        done = true;
                        i--;
                    } else if (s[i] == '"') {
                        inDouble = true;
                    } else if (s[i] == '\'') {
                        inSingle = true;
                    } else {
                        w.write(s[i]);
                    }
                }
                i++;
            }
            words.add(w.toByteArray());
        }
    }

    private static boolean isBlank(final byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0;
    }

    private static boolean isHex(final byte b) {
        return Character.digit(b, 16) >= 0;
    }
}
