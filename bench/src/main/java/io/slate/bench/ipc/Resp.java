package io.slate.bench.ipc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Redis client: one blocking connection to loopback, commands sent as RESP arrays of bulk strings, replies
 * parsed as RESP2 ({@code +} simple string, {@code -} error, {@code :} integer, {@code $} bulk, {@code *} array; a
 * null bulk or array is {@code null}). Enough for the benchmark; not a general client.
 */
final class Resp implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 60_000;
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** Connects to {@code 127.0.0.1:port} with {@code TCP_NODELAY}. */
    Resp(final int port) {
        try {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to redis on 127.0.0.1:" + port, e);
        }
    }

    static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends one command and returns its reply; a Redis error reply is thrown as {@link IllegalStateException}. */
    Object call(final byte[]... args) {
        try {
            out.write('*');
            writeNumber(args.length);
            for (final byte[] a : args) {
                out.write('$');
                writeNumber(a.length);
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
            out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException("redis connection failed", e);
        }
    }

    private void writeNumber(final long n) throws IOException {
        out.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    private Object read() throws IOException {
        final int type = in.read();
        switch (type) {
            case '+':
                return line();
            case '-':
                throw new IllegalStateException("redis: " + line());
            case ':':
                return Long.parseLong(line());
            case '$': {
                final int len = Integer.parseInt(line());
                if (len < 0) {
                    return null;
                }
                final byte[] b = in.readNBytes(len);
                if (b.length != len || in.read() != '\r' || in.read() != '\n') {
                    throw new IOException("truncated bulk string");
                }
                return b;
            }
            case '*': {
                final int n = Integer.parseInt(line());
                if (n < 0) {
                    return null;
                }
                final List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            case -1:
                throw new IOException("redis closed the connection");
            default:
                throw new IOException("unexpected reply type '" + (char) type + "'");
        }
    }

    private String line() throws IOException {
        final StringBuilder sb = new StringBuilder();
        while (true) {
            final int c = in.read();
            if (c < 0) {
                throw new IOException("redis closed the connection mid-reply");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed reply line");
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
