package io.slate.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw RESP client for tests: sends commands as arrays of bulk strings, reads exactly one reply frame (RESP2 or
 * RESP3) and returns its bytes, so tests compare replies byte for byte, and renders them readably for assertions.
 * Every read has a socket timeout.
 */
final class Resp3Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Resp3Client(final int port) throws IOException {
        this(port, 10_000);
    }

    Resp3Client(final int port, final int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static byte[] encode(final String... args) {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            final byte[] x = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(x);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    void send(final String... args) throws IOException {
        out.write(encode(args));
        out.flush();
    }

    void sendRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends one command and returns its reply rendered ({@link #render}). */
    String call(final String... args) throws IOException {
        send(args);
        return render(readFrame());
    }

    /** Sends one command and returns its reply's exact bytes. */
    byte[] callRaw(final String... args) throws IOException {
        send(args);
        return readFrame();
    }

    /** Reads one complete reply frame; its bytes. */
    byte[] readFrame() throws IOException {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        frame(b);
        return b.toByteArray();
    }

    /** True when the server closed the connection (reads end of stream within the timeout). */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private String line(final ByteArrayOutputStream b) throws IOException {
        final ByteArrayOutputStream l = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            final int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed by the server mid-reply");
            }
            b.write(c);
            if (prev == '\r' && c == '\n') {
                final byte[] x = l.toByteArray();
                return new String(x, 0, x.length - 1, StandardCharsets.UTF_8);
            }
            l.write(c);
            prev = c;
        }
    }

    private void frame(final ByteArrayOutputStream b) throws IOException {
        final int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by the server");
        }
        b.write(type);
        final String l = line(b);
        switch (type) {
            case '+':
            case '-':
            case ':':
            case '_':
            case ',':
            case '#':
            case '(':
                return;
            case '$':
            case '=':
            case '!': {
                final int n = Integer.parseInt(l);
                if (n >= 0) {
                    b.write(in.readNBytes(n + 2));
                }
                return;
            }
            case '*':
            case '~':
            case '>': {
                final int n = Integer.parseInt(l);
                for (int i = 0; i < n; i++) {
                    frame(b);
                }
                return;
            }
            case '%': {
                final int n = Integer.parseInt(l);
                for (int i = 0; i < 2 * n; i++) {
                    frame(b);
                }
                return;
            }
            default:
                throw new IOException("not a RESP reply: type byte " + type);
        }
    }

    /** The reply as one readable line: simple strings and errors as sent, bulk strings quoted, arrays in brackets. */
    static String render(final byte[] frame) {
        final int[] pos = {0};
        return render(frame, pos);
    }

    private static String render(final byte[] f, final int[] pos) {
        final char type = (char) f[pos[0]++];
        final int start = pos[0];
        int end = start;
        while (!(f[end] == '\r' && f[end + 1] == '\n')) {
            end++;
        }
        final String l = new String(f, start, end - start, StandardCharsets.UTF_8);
        pos[0] = end + 2;
        switch (type) {
            case '+':
                return l;
            case '-':
                return "-" + l;
            case ':':
                return l;
            case '_':
                return "(nil)";
            case ',':
                return l;
            case '#':
                return l.equals("t") ? "true" : "false";
            case '$':
            case '=': {
                final int n = Integer.parseInt(l);
                if (n < 0) {
                    return "(nil)";
                }
                final String s = new String(f, pos[0], n, StandardCharsets.UTF_8);
                pos[0] += n + 2;
                return "\"" + s + "\"";
            }
            case '*':
            case '~': {
                final int n = Integer.parseInt(l);
                if (n < 0) {
                    return "(nil)";
                }
                final StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ", ").append(render(f, pos));
                }
                return sb.append(']').toString();
            }
            case '%': {
                final int n = Integer.parseInt(l);
                final StringBuilder sb = new StringBuilder("{");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ", ").append(render(f, pos)).append(": ").append(render(f, pos));
                }
                return sb.append('}').toString();
            }
            default:
                throw new IllegalArgumentException("type " + type);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
