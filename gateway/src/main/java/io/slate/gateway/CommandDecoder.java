package io.slate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringRedisContent;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.LastBulkStringRedisContent;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the pieces Netty's {@code RedisDecoder} emits (array headers, bulk string headers and chunks, inline
 * commands) into one {@code byte[][]} per command, enforcing the gateway's limits before any byte of an over-long
 * argument is buffered. A frame that is not a command (a nested array, an integer inside a command, a bulk string
 * over the limit, more arguments than allowed) becomes a {@link ProtocolError}: the session replies
 * {@code -ERR Protocol error: ...} and closes the connection, as Redis does.
 *
 * <p>One per channel; runs on the channel's event loop.
 */
final class CommandDecoder extends ChannelInboundHandlerAdapter {
    /** Most arguments in one command (Redis's limit for a multibulk length). */
    static final int MAX_ARGS = 1024 * 1024;

    private final int maxBulkBytes;
    private byte[][] args;
    private int argCount;
    private byte[] bulk;
    private int bulkFill;
    private boolean failed;

    CommandDecoder(final int maxBulkBytes) {
        this.maxBulkBytes = maxBulkBytes;
    }

    /** A frame that is not a valid command; the session answers it and closes. */
    static final class ProtocolError {
        final String message;

        ProtocolError(final String message) {
            this.message = message;
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        try {
            if (!failed) {
                decode(ctx, msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void decode(final ChannelHandlerContext ctx, final Object msg) {
        if (msg instanceof InlineCommandRedisMessage) {
            if (args != null) {
                fail(ctx, "expected '$', got an inline command");
                return;
            }
            final List<byte[]> words = splitInline(((InlineCommandRedisMessage) msg).content());
            if (words == null) {
                fail(ctx, "unbalanced quotes in request");
            } else if (!words.isEmpty()) {
                ctx.fireChannelRead(words.toArray(new byte[0][]));
            }
        } else if (msg instanceof ArrayHeaderRedisMessage) {
            if (args != null) {
                fail(ctx, "expected '$', got '*'");
                return;
            }
            final long n = ((ArrayHeaderRedisMessage) msg).length();
            if (n > MAX_ARGS) {
                fail(ctx, "invalid multibulk length");
            } else if (n > 0) {
                args = new byte[(int) n][];
                argCount = 0;
            }
        } else if (msg instanceof FullBulkStringRedisMessage) {
            final FullBulkStringRedisMessage m = (FullBulkStringRedisMessage) msg;
            if (args == null) {
                fail(ctx, "expected '*', got '$'");
                return;
            }
            if (m.isNull()) {
                fail(ctx, "invalid bulk length");
                return;
            }
            final ByteBuf c = m.content();
            final byte[] b = new byte[c.readableBytes()];
            c.getBytes(c.readerIndex(), b);
            addArg(ctx, b);
        } else if (msg instanceof BulkStringHeaderRedisMessage) {
            if (args == null) {
                fail(ctx, "expected '*', got '$'");
                return;
            }
            final int len = ((BulkStringHeaderRedisMessage) msg).bulkStringLength();
            if (len < 0 || len > maxBulkBytes) {
                fail(ctx, "invalid bulk length");
                return;
            }
            bulk = new byte[len];
            bulkFill = 0;
        } else if (msg instanceof BulkStringRedisContent) {
            if (bulk == null) {
                fail(ctx, "unexpected bulk string content");
                return;
            }
            final ByteBuf c = ((BulkStringRedisContent) msg).content();
            final int n = c.readableBytes();
            if (bulkFill + n > bulk.length) {
                fail(ctx, "bulk string longer than its length");
                return;
            }
            c.getBytes(c.readerIndex(), bulk, bulkFill, n);
            bulkFill += n;
            if (msg instanceof LastBulkStringRedisContent) {
                final byte[] b = bulk;
                bulk = null;
                addArg(ctx, b);
            }
        } else if (msg instanceof SimpleStringRedisMessage || msg instanceof ErrorRedisMessage || msg instanceof IntegerRedisMessage) {
            final char type = msg instanceof SimpleStringRedisMessage ? '+' : msg instanceof ErrorRedisMessage ? '-' : ':';
            fail(ctx, "expected '" + (args == null ? '*' : '$') + "', got '" + type + "'");
        } else {
            fail(ctx, "unexpected frame " + msg.getClass().getSimpleName());
        }
    }

    private void addArg(final ChannelHandlerContext ctx, final byte[] b) {
        args[argCount++] = b;
        if (argCount == args.length) {
            final byte[][] done = args;
            args = null;
            ctx.fireChannelRead(done);
        }
    }

    private void fail(final ChannelHandlerContext ctx, final String problem) {
        failed = true;
        args = null;
        bulk = null;
        ctx.fireChannelRead(new ProtocolError(problem));
    }

    /**
     * Splits an inline command as Redis does: words separated by blanks; double quotes with backslash escapes
     * (\n \r \t \b \a \\ \" \xHH) and single quotes. Returns null for unbalanced quotes.
     */
    static List<byte[]> splitInline(final String line) {
        final byte[] s = line.getBytes(StandardCharsets.UTF_8);
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
