package io.slate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.CorruptSpaceException;
import io.slate.space.SpaceException;
import io.slate.space.SpaceStats;
import io.slate.sync.Mutex;
import io.slate.sync.PrimitiveInfo;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection: its protocol version, authentication, MULTI queue and WATCHed versions, SCAN cursors, and
 * what it holds in the space (unacknowledged takes, mutexes, semaphore permits), all given back when it drops.
 *
 * <p>Commands run on the channel's event loop, except those that wait (BLOCK): these run on the gateway's pool of
 * blocked-client threads while the connection stops reading, so later pipelined commands wait their turn, as in
 * Redis. The connection's state is confined to its event loop; what it holds is also touched by its waiting command's
 * thread, under {@link #holdLock}.
 */
final class Session extends ChannelInboundHandlerAdapter {
    static final String JOURNAL = GatewayConfig.JOURNAL_STREAM;
    /** The Redis version whose replies the gateway follows (clients look at it to decide what to send). */
    static final String REDIS_VERSION = "7.0.0";
    private static final long SLICE_MILLIS = 100;
    private static final int MAX_TX_RETRIES = 100;
    private static final AtomicInteger BLOCKED = new AtomicInteger();

    private final Shared shared;
    private final long id;
    private ChannelHandlerContext ctx;
    private int protocol = 2;
    private boolean authenticated;
    private volatile String clientName;
    /**
     * The agent this connection writes as: the gateway's, or its own once it has a name ({@link Agent}). Changed only
     * while no command of this connection runs, and under {@link #holdLock} once the connection may be closing.
     */
    private volatile Agent agent;
    /** The name {@link #agent} was acquired for, or null for the gateway's agent. */
    private String agentName;
    private String libName;
    private String libVersion;

    private ByteBuf out;
    private Resp resp;
    /** Writes {@link #out} at the end of the event loop's pass; {@link #flushQueued} while this connection is in it. */
    private ReplyFlusher flusher;
    private boolean flushQueued;
    private boolean busy;
    private volatile boolean closing;
    /** Bytes received and not yet parsed: part of a command, or the commands after a blocked one. */
    private ByteBuf unread;
    private final RespReader reader;
    /** The fast path's key (an ASCII key of the command being run) and value buffer, reused command after command. */
    private final AsciiKey fastKey = new AsciiKey();
    private final EntryBuffer fastEntry = new EntryBuffer(64);
    /** The fast path's integer reply: {@code :}, the digits (up to 20) and room for CRLF ({@link Resp#integerLine}). */
    private final byte[] fastInteger = Resp.integerLineBuffer();

    private boolean inMulti;
    private boolean multiDirty;
    private String txKey;
    private final List<byte[][]> queued = new ArrayList<>();
    private final LinkedHashMap<String, Long> watched = new LinkedHashMap<>();

    private final LinkedHashMap<Long, ScanCursor> scanCursors = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<Long, ScanCursor> eldest) {
            return size() > 1000;
        }
    };
    private long nextCursor = 1;
    /** The key lists of the newest scans of this connection (at most {@link #SCAN_SNAPSHOTS}), oldest first. */
    private final ArrayDeque<String[]> scanSnapshots = new ArrayDeque<>();
    private static final int SCAN_SNAPSHOTS = 4;

    /**
     * Where a SCAN stands: the last key it returned and, while it is one of the connection's newest scans, the sorted
     * keys of the space when it started and the position of the next one in them.
     */
    private static final class ScanCursor {
        final String last;
        final String[] keys;
        final int next;

        ScanCursor(final String last, final String[] keys, final int next) {
            this.last = last;
            this.keys = keys;
            this.next = next;
        }
    }

    private final Object holdLock = new Object();
    private boolean released;
    /** Commands of this connection running on a blocked-client thread (0 or 1); guarded by {@link #holdLock}. */
    private int waiting;
    private final ConcurrentHashMap<Long, Taken> takes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Mutex> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SemHold> permits = new ConcurrentHashMap<>();

    private static final class SemHold {
        final Semaphore semaphore;
        int count;

        SemHold(final Semaphore semaphore) {
            this.semaphore = semaphore;
        }
    }

    /** A command that waits: runs on a blocked-client thread and writes its reply. */
    @FunctionalInterface
    private interface Waiting {
        void run(Resp r) throws Exception;
    }

    Session(final Shared shared) {
        this.shared = shared;
        this.id = shared.clientIds.incrementAndGet();
        this.authenticated = !shared.config.requiresPassword();
        this.reader = new RespReader(shared.maxBulkBytes);
        this.agent = shared.gateway;
    }

    // ================================================================ channel events

    @Override
    public void channelActive(final ChannelHandlerContext c) {
        this.ctx = c;
        shared.sessions.add(this);
        shared.connectionsAccepted.incrementAndGet();
        c.fireChannelActive();
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext c) {
        this.ctx = c;
        this.flusher = shared.flusher(c.channel().eventLoop());
    }

    @Override
    public void channelRead(final ChannelHandlerContext c, final Object msg) {
        if (closing || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        final ByteBuf in = (ByteBuf) msg;
        if (unread == null) {
            unread = in;
        } else {
            unread = append(unread, in);
        }
        runUnread();
    }

    /** {@code in} added to the bytes not parsed yet: in place when there is room, else both copied into a new buffer. */
    private ByteBuf append(final ByteBuf before, final ByteBuf in) {
        try {
            if (before.refCnt() == 1 && !before.isReadOnly() && before.maxCapacity() - before.writerIndex() >= in.readableBytes()) {
                before.writeBytes(in);
                return before;
            }
            final ByteBuf both = ctx.alloc().ioBuffer(before.readableBytes() + in.readableBytes());
            both.writeBytes(before).writeBytes(in);
            before.release();
            return both;
        } finally {
            in.release();
        }
    }

    /** Runs the complete commands in {@link #unread}, until one blocks, the connection closes, or a command is partial. */
    private void runUnread() {
        while (unread != null && !busy && !closing) {
            final int r = reader.next(unread);
            if (r == RespReader.COMMAND) {
                shared.commandsProcessed.incrementAndGet();
                if (!fastPath()) {
                    execute(reader.argv());
                }
            } else if (r == RespReader.ERROR) {
                protocolError(reader.error());
            } else {
                break;
            }
        }
        if (unread != null && (!unread.isReadable() || closing)) {
            unread.release();
            unread = null;
        } else if (unread != null && unread.readerIndex() > 0 && !busy) {
            unread.discardSomeReadBytes();
        }
    }

    /**
     * The replies of what this read ran are written at the end of the event loop's pass over its ready connections,
     * with the other connections' ({@link ReplyFlusher}): still one write per read, in order.
     */
    @Override
    public void channelReadComplete(final ChannelHandlerContext c) {
        if (out != null && out.isReadable()) {
            if (!flushQueued) {
                flushQueued = true;
                flusher.add(this);
            }
        } else {
            flushOut();
        }
    }

    /** Called by {@link ReplyFlusher} at the end of the pass in which this connection was added to it. */
    void flushDeferred() {
        flushQueued = false;
        try {
            flushOut();
        } catch (RuntimeException e) {
            // one connection's failure (it closed under us) must not keep the pass's other replies unwritten
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext c) {
        if (c.channel().isWritable() && !busy && !closing) {
            c.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext c) {
        closing = true;
        shared.sessions.remove(this);
        releaseAll();
        if (out != null) {
            out.release();
            out = null;
        }
        if (unread != null) {
            unread.release();
            unread = null;
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext c, final Throwable cause) {
        if (!(cause instanceof IOException)) {
            protocolError("internal error: " + cause);
        } else {
            c.close();
        }
    }

    void closeConnection() {
        if (ctx != null) {
            ctx.channel().close();
        }
    }

    private void flushOut() {
        if (out != null) {
            if (out.isReadable()) {
                ctx.writeAndFlush(out);
            } else {
                out.release();
            }
            out = null;
            resp = null;
        }
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private Resp resp() {
        if (out == null) {
            out = ctx.alloc().ioBuffer(256);
            resp = null;
        }
        if (resp == null) {
            resp = new Resp(out, protocol);
        }
        return resp;
    }

    private void protocolError(final String problem) {
        if (closing) {
            return;
        }
        resp().error("ERR Protocol error: " + problem);
        closeAfterReply();
    }

    private void closeAfterReply() {
        closing = true;
        final ByteBuf b = out;
        out = null;
        resp = null;
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    }

    // ================================================================ blocking commands

    private void waitFor(final Waiting task) {
        busy = true;
        ctx.channel().config().setAutoRead(false);
        final int proto = protocol;
        synchronized (holdLock) {
            waiting++;
        }
        try {
            shared.blocking.execute(() -> {
                BLOCKED.incrementAndGet();
                try {
                    final ByteBuf buf = ctx.alloc().ioBuffer(256);
                    final Resp r = new Resp(buf, proto);
                    try {
                        task.run(r);
                    } catch (Throwable t) {
                        buf.clear();
                        r.error(errorText(t));
                    } finally {
                        BLOCKED.decrementAndGet();
                    }
                    ctx.executor().execute(() -> resumeAfterWait(buf));
                } finally {
                    synchronized (holdLock) {
                        waiting--;
                    }
                    dropAgentIfClosed();
                }
            });
        } catch (RejectedExecutionException e) {
            synchronized (holdLock) {
                waiting--;
            }
            busy = false;
            ctx.channel().config().setAutoRead(true);
            resp().error("ERR Slate: too many clients waiting at once (maxBlockedClients " + shared.config.maxBlockedClients() + ")");
        }
    }

    private void resumeAfterWait(final ByteBuf reply) {
        if (closing || !ctx.channel().isActive()) {
            reply.release();
            return;
        }
        if (out != null && out.isReadable()) {
            ctx.write(out);
            out = null;
            resp = null;
        }
        ctx.write(reply);
        busy = false;
        runUnread();
        if (!closing) {
            flushOut();
            ctx.flush();
            if (!busy && ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    private boolean gone() {
        return closing || !ctx.channel().isActive();
    }

    private static long deadline(final long blockMillis) {
        return blockMillis == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(blockMillis);
    }

    /** The next wait slice in ms, or -1 when the deadline has passed. */
    private static long slice(final long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return SLICE_MILLIS;
        }
        final long left = deadline - System.nanoTime();
        return left <= 0 ? -1 : Math.min(SLICE_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }

    static int blockedClients() {
        return BLOCKED.get();
    }

    // ================================================================ the fast path

    private static final byte[] GET = {'G', 'E', 'T'};
    private static final byte[] SET = {'S', 'E', 'T'};
    private static final byte[] INCR = {'I', 'N', 'C', 'R'};
    private static final byte[] DECR = {'D', 'E', 'C', 'R'};

    /**
     * {@code GET key}, {@code SET key value}, {@code INCR key} and {@code DECR key} with a plain ASCII key, run straight
     * from the reader's buffer: no argument arrays, no key string, no {@link Entry}, so these commands allocate nothing.
     * Anything else (another command, options, inside MULTI, before AUTH, a key the general path would refuse or decode
     * as UTF-8, a value over the limit) returns false and takes the general path, which gives the same replies and
     * every error.
     */
    private boolean fastPath() {
        final RespReader rd = reader;
        if (inMulti || !authenticated || rd.argc < 2 || rd.argc > 3 || !fastKey(rd)) {
            return false;
        }
        final KeyValue kv = agent.kv;
        if (rd.argc == 2) {
            final long delta = rd.argIs(0, INCR) ? 1 : rd.argIs(0, DECR) ? -1 : 0;
            if (delta != 0) {
                final Resp r = resp();
                final int mark = out.writerIndex();
                try {
                    // the reply's digits are the ones the space formatted for the value it stored
                    final int n = Store.Live.incrementAsText(kv, fastKey, delta, fastInteger, 1);
                    r.integerLine(fastInteger, n);
                } catch (Throwable t) {
                    out.writerIndex(mark);
                    r.error(errorText(t));
                }
                return true;
            }
            if (!rd.argIs(0, GET)) {
                return false;
            }
            final Resp r = resp();
            final int mark = out.writerIndex();
            try {
                if (kv.get(fastKey, fastEntry) == KeyValue.ABSENT) {
                    r.nullBulk();
                } else {
                    r.bulk(fastEntry.buffer(), 0, fastEntry.length());
                }
            } catch (Throwable t) {
                out.writerIndex(mark);
                r.error(errorText(t));
            }
            return true;
        }
        if (!rd.argIs(0, SET) || rd.length[2] > shared.maxValueBytes) {
            return false;
        }
        final Resp r = resp();
        final int mark = out.writerIndex();
        try {
            kv.put(fastKey, rd.data, rd.start[2], rd.length[2]);
            r.ok();
        } catch (Throwable t) {
            out.writerIndex(mark);
            r.error(errorText(t));
        }
        return true;
    }

    /** Points {@link #fastKey} at argument 1 when it is a key the general path would take as ASCII text as it is. */
    private boolean fastKey(final RespReader rd) {
        final int n = rd.length[1];
        if (n == 0 || n > shared.maxKeyBytes) {
            return false;
        }
        final byte[] d = rd.data;
        final int from = rd.start[1];
        for (int i = from; i < from + n; i++) {
            if (d[i] < 0) {
                return false;
            }
        }
        if (n == JOURNAL.length()) {
            boolean journal = true;
            for (int i = 0; i < n && journal; i++) {
                journal = d[from + i] == JOURNAL.charAt(i);
            }
            if (journal) {
                return false;
            }
        }
        fastKey.wrap(d, from, n);
        return true;
    }

    /** An ASCII key in a byte array, as a CharSequence without a copy; re-pointed for every command. */
    private static final class AsciiKey implements CharSequence {
        private byte[] bytes;
        private int from;
        private int length;

        void wrap(final byte[] b, final int offset, final int n) {
            bytes = b;
            from = offset;
            length = n;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(final int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException("index " + index + " of a key of " + length + " characters");
            }
            return (char) bytes[from + index];
        }

        @Override
        public CharSequence subSequence(final int start, final int end) {
            return toString().subSequence(start, end);
        }

        @Override
        public String toString() {
            return new String(bytes, from, length, StandardCharsets.ISO_8859_1);
        }
    }

    // ================================================================ dispatch

    private void execute(final byte[][] argv) {
        final String name = upper(argv[0]);
        final Commands.Spec spec = Commands.get(name);
        final Resp r = resp();
        if (!authenticated && (spec == null || !spec.flags.contains("noauth"))) {
            r.error("NOAUTH Authentication required.");
            return;
        }
        if (spec == null) {
            flagTx();
            r.error(unknownCommand(argv));
            return;
        }
        if (!spec.arityOk(argv.length)) {
            flagTx();
            r.error("ERR wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) + "' command");
            return;
        }
        if (inMulti && !name.equals("EXEC") && !name.equals("DISCARD") && !name.equals("MULTI") && !name.equals("WATCH")
                && !name.equals("QUIT") && !name.equals("RESET")) {
            queue(spec, argv, r);
            return;
        }
        final int mark = out.writerIndex();
        try {
            dispatch(name, argv, r);
        } catch (Throwable t) {
            if (out != null) {
                out.writerIndex(Math.min(mark, out.writerIndex()));
            }
            resp().error(errorText(t));
        }
    }

    private static String unknownCommand(final byte[][] argv) {
        final StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            final String a = new String(argv[i], StandardCharsets.UTF_8);
            args.append('\'').append(a, 0, Math.min(a.length(), 128 - args.length())).append("' ");
        }
        final String n = new String(argv[0], StandardCharsets.UTF_8);
        return "ERR unknown command '" + (n.length() > 128 ? n.substring(0, 128) : n) + "', with args beginning with: " + args;
    }

    static String errorText(final Throwable t) {
        if (t instanceof GatewayError) {
            return t.getMessage();
        }
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException || t instanceof SpaceException
                || t instanceof IllegalMonitorStateException) {
            return "ERR " + t.getMessage();
        }
        return "ERR internal error: " + t;
    }

    private void dispatch(final String name, final byte[][] argv, final Resp r) {
        switch (name) {
            case "PING":
                if (argv.length > 2) {
                    throw new GatewayError("ERR wrong number of arguments for 'ping' command");
                }
                if (argv.length == 2) {
                    r.bulk(argv[1]);
                } else {
                    r.simple("PONG");
                }
                return;
            case "ECHO":
                r.bulk(argv[1]);
                return;
            case "HELLO":
                hello(argv, r);
                return;
            case "AUTH":
                auth(argv, r);
                return;
            case "CLIENT":
                client(argv, r);
                return;
            case "INFO":
                info(argv, r);
                return;
            case "CONFIG":
                config(argv, r);
                return;
            case "COMMAND":
                command(argv, r);
                return;
            case "SELECT":
                if (parseLong(argv[1], "ERR value is not an integer or out of range") != 0) {
                    throw new GatewayError("ERR DB index is out of range");
                }
                r.ok();
                return;
            case "QUIT":
                r.ok();
                closeAfterReply();
                return;
            case "RESET":
                reset();
                resp().simple("RESET");
                return;
            case "SCAN":
                scan(argv, r);
                return;
            case "KEYS":
                keys(argv, r);
                return;
            case "DBSIZE":
                r.integer(liveKeys(null).size());
                return;
            case "FLUSHDB":
            case "FLUSHALL":
                throw new GatewayError("ERR Slate: " + name + " is not supported: the space is shared by every agent and its journal keeps every write");
            case "WATCH":
                if (inMulti) {
                    throw new GatewayError("ERR WATCH inside MULTI is not allowed");
                }
                for (int i = 1; i < argv.length; i++) {
                    final String k = key(argv[i]);
                    watched.putIfAbsent(k, watchVersion(k));
                }
                r.ok();
                return;
            case "UNWATCH":
                watched.clear();
                r.ok();
                return;
            case "MULTI":
                if (inMulti) {
                    throw new GatewayError("ERR MULTI calls can not be nested");
                }
                inMulti = true;
                multiDirty = false;
                txKey = null;
                queued.clear();
                r.ok();
                return;
            case "DISCARD":
                if (!inMulti) {
                    throw new GatewayError("ERR DISCARD without MULTI");
                }
                endMulti();
                r.ok();
                return;
            case "EXEC":
                exec(r);
                return;
            case "XRANGE":
                xrange(argv, r, false);
                return;
            case "XREVRANGE":
                xrange(argv, r, true);
                return;
            case "XREAD":
                xread(argv, r);
                return;
            case "XLEN":
                if (isJournal(argv[1])) {
                    r.integer(shared.space.stats().journalRecords());
                } else {
                    requireNotString(key(argv[1]));
                    r.integer(0);
                }
                return;
            case "XADD":
                throw new GatewayError("ERR Slate: streams are read-only: '" + JOURNAL + "' is the space's journal, written by the space's writes");
            case "SLATE.CAS":
                slateCas(argv, r);
                return;
            case "SLATE.WAIT":
                slateWait(argv, r);
                return;
            case "SLATE.OUT":
                r.integer(tuples(argv[1]).out(TupleWords.tuple(argv, 2, argv.length)));
                return;
            case "SLATE.RD":
            case "SLATE.RDP":
            case "SLATE.IN":
            case "SLATE.INP":
            case "SLATE.TAKE":
                tupleRead(name, argv, r);
                return;
            case "SLATE.COUNT":
                r.integer(tuples(argv[1]).count(TupleWords.template(argv, 2, argv.length)));
                return;
            case "SLATE.ACK":
                ack(argv, r, true);
                return;
            case "SLATE.RELEASE":
                ack(argv, r, false);
                return;
            case "SLATE.LOCK":
                lock(argv, r);
                return;
            case "SLATE.UNLOCK":
                unlock(argv, r);
                return;
            case "SLATE.SEM.ACQUIRE":
                semAcquire(argv, r);
                return;
            case "SLATE.SEM.RELEASE":
                semRelease(argv, r);
                return;
            case "SLATE.COUNTER.GET":
                r.integer(agent.sync().counter(name(argv[1], "counter")).get());
                return;
            case "SLATE.COUNTER.ADD":
                r.integer(agent.sync().counter(name(argv[1], "counter")).add(parseLong(argv[2], "ERR value is not an integer or out of range")));
                return;
            case "SLATE.BB.POST":
                bbPost(argv, r);
                return;
            case "SLATE.INFO":
                slateInfo(r);
                return;
            default:
                kv(name, argv, agent.live, r);
        }
    }

    // ================================================================ connection commands

    private void hello(final byte[][] argv, final Resp r0) {
        int proto = protocol;
        String setName = null;
        boolean authOk = false;
        if (argv.length >= 2) {
            final long v = parseLong(argv[1], "ERR Protocol version is not an integer or out of range");
            if (v != 2 && v != 3) {
                throw new GatewayError("NOPROTO unsupported protocol version");
            }
            proto = (int) v;
            for (int i = 2; i < argv.length; i++) {
                final String opt = upper(argv[i]);
                if (opt.equals("AUTH") && i + 2 < argv.length) {
                    if (!checkPassword(argv[i + 1], argv[i + 2])) {
                        throw new GatewayError("WRONGPASS invalid username-password pair or user is disabled.");
                    }
                    authOk = true;
                    i += 2;
                } else if (opt.equals("SETNAME") && i + 1 < argv.length) {
                    setName = validClientName(argv[i + 1]);
                    i += 1;
                } else {
                    throw new GatewayError("ERR Syntax error in HELLO option '" + new String(argv[i], StandardCharsets.UTF_8) + "'");
                }
            }
        }
        if (!authenticated && !authOk) {
            throw new GatewayError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH"
                    + " <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }
        authenticated = true;
        protocol = proto;
        resp = null;
        if (setName != null) {
            rename(setName, this::helloReply);
        } else {
            helloReply(resp());
        }
    }

    private void helloReply(final Resp r) {
        r.map(7);
        r.bulk("server");
        r.bulk("slate");
        r.bulk("version");
        r.bulk(REDIS_VERSION);
        r.bulk("proto");
        r.integer(protocol);
        r.bulk("id");
        r.integer(id);
        r.bulk("mode");
        r.bulk("standalone");
        r.bulk("role");
        r.bulk("master");
        r.bulk("modules");
        r.array(0);
    }

    private void auth(final byte[][] argv, final Resp r) {
        if (argv.length > 3) {
            throw new GatewayError("ERR syntax error");
        }
        if (!shared.config.requiresPassword()) {
            throw new GatewayError("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        final byte[] user = argv.length == 3 ? argv[1] : "default".getBytes(StandardCharsets.US_ASCII);
        if (!checkPassword(user, argv[argv.length - 1])) {
            throw new GatewayError("WRONGPASS invalid username-password pair or user is disabled.");
        }
        authenticated = true;
        r.ok();
    }

    private boolean checkPassword(final byte[] user, final byte[] password) {
        final byte[] expected = shared.config.passwordBytes();
        if (expected == null) {
            return true;
        }
        final boolean userOk = MessageDigest.isEqual(user, "default".getBytes(StandardCharsets.US_ASCII));
        return MessageDigest.isEqual(password, expected) & userOk;
    }

    private static String validClientName(final byte[] n) {
        for (byte b : n) {
            if (b < '!' || b > '~') {
                throw new GatewayError("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        return new String(n, StandardCharsets.US_ASCII);
    }

    private void client(final byte[][] argv, final Resp r) {
        final String sub = upper(argv[1]);
        switch (sub) {
            case "ID":
                r.integer(id);
                return;
            case "SETNAME":
                if (argv.length != 3) {
                    throw new GatewayError("ERR wrong number of arguments for 'client|setname' command");
                }
                rename(validClientName(argv[2]), Resp::ok);
                return;
            case "GETNAME":
                if (clientName == null) {
                    r.nullBulk();
                } else {
                    r.bulk(clientName);
                }
                return;
            case "SETINFO":
                if (argv.length != 4) {
                    throw new GatewayError("ERR wrong number of arguments for 'client|setinfo' command");
                }
                final String attr = upper(argv[2]);
                if (attr.equals("LIB-NAME")) {
                    libName = validClientName(argv[3]);
                } else if (attr.equals("LIB-VER")) {
                    libVersion = validClientName(argv[3]);
                } else {
                    throw new GatewayError("ERR Unrecognized option '" + new String(argv[2], StandardCharsets.UTF_8) + "'");
                }
                r.ok();
                return;
            case "INFO":
                r.verbatim(clientLine() + "\n");
                return;
            case "LIST": {
                final StringBuilder sb = new StringBuilder();
                for (Session s : shared.sessions) {
                    sb.append(s.clientLine()).append('\n');
                }
                r.verbatim(sb.toString());
                return;
            }
            default:
                throw new GatewayError("ERR unknown subcommand '" + new String(argv[1], StandardCharsets.UTF_8) + "'. Try CLIENT HELP.");
        }
    }

    /**
     * Names the connection (an empty name removes it): from then on it writes as the agent of that name, so the
     * journal's records, versions' writers, tuples and locks name the client ({@link Shared#acquireAgent}); without a
     * name it writes as the gateway's agent. Opening an agent waits on the space, so a new name's agent is acquired on a
     * blocked-client thread (later commands wait their turn) and {@code reply} writes the reply there. A connection that
     * holds takes, mutexes or permits keeps its agent until it gives them back: they are its agent's.
     */
    private void rename(final String name, final java.util.function.Consumer<Resp> reply) {
        final String n = name.isEmpty() ? null : name;
        if (java.util.Objects.equals(n, agentName)) {
            clientName = n;
            reply.accept(resp());
            return;
        }
        if (!takes.isEmpty() || !locks.isEmpty() || !permits.isEmpty()) {
            throw new GatewayError("ERR Slate: this connection holds " + takes.size() + " unacknowledged take(s), " + locks.size()
                    + " mutex(es) and " + permits.size() + " semaphore(s) as agent '" + agent.id + "'; give them back before renaming it "
                    + "(a named connection writes as the agent of its name)");
        }
        if (n == null) {
            switchAgent(shared.gateway, null);
            clientName = null;
            reply.accept(resp());
            return;
        }
        waitFor(wr -> {
            switchAgent(shared.acquireAgent(n, id), n);
            clientName = n;
            reply.accept(wr);
        });
    }

    private void switchAgent(final Agent a, final String name) {
        final Agent old;
        synchronized (holdLock) {
            old = agent;
            agent = a;
            agentName = name;
        }
        shared.dropAgent(old);
    }

    private String clientLine() {
        final SocketAddress a = ctx == null ? null : ctx.channel().remoteAddress();
        final String addr = a instanceof InetSocketAddress
                ? ((InetSocketAddress) a).getAddress().getHostAddress() + ":" + ((InetSocketAddress) a).getPort() : "unix";
        return "id=" + id + " addr=" + addr + " name=" + (clientName == null ? "" : clientName) + " db=0 multi=" + (inMulti ? queued.size() : -1)
                + " resp=" + protocol + " lib-name=" + (libName == null ? "" : libName) + " lib-ver=" + (libVersion == null ? "" : libVersion)
                + " takes=" + takes.size() + " locks=" + locks.size() + " agent=" + agent.id;
    }

    private void info(final byte[][] argv, final Resp r) {
        final List<String> wanted = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            wanted.add(new String(argv[i], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        }
        final boolean all = wanted.isEmpty() || wanted.contains("all") || wanted.contains("everything") || wanted.contains("default");
        final StringBuilder sb = new StringBuilder();
        final SpaceStats st = shared.space.stats();
        if (all || wanted.contains("server")) {
            section(sb, "Server");
            sb.append("redis_version:").append(REDIS_VERSION).append("\r\n");
            sb.append("redis_mode:standalone\r\n");
            sb.append("slate_gateway:1\r\n");
            sb.append("os:").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append("\r\n");
            sb.append("arch_bits:64\r\n");
            sb.append("process_id:").append(ProcessHandle.current().pid()).append("\r\n");
            sb.append("tcp_port:").append(Math.max(0, shared.config.port())).append("\r\n");
            sb.append("uptime_in_seconds:").append(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - shared.startedNanos)).append("\r\n");
        }
        if (all || wanted.contains("clients")) {
            section(sb, "Clients");
            sb.append("connected_clients:").append(shared.sessions.size()).append("\r\n");
            sb.append("blocked_clients:").append(blockedClients()).append("\r\n");
        }
        if (all || wanted.contains("persistence")) {
            section(sb, "Persistence");
            sb.append("loading:0\r\n");
        }
        if (all || wanted.contains("stats")) {
            section(sb, "Stats");
            sb.append("total_connections_received:").append(shared.connectionsAccepted.get()).append("\r\n");
            sb.append("total_commands_processed:").append(shared.commandsProcessed.get()).append("\r\n");
        }
        if (all || wanted.contains("replication")) {
            section(sb, "Replication");
            sb.append("role:master\r\nconnected_slaves:0\r\n");
        }
        if (all || wanted.contains("keyspace")) {
            section(sb, "Keyspace");
            final int keys = liveKeys(null).size();
            if (keys > 0) {
                sb.append("db0:keys=").append(keys).append(",expires=0,avg_ttl=0\r\n");
            }
        }
        if (all || wanted.contains("slate")) {
            section(sb, "Slate");
            sb.append("space:").append(shared.space.address()).append("\r\n");
            sb.append("agent:").append(shared.space.agentId()).append("\r\n");
            sb.append("entries:").append(st.entries()).append("\r\n");
            sb.append("journal_records:").append(st.journalRecords()).append("\r\n");
            sb.append("journal_last_index:").append(st.lastIndex()).append("\r\n");
            sb.append("agents_alive:").append(st.agentsAlive()).append("\r\n");
        }
        r.verbatim(sb.toString());
    }

    private static void section(final StringBuilder sb, final String name) {
        if (sb.length() > 0) {
            sb.append("\r\n");
        }
        sb.append("# ").append(name).append("\r\n");
    }

    private void config(final byte[][] argv, final Resp r) {
        final String sub = upper(argv[1]);
        if (sub.equals("GET")) {
            if (argv.length < 3) {
                throw new GatewayError("ERR wrong number of arguments for 'config|get' command");
            }
            final LinkedHashMap<String, String> params = new LinkedHashMap<>();
            params.put("databases", "1");
            params.put("maxmemory", "0");
            params.put("maxclients", "10000");
            params.put("timeout", "0");
            params.put("save", "");
            params.put("appendonly", "no");
            params.put("bind", shared.config.bind());
            params.put("port", Integer.toString(Math.max(0, shared.config.port())));
            params.put("proto-max-bulk-len", Integer.toString(shared.maxBulkBytes));
            params.put("slate-max-key-bytes", Integer.toString(shared.maxKeyBytes));
            params.put("slate-max-value-bytes", Integer.toString(shared.maxValueBytes));
            final LinkedHashMap<String, String> found = new LinkedHashMap<>();
            for (int i = 2; i < argv.length; i++) {
                final String pattern = new String(argv[i], StandardCharsets.UTF_8);
                for (Map.Entry<String, String> e : params.entrySet()) {
                    if (Glob.matchesIgnoreCase(pattern, e.getKey())) {
                        found.put(e.getKey(), e.getValue());
                    }
                }
            }
            r.map(found.size());
            for (Map.Entry<String, String> e : found.entrySet()) {
                r.bulk(e.getKey());
                r.bulk(e.getValue());
            }
        } else if (sub.equals("SET") || sub.equals("RESETSTAT") || sub.equals("REWRITE")) {
            throw new GatewayError("ERR Slate: CONFIG " + sub + " is not supported; the gateway is configured by 'slate serve' options");
        } else {
            throw new GatewayError("ERR unknown subcommand '" + new String(argv[1], StandardCharsets.UTF_8) + "'. Try CONFIG HELP.");
        }
    }

    private void command(final byte[][] argv, final Resp r) {
        if (argv.length == 1) {
            r.array(Commands.all().size());
            for (Commands.Spec s : Commands.all()) {
                commandInfo(s, r);
            }
            return;
        }
        final String sub = upper(argv[1]);
        switch (sub) {
            case "COUNT":
                r.integer(Commands.all().size());
                return;
            case "LIST":
                r.array(Commands.all().size());
                for (Commands.Spec s : Commands.all()) {
                    r.bulk(s.name.toLowerCase(Locale.ROOT));
                }
                return;
            case "DOCS":
                r.map(0);
                return;
            case "INFO":
                r.array(argv.length - 2);
                for (int i = 2; i < argv.length; i++) {
                    final Commands.Spec s = Commands.get(upper(argv[i]));
                    if (s == null) {
                        r.nullArray();
                    } else {
                        commandInfo(s, r);
                    }
                }
                return;
            default:
                throw new GatewayError("ERR unknown subcommand '" + new String(argv[1], StandardCharsets.UTF_8) + "'. Try COMMAND HELP.");
        }
    }

    private static void commandInfo(final Commands.Spec s, final Resp r) {
        r.array(6);
        r.bulk(s.name.toLowerCase(Locale.ROOT));
        r.integer(s.arity);
        final String[] flags = s.flags.isEmpty() ? new String[0] : s.flags.split(" ");
        r.set(flags.length);
        for (String f : flags) {
            r.simple(f);
        }
        r.integer(s.firstWrite);
        r.integer(s.lastWrite);
        r.integer(s.step);
    }

    private void reset() {
        endMulti();
        protocol = 2;
        resp = null;
        clientName = null;
        authenticated = !shared.config.requiresPassword();
        scanCursors.clear();
        scanSnapshots.clear();
        releaseHoldings();
        switchAgent(shared.gateway, null);
    }

    // ================================================================ key/value

    private void kv(final String name, final byte[][] argv, final Store st, final Resp r) {
        switch (name) {
            case "GET": {
                final String k = key(argv[1]);
                requireString(k);
                final Entry e = st.get(k);
                if (e == null) {
                    r.nullBulk();
                } else {
                    r.bulk(e.value());
                }
                return;
            }
            case "SET":
                set(argv, st, r);
                return;
            case "SETNX": {
                final String k = writableKey(argv[1]);
                checkValue(k, argv[2].length);
                r.integer(st.putIfAbsent(k, argv[2]) ? 1 : 0);
                return;
            }
            case "GETSET": {
                final String k = writableKey(argv[1]);
                checkValue(k, argv[2].length);
                final byte[] v = argv[2];
                bulkOrNull(r, st.mutate(k, cur -> v));
                return;
            }
            case "GETDEL":
                bulkOrNull(r, st.mutate(writableKey(argv[1]), cur -> Store.DELETE));
                return;
            case "MGET":
                r.array(argv.length - 1);
                for (int i = 1; i < argv.length; i++) {
                    if (isJournal(argv[i])) {
                        r.nullBulk();
                        continue;
                    }
                    final Entry e = st.get(key(argv[i]));
                    bulkOrNull(r, e == null ? null : e.value());
                }
                return;
            case "MSET": {
                if ((argv.length - 1) % 2 != 0) {
                    throw new GatewayError("ERR wrong number of arguments for 'mset' command");
                }
                final String[] keys = new String[(argv.length - 1) / 2];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = writableKey(argv[1 + 2 * i]);
                    checkValue(keys[i], argv[2 + 2 * i].length);
                }
                for (int i = 0; i < keys.length; i++) {
                    st.put(keys[i], argv[2 + 2 * i]);
                }
                r.ok();
                return;
            }
            case "DEL": {
                final String[] keys = new String[argv.length - 1];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = writableKey(argv[i + 1]);
                }
                int n = 0;
                for (String k : keys) {
                    n += st.remove(k) ? 1 : 0;
                }
                r.integer(n);
                return;
            }
            case "EXISTS": {
                int n = 0;
                for (int i = 1; i < argv.length; i++) {
                    n += isJournal(argv[i]) || st.get(key(argv[i])) != null ? 1 : 0;
                }
                r.integer(n);
                return;
            }
            case "INCR":
                r.integer(st.increment(writableKey(argv[1]), 1));
                return;
            case "DECR":
                r.integer(st.increment(writableKey(argv[1]), -1));
                return;
            case "INCRBY":
                r.integer(st.increment(writableKey(argv[1]), parseLong(argv[2], "ERR value is not an integer or out of range")));
                return;
            case "DECRBY": {
                final long d = parseLong(argv[2], "ERR value is not an integer or out of range");
                if (d == Long.MIN_VALUE) {
                    throw new GatewayError("ERR decrement would overflow");
                }
                r.integer(st.increment(writableKey(argv[1]), -d));
                return;
            }
            case "APPEND": {
                final String k = writableKey(argv[1]);
                final byte[] add = argv[2];
                final byte[] before = st.mutate(k, cur -> {
                    final int n = (cur == null ? 0 : cur.length) + add.length;
                    checkValue(k, n);
                    final byte[] next = new byte[n];
                    if (cur != null) {
                        System.arraycopy(cur, 0, next, 0, cur.length);
                    }
                    System.arraycopy(add, 0, next, n - add.length, add.length);
                    return next;
                });
                r.integer((before == null ? 0 : before.length) + add.length);
                return;
            }
            case "STRLEN": {
                final String k = key(argv[1]);
                requireString(k);
                final Entry e = st.get(k);
                r.integer(e == null ? 0 : e.value().length);
                return;
            }
            case "TYPE":
                if (isJournal(argv[1])) {
                    r.simple("stream");
                } else {
                    r.simple(st.get(key(argv[1])) == null ? "none" : "string");
                }
                return;
            case "SLATE.GETV": {
                final String k = key(argv[1]);
                requireString(k);
                final Entry e = st.get(k);
                if (e == null) {
                    r.nullBulk();
                } else {
                    entry(r, e);
                }
                return;
            }
            default:
                throw new IllegalStateException("no key/value command " + name);
        }
    }

    private void set(final byte[][] argv, final Store st, final Resp r) {
        final String k = writableKey(argv[1]);
        final byte[] v = argv[2];
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        for (int i = 3; i < argv.length; i++) {
            final String opt = upper(argv[i]);
            switch (opt) {
                case "NX":
                    nx = true;
                    break;
                case "XX":
                    xx = true;
                    break;
                case "GET":
                    get = true;
                    break;
                case "KEEPTTL":
                    break;
                case "EX":
                case "PX":
                case "EXAT":
                case "PXAT":
                    if (i + 1 >= argv.length) {
                        throw new GatewayError("ERR syntax error");
                    }
                    throw new GatewayError("ERR Slate: keys do not expire; SET " + opt + " is not supported");
                default:
                    throw new GatewayError("ERR syntax error");
            }
        }
        if (nx && xx) {
            throw new GatewayError("ERR syntax error");
        }
        checkValue(k, v.length);
        if (!nx && !xx && !get) {
            st.put(k, v);
            r.ok();
            return;
        }
        if (nx && !get) {
            if (st.putIfAbsent(k, v)) {
                r.ok();
            } else {
                r.nullBulk();
            }
            return;
        }
        final boolean onlyIfAbsent = nx;
        final boolean onlyIfPresent = xx;
        final boolean[] wrote = new boolean[1];
        final byte[] before = st.mutate(k, cur -> {
            if (onlyIfAbsent && cur != null || onlyIfPresent && cur == null) {
                wrote[0] = false;
                return Store.KEEP;
            }
            wrote[0] = true;
            return v;
        });
        if (get) {
            bulkOrNull(r, before);
        } else if (wrote[0]) {
            r.ok();
        } else {
            r.nullBulk();
        }
    }

    private static void bulkOrNull(final Resp r, final byte[] b) {
        if (b == null) {
            r.nullBulk();
        } else {
            r.bulk(b);
        }
    }

    private static void entry(final Resp r, final Entry e) {
        r.map(6);
        r.bulk("value");
        r.bulk(e.value());
        r.bulk("version");
        r.integer(e.version());
        r.bulk("writer");
        r.bulk(e.writer());
        r.bulk("index");
        r.integer(e.journalIndex());
        r.bulk("time");
        r.bulk(e.timestampNanos());
        r.bulk("removed");
        r.bool(e.isRemoved());
    }

    private List<String> liveKeys(final String pattern) {
        final List<String> keys = new ArrayList<>();
        agent.kv.forEach(e -> {
            if (pattern == null || Glob.matches(pattern, e.key())) {
                keys.add(e.key());
            }
        });
        return keys;
    }

    private void keys(final byte[][] argv, final Resp r) {
        final List<String> keys = liveKeys(new String(argv[1], StandardCharsets.UTF_8));
        r.array(keys.size());
        for (String k : keys) {
            r.bulk(k);
        }
    }

    /**
     * SCAN walks the keys in sorted order; a cursor stands for the last key returned and belongs to this connection,
     * so a key present for the whole scan is returned exactly once, whatever is written meanwhile.
     */
    private void scan(final byte[][] argv, final Resp r) {
        final long cursor = parseLong(argv[1], "ERR invalid cursor");
        String pattern = null;
        long count = 10;
        String type = null;
        for (int i = 2; i < argv.length; i++) {
            final String opt = upper(argv[i]);
            if (i + 1 >= argv.length) {
                throw new GatewayError("ERR syntax error");
            }
            if (opt.equals("MATCH")) {
                pattern = new String(argv[++i], StandardCharsets.UTF_8);
            } else if (opt.equals("COUNT")) {
                count = parseLong(argv[++i], "ERR value is not an integer or out of range");
                if (count < 1) {
                    throw new GatewayError("ERR syntax error");
                }
            } else if (opt.equals("TYPE")) {
                type = new String(argv[++i], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            } else {
                throw new GatewayError("ERR syntax error");
            }
        }
        final ScanCursor at;
        if (cursor == 0) {
            at = null;
        } else {
            at = scanCursors.remove(cursor);
            if (at == null) {
                throw new GatewayError("ERR Slate: unknown SCAN cursor " + cursor + " (a cursor belongs to the connection that started the scan)");
            }
        }
        final int limit = (int) Math.min(count, 100_000);
        final String p = pattern;
        final boolean noneOfType = type != null && !type.equals("string");
        final List<String> page;
        ScanCursor following = null;
        if (noneOfType) {
            page = List.of();
        } else if (at == null || at.keys != null) {
            // a new scan walks the space once and keeps its sorted keys; the next pages come from that list
            final String[] keys;
            final int from;
            if (at == null) {
                final List<String> all = new ArrayList<>();
                agent.kv.forEach(e -> all.add(e.key()));
                keys = all.toArray(new String[0]);
                java.util.Arrays.sort(keys);
                from = 0;
            } else {
                keys = at.keys;
                from = at.next;
            }
            final int to = (int) Math.min(keys.length, (long) from + limit);
            page = java.util.Arrays.asList(keys).subList(from, to);
            if (to < keys.length && to > from) {
                following = new ScanCursor(keys[to - 1], keys, to);
                if (at == null) {
                    keepSnapshot(keys);
                }
            } else if (at != null) {
                scanSnapshots.removeIf(k -> k == keys); // the scan is done: its list goes
            }
        } else {
            // a scan whose key list was let go (the connection started newer ones): walk the space for the keys after its last
            final TreeSet<String> next = new TreeSet<>();
            final boolean[] more = new boolean[1];
            final String after = at.last;
            agent.kv.forEach(e -> {
                final String k = e.key();
                if (k.compareTo(after) <= 0) {
                    return;
                }
                next.add(k);
                if (next.size() > limit) {
                    next.pollLast();
                    more[0] = true;
                }
            });
            page = new ArrayList<>(next);
            if (more[0] && !next.isEmpty()) {
                following = new ScanCursor(next.last(), null, 0);
            }
        }
        long next = 0;
        if (following != null) {
            next = nextCursor++;
            scanCursors.put(next, following);
        }
        final List<String> matched = new ArrayList<>();
        for (String k : page) {
            if (p == null || Glob.matches(p, k)) {
                matched.add(k);
            }
        }
        r.array(2);
        r.bulk(Long.toString(next));
        r.array(matched.size());
        for (String k : matched) {
            r.bulk(k);
        }
    }

    /** Keeps a new scan's key list, letting go of the oldest beyond {@link #SCAN_SNAPSHOTS} (those scans walk instead). */
    private void keepSnapshot(final String[] keys) {
        scanSnapshots.addLast(keys);
        if (scanSnapshots.size() > SCAN_SNAPSHOTS) {
            final String[] dropped = scanSnapshots.removeFirst();
            for (Map.Entry<Long, ScanCursor> c : scanCursors.entrySet()) {
                if (c.getValue().keys == dropped) {
                    c.setValue(new ScanCursor(c.getValue().last, null, 0));
                }
            }
        }
    }

    // ================================================================ transactions

    private void flagTx() {
        if (inMulti) {
            multiDirty = true;
        }
    }

    private void endMulti() {
        inMulti = false;
        multiDirty = false;
        txKey = null;
        queued.clear();
        watched.clear();
    }

    private void queue(final Commands.Spec spec, final byte[][] argv, final Resp r) {
        if (!spec.tx) {
            multiDirty = true;
            r.error("ERR Slate: " + spec.name + " cannot be queued in MULTI; a transaction holds string commands (see docs/gateway.md)");
            return;
        }
        if (spec.firstWrite > 0) {
            final int last = spec.lastWrite < 0 ? argv.length + spec.lastWrite : spec.lastWrite;
            for (int i = spec.firstWrite; i <= last; i += spec.step) {
                final String k;
                try {
                    k = key(argv[i]);
                } catch (GatewayError e) {
                    multiDirty = true;
                    r.error(e.getMessage());
                    return;
                }
                if (txKey == null) {
                    txKey = k;
                } else if (!txKey.equals(k)) {
                    multiDirty = true;
                    r.error("ERR Slate: a transaction writes one key atomically; this one writes '" + TupleWords.abbreviate(txKey)
                            + "' and cannot also write '" + TupleWords.abbreviate(k) + "' (nothing will be written; see docs/gateway.md)");
                    return;
                }
            }
        }
        queued.add(argv);
        r.simple("QUEUED");
    }

    /** The version WATCH remembers: the key's version, a removed key's tombstone version, or 0 when never written. */
    private long watchVersion(final String k) {
        if (k.equals(JOURNAL)) {
            return agent.space.journal().lastIndex();
        }
        final EntryBuffer b = new EntryBuffer(16);
        final long v = agent.kv.get(k, b);
        if (v != KeyValue.ABSENT) {
            return v;
        }
        return b.isRemoved() ? b.version() : 0;
    }

    private void exec(final Resp r) {
        if (!inMulti) {
            throw new GatewayError("ERR EXEC without MULTI");
        }
        final List<byte[][]> cmds = new ArrayList<>(queued);
        final Map<String, Long> w = new HashMap<>(watched);
        final boolean dirty = multiDirty;
        final String key = txKey;
        endMulti();
        if (dirty) {
            throw new GatewayError("EXECABORT Transaction discarded because of previous errors.");
        }
        for (Map.Entry<String, Long> e : w.entrySet()) {
            if (watchVersion(e.getKey()) != e.getValue()) {
                r.nullArray();
                return;
            }
        }
        if (key == null) {
            r.array(cmds.size());
            for (byte[][] c : cmds) {
                runQueued(c, agent.live, r);
            }
            return;
        }
        final long watchedVersion = w.containsKey(key) ? w.get(key) : -1;
        for (int attempt = 0; attempt < MAX_TX_RETRIES; attempt++) {
            final ByteBuf tmp = ctx.alloc().buffer(256);
            try {
                final Resp tr = new Resp(tmp, protocol);
                final Store.Tx tx = new Store.Tx(agent.live, agent.kv, key, watchedVersion);
                tr.array(cmds.size());
                for (byte[][] c : cmds) {
                    runQueued(c, tx, tr);
                }
                if (tx.commit()) {
                    r.buffer().writeBytes(tmp);
                    return;
                }
                if (watchedVersion >= 0) {
                    r.nullArray();
                    return;
                }
            } catch (Store.Tx.WatchBroken e) {
                r.nullArray();
                return;
            } finally {
                tmp.release();
            }
        }
        throw new GatewayError("ERR Slate: the transaction on '" + key + "' kept conflicting with other writers (" + MAX_TX_RETRIES
                + " tries); nothing was written");
    }

    private void runQueued(final byte[][] argv, final Store st, final Resp r) {
        final String name = upper(argv[0]);
        final int mark = r.buffer().writerIndex();
        try {
            if (name.equals("PING") || name.equals("ECHO")) {
                dispatch(name, argv, r);
            } else {
                kv(name, argv, st, r);
            }
        } catch (Store.Tx.WatchBroken e) {
            throw e;
        } catch (Throwable t) {
            r.buffer().writerIndex(mark);
            r.error(errorText(t));
        }
    }

    // ================================================================ Slate: versions

    private void slateCas(final byte[][] argv, final Resp r) {
        final String k = writableKey(argv[1]);
        final long expected = parseLong(argv[2], "ERR Slate: the expected version must be an integer >= 0 (0: absent)");
        if (expected < 0) {
            throw new GatewayError("ERR Slate: the expected version must be an integer >= 0 (0: absent)");
        }
        checkValue(k, argv[3].length);
        r.integer(agent.kv.compareAndSet(k, expected, argv[3]));
    }

    private void slateWait(final byte[][] argv, final Resp r) {
        final String k = key(argv[1]);
        final long after = parseLong(argv[2], "ERR value is not an integer or out of range");
        final long block = blockOption(argv, 3);
        final int end = block >= 0 ? argv.length - 2 : argv.length;
        if (end != 3) {
            throw new GatewayError("ERR syntax error");
        }
        final Entry now = awaitChange(k, after, 0);
        if (now != null || block < 0) {
            if (now == null) {
                r.nullBulk();
            } else {
                entry(r, now);
            }
            return;
        }
        final long deadline = deadline(block);
        waitFor(wr -> {
            long s;
            while (!gone() && (s = slice(deadline)) > 0) {
                final Entry e = awaitChange(k, after, s);
                if (e != null) {
                    entry(wr, e);
                    return;
                }
            }
            wr.nullBulk();
        });
    }

    private Entry awaitChange(final String k, final long after, final long millis) {
        try {
            return agent.kv.awaitChange(k, after, millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayError("ERR Slate: interrupted (the gateway is stopping)");
        }
    }

    // ================================================================ the journal as a stream

    /** One journal record, copied out of the tailer's flyweight. */
    private static final class Rec {
        final long index;
        final String op;
        final String key;
        final long version;
        final byte[] value;
        final String agent;
        final long time;

        Rec(final JournalRecord r) {
            this.index = r.index();
            this.op = r.op() == null ? "unknown" : r.op().label();
            this.key = r.key().toString();
            this.version = r.version();
            this.value = r.valueCopy();
            this.agent = r.agent().toString();
            this.time = r.timestampNanos();
        }
    }

    private static void record(final Resp r, final Rec rec) {
        r.array(2);
        r.bulk(StreamIds.of(rec.index));
        r.array(12);
        r.bulk("op");
        r.bulk(rec.op);
        r.bulk("key");
        r.bulk(rec.key);
        r.bulk("version");
        r.bulk(rec.version);
        r.bulk("value");
        r.bulk(rec.value);
        r.bulk("agent");
        r.bulk(rec.agent);
        r.bulk("time");
        r.bulk(rec.time);
    }

    /** Reads records with indices in [from, to], at most max, oldest first; does not wait. */
    private List<Rec> readRange(final long from, final long to, final long max) {
        final List<Rec> recs = new ArrayList<>();
        final long last = agent.space.journal().lastIndex();
        if (last < 0 || from > last || from > to || max <= 0) {
            return recs;
        }
        try (Tailer t = agent.space.journal().tailerFromIndex(Math.max(0, from))) {
            final boolean[] past = new boolean[1];
            while (recs.size() < max && !past[0]) {
                final boolean got;
                try {
                    got = t.poll(rec -> {
                        if (rec.index() > to) {
                            past[0] = true;
                        } else if (rec.index() >= from) {
                            recs.add(new Rec(rec));
                        }
                    });
                } catch (CorruptSpaceException e) {
                    continue; // a record that is not Slate's is skipped (the tailer has moved past it)
                }
                if (!got) {
                    break;
                }
            }
        }
        return recs;
    }

    private void xrange(final byte[][] argv, final Resp r, final boolean reverse) {
        long count = Long.MAX_VALUE;
        if (argv.length > 4) {
            if (argv.length != 6 || !upper(argv[4]).equals("COUNT")) {
                throw new GatewayError("ERR syntax error");
            }
            count = parseLong(argv[5], "ERR value is not an integer or out of range");
        }
        final String first = new String(argv[reverse ? 3 : 2], StandardCharsets.UTF_8);
        final String second = new String(argv[reverse ? 2 : 3], StandardCharsets.UTF_8);
        final long from = StreamIds.startIndex(first);
        final long to = StreamIds.endIndex(second);
        if (!isJournal(argv[1])) {
            requireNotString(key(argv[1]));
            r.array(0);
            return;
        }
        if (count <= 0) {
            r.array(0);
            return;
        }
        List<Rec> recs;
        if (!reverse) {
            recs = readRange(from, to, count);
        } else {
            final long end = Math.min(to, agent.space.journal().lastIndex());
            long window = Math.max(16, count == Long.MAX_VALUE ? Long.MAX_VALUE : count * 2);
            while (true) {
                final long lo = end - from < window ? from : end - window + 1;
                recs = readRange(lo, end, Long.MAX_VALUE);
                if (recs.size() >= count || lo == from) {
                    break;
                }
                window = window > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : window * 8;
            }
            Collections.reverse(recs);
            if (recs.size() > count) {
                recs = recs.subList(0, (int) count);
            }
        }
        r.array(recs.size());
        for (Rec rec : recs) {
            record(r, rec);
        }
    }

    private void xread(final byte[][] argv, final Resp r) {
        long count = Long.MAX_VALUE;
        long block = -1;
        int i = 1;
        while (i < argv.length) {
            final String opt = upper(argv[i]);
            if (opt.equals("COUNT") && i + 1 < argv.length) {
                count = parseLong(argv[i + 1], "ERR value is not an integer or out of range");
                i += 2;
            } else if (opt.equals("BLOCK") && i + 1 < argv.length) {
                block = parseLong(argv[i + 1], "ERR timeout is not an integer or out of range");
                if (block < 0) {
                    throw new GatewayError("ERR timeout is negative");
                }
                i += 2;
            } else if (opt.equals("STREAMS")) {
                i++;
                break;
            } else {
                throw new GatewayError("ERR syntax error");
            }
        }
        final int streams = argv.length - i;
        if (streams <= 0 || streams % 2 != 0) {
            throw new GatewayError("ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.");
        }
        if (streams != 2 || !isJournal(argv[i])) {
            throw new GatewayError("ERR Slate: XREAD reads one stream, '" + JOURNAL + "' (the space's journal)");
        }
        final String idText = new String(argv[i + 1], StandardCharsets.UTF_8);
        final long from = idText.equals("$") ? agent.space.journal().lastIndex() + 1 : StreamIds.afterIndex(idText);
        final long max = count <= 0 ? Long.MAX_VALUE : count;
        final List<Rec> now = readRange(from, Long.MAX_VALUE, max);
        if (!now.isEmpty() || block < 0) {
            xreadReply(r, now);
            return;
        }
        final long deadline = deadline(block);
        waitFor(wr -> {
            try (Tailer t = agent.space.journal().tailerFromIndex(Math.max(0, from))) {
                long s;
                while (!gone() && (s = slice(deadline)) > 0) {
                    final JournalRecord rec = t.next(s, TimeUnit.MILLISECONDS);
                    if (rec != null && rec.index() >= from) {
                        final List<Rec> recs = new ArrayList<>();
                        recs.add(new Rec(rec));
                        recs.addAll(readRange(rec.index() + 1, Long.MAX_VALUE, max - 1));
                        xreadReply(wr, recs);
                        return;
                    }
                }
            }
            wr.nullArray();
        });
    }

    private static void xreadReply(final Resp r, final List<Rec> recs) {
        if (recs.isEmpty()) {
            r.nullArray();
            return;
        }
        if (r.resp3()) {
            r.map(1);
        } else {
            r.array(1);
            r.array(2);
        }
        r.bulk(JOURNAL);
        r.array(recs.size());
        for (Rec rec : recs) {
            record(r, rec);
        }
    }

    // ================================================================ tuples

    private TupleSpace tuples(final byte[] name) {
        return agent.tuples(name(name, "tuple space"));
    }

    private static void tuple(final Resp r, final Tuple t) {
        r.array(t.arity());
        for (int i = 0; i < t.arity(); i++) {
            switch (t.type(i)) {
                case STRING:
                    r.bulk(t.getString(i));
                    break;
                case LONG:
                    r.integer(t.getLong(i));
                    break;
                case DOUBLE:
                    r.dbl(t.getDouble(i));
                    break;
                case BOOLEAN:
                    r.bool(t.getBoolean(i));
                    break;
                default:
                    r.bulk(t.getBytes(i));
                    break;
            }
        }
    }

    private static void taken(final Resp r, final Taken t) {
        r.array(2);
        r.integer(t.id());
        tuple(r, t.tuple());
    }

    private void tupleRead(final String name, final byte[][] argv, final Resp r) {
        final TupleSpace ts = tuples(argv[1]);
        final boolean mayBlock = name.equals("SLATE.RD") || name.equals("SLATE.IN") || name.equals("SLATE.TAKE");
        final long block = mayBlock ? blockOption(argv, 2) : -1;
        final Template template = TupleWords.template(argv, 2, block >= 0 ? argv.length - 2 : argv.length);
        switch (name) {
            case "SLATE.RDP":
            case "SLATE.RD": {
                final Tuple t = ts.rdp(template);
                if (t != null || block < 0) {
                    tupleOrNull(r, t);
                    return;
                }
                final long deadline = deadline(block);
                waitFor(wr -> {
                    long s;
                    while (!gone() && (s = slice(deadline)) > 0) {
                        final Tuple got = ts.rd(template, s, TimeUnit.MILLISECONDS);
                        if (got != null) {
                            tuple(wr, got);
                            return;
                        }
                    }
                    wr.nullBulk();
                });
                return;
            }
            case "SLATE.INP":
            case "SLATE.IN": {
                final Tuple t = ts.inp(template);
                if (t != null || block < 0) {
                    tupleOrNull(r, t);
                    return;
                }
                final long deadline = deadline(block);
                waitFor(wr -> {
                    long s;
                    while (!gone() && (s = slice(deadline)) > 0) {
                        // taken with ack and acknowledged only if the connection is still there to receive it
                        final Taken got = ts.inWithAck(template, s, TimeUnit.MILLISECONDS);
                        if (got != null) {
                            if (gone()) {
                                got.release();
                                break;
                            }
                            if (got.ack()) {
                                tuple(wr, got.tuple());
                                return;
                            }
                        }
                    }
                    wr.nullBulk();
                });
                return;
            }
            default: {
                final Taken t = ts.inWithAck(template, 0, TimeUnit.MILLISECONDS);
                if (t != null) {
                    hold(t);
                    taken(r, t);
                    return;
                }
                if (block < 0) {
                    r.nullBulk();
                    return;
                }
                final long deadline = deadline(block);
                waitFor(wr -> {
                    long s;
                    while (!gone() && (s = slice(deadline)) > 0) {
                        final Taken got = ts.inWithAck(template, s, TimeUnit.MILLISECONDS);
                        if (got != null) {
                            if (hold(got)) {
                                taken(wr, got);
                                return;
                            }
                            break;
                        }
                    }
                    wr.nullBulk();
                });
            }
        }
    }

    private static void tupleOrNull(final Resp r, final Tuple t) {
        if (t == null) {
            r.nullBulk();
        } else {
            tuple(r, t);
        }
    }

    /** Records a take as this connection's; false (and the take released) when the connection is already gone. */
    private boolean hold(final Taken t) {
        synchronized (holdLock) {
            if (!released && !gone()) {
                takes.put(t.id(), t);
                return true;
            }
        }
        t.release();
        return false;
    }

    private void ack(final byte[][] argv, final Resp r, final boolean ack) {
        final long tid = parseLong(argv[1], "ERR Slate: a take's id is an integer");
        final Taken t = takes.remove(tid);
        if (t == null) {
            throw new GatewayError("ERR Slate: this connection holds no unacknowledged take " + tid);
        }
        if (ack) {
            r.integer(t.ack() ? 1 : 0);
        } else {
            t.release();
            r.ok();
        }
    }

    // ================================================================ locks, semaphores, counters

    private void lock(final byte[][] argv, final Resp r) {
        final String n = name(argv[1], "mutex");
        final long block = blockOption(argv, 2);
        if (argv.length != (block >= 0 ? 4 : 2)) {
            throw new GatewayError("ERR syntax error");
        }
        if (locks.containsKey(n)) {
            throw new GatewayError("ERR Slate: this connection already holds mutex '" + n + "' (it is not re-entrant)");
        }
        final Mutex m = agent.sync().mutex(n);
        final java.util.concurrent.Semaphore gate = shared.gate(n);
        if (gate.tryAcquire()) {
            final long token = m.tryLock(0, TimeUnit.MILLISECONDS);
            if (token > 0) {
                holdLock(n, m, gate);
                r.integer(token);
                return;
            }
            gate.release();
        }
        if (block < 0) {
            r.nullBulk();
            return;
        }
        final long deadline = deadline(block);
        waitFor(wr -> {
            long s;
            boolean gated = false;
            while (!gone() && (s = slice(deadline)) > 0) {
                if (!gated) {
                    gated = gate.tryAcquire(s, TimeUnit.MILLISECONDS);
                    continue;
                }
                final long token = m.tryLock(s, TimeUnit.MILLISECONDS);
                if (token > 0) {
                    if (holdLock(n, m, gate)) {
                        wr.integer(token);
                    } else {
                        wr.nullBulk();
                    }
                    return;
                }
            }
            if (gated) {
                gate.release();
            }
            wr.nullBulk();
        });
    }

    private boolean holdLock(final String n, final Mutex m, final java.util.concurrent.Semaphore gate) {
        synchronized (holdLock) {
            if (!released && !gone()) {
                locks.put(n, m);
                return true;
            }
        }
        m.unlock();
        gate.release();
        return false;
    }

    private void unlock(final byte[][] argv, final Resp r) {
        final String n = name(argv[1], "mutex");
        final Mutex m = locks.remove(n);
        if (m == null) {
            throw new GatewayError("ERR Slate: this connection does not hold mutex '" + n + "'");
        }
        try {
            m.unlock();
        } finally {
            shared.gate(n).release();
        }
        r.ok();
    }

    private void semAcquire(final byte[][] argv, final Resp r) {
        final String n = name(argv[1], "semaphore");
        final int capacity = (int) positiveInt(argv[2], "permits");
        final long block = blockOption(argv, 3);
        final int end = block >= 0 ? argv.length - 2 : argv.length;
        if (end > 4) {
            throw new GatewayError("ERR syntax error");
        }
        final int want = end == 4 ? (int) positiveInt(argv[3], "count") : 1;
        final Semaphore sem = agent.sync().semaphore(n, capacity);
        if (sem.tryAcquire(want, 0, TimeUnit.MILLISECONDS)) {
            r.integer(holdPermits(n, sem, want));
            return;
        }
        if (block < 0) {
            r.nullBulk();
            return;
        }
        final long deadline = deadline(block);
        waitFor(wr -> {
            long s;
            while (!gone() && (s = slice(deadline)) > 0) {
                if (sem.tryAcquire(want, s, TimeUnit.MILLISECONDS)) {
                    final int held = holdPermits(n, sem, want);
                    if (held > 0) {
                        wr.integer(held);
                    } else {
                        wr.nullBulk();
                    }
                    return;
                }
            }
            wr.nullBulk();
        });
    }

    /** Records permits as this connection's; returns how many it holds now, or 0 (permits returned) when it is gone. */
    private int holdPermits(final String n, final Semaphore sem, final int count) {
        synchronized (holdLock) {
            if (!released && !gone()) {
                final SemHold h = permits.computeIfAbsent(n, k -> new SemHold(sem));
                h.count += count;
                return h.count;
            }
        }
        sem.release(count);
        return 0;
    }

    private void semRelease(final byte[][] argv, final Resp r) {
        final String n = name(argv[1], "semaphore");
        positiveInt(argv[2], "permits");
        if (argv.length > 4) {
            throw new GatewayError("ERR syntax error");
        }
        final int count = argv.length == 4 ? (int) positiveInt(argv[3], "count") : 1;
        final int left;
        synchronized (holdLock) {
            final SemHold h = permits.get(n);
            if (h == null || h.count < count) {
                throw new GatewayError("ERR Slate: this connection holds " + (h == null ? 0 : h.count) + " permit(s) of semaphore '" + n
                        + "', cannot release " + count);
            }
            h.semaphore.release(count);
            h.count -= count;
            left = h.count;
            if (left == 0) {
                permits.remove(n);
            }
        }
        r.integer(left);
    }

    // ================================================================ blackboard

    /** {@code SLATE.BB.POST board level confidence [name value]...}: posts an entry; its id. Values as tuple fields. */
    private void bbPost(final byte[][] argv, final Resp r) {
        if ((argv.length - 4) % 2 != 0) {
            throw new GatewayError("ERR Slate: SLATE.BB.POST board level confidence, then attribute names and values in pairs");
        }
        final String board = name(argv[1], "blackboard");
        final String level = name(argv[2], "level");
        final double confidence;
        try {
            confidence = Double.parseDouble(new String(argv[3], StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new GatewayError("ERR Slate: the confidence must be a number from 0 to 1");
        }
        final io.slate.blackboard.Attributes.Builder a = io.slate.blackboard.Attributes.builder();
        for (int i = 4; i < argv.length; i += 2) {
            a.putValue(name(argv[i], "attribute"), TupleWords.field(argv[i + 1], (i - 4) / 2));
        }
        final io.slate.blackboard.Attributes attributes = a.build();
        // posted as this connection's agent (the entry's author), on the gateway's blackboard thread (a blackboard handle
        // is single-threaded); this waits for it, and the connection keeps its agent while it waits
        final Agent as = agent;
        waitFor(wr -> wr.integer(shared.withBoard(as, board, bb -> bb.post(level, attributes, confidence))));
    }

    // ================================================================ SLATE.INFO

    private void slateInfo(final Resp r) {
        final SpaceStats st = shared.space.stats();
        final List<Agent> through = shared.agents();
        // the tuple spaces opened through any agent of this gateway, each counted in the view of the first agent that has it
        // open (the gateway's first): opening one here would read the journal on the event loop
        final java.util.TreeMap<String, TupleSpace> opened = new java.util.TreeMap<>();
        for (Agent a : through) {
            for (Map.Entry<String, TupleSpace> e : a.openedTupleSpaces().entrySet()) {
                opened.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        final List<String> tupleCounts = new ArrayList<>();
        for (Map.Entry<String, TupleSpace> e : opened.entrySet()) {
            long total = 0;
            try {
                for (int arity = 1; arity <= Tuple.MAX_FIELDS; arity++) {
                    total += e.getValue().count(Template.anyOfArity(arity));
                }
            } catch (IllegalStateException closedMeanwhile) {
                continue; // its agent's last connection closed just now; the space is counted again once another agent opens it
            }
            tupleCounts.add(e.getKey() + " " + total);
        }
        // each agent writing through this gateway, with its connections now
        final Map<Agent, Integer> connections = new java.util.IdentityHashMap<>();
        for (Session s : shared.sessions) {
            connections.merge(s.agent, 1, Integer::sum);
        }
        final List<String> gatewayAgents = new ArrayList<>();
        for (Agent a : through) {
            gatewayAgents.add(a.id + " connections=" + connections.getOrDefault(a, 0) + (a.owned ? "" : " gateway"));
        }
        final List<String> prims = new ArrayList<>();
        if (Sync.exists(shared.space)) {
            for (PrimitiveInfo p : shared.sync().primitives()) {
                prims.add(p.kind().label() + " " + p.name() + " value=" + p.value()
                        + (p.kind() == PrimitiveInfo.Kind.MUTEX ? " token=" + p.lastToken() : "") + " holders=" + p.holders());
            }
        }
        int heldTakes = 0;
        int heldLocks = 0;
        for (Session s : shared.sessions) {
            heldTakes += s.takes.size();
            heldLocks += s.locks.size();
        }
        r.map(19);
        r.bulk("space");
        r.bulk(shared.space.address());
        r.bulk("agent");
        r.bulk(shared.space.agentId());
        r.bulk("connection_agent");
        r.bulk(agent.id);
        r.bulk("gateway_agents");
        r.array(gatewayAgents.size());
        for (String s : gatewayAgents) {
            r.bulk(s);
        }
        r.bulk("agents_alive");
        r.integer(st.agentsAlive());
        r.bulk("agents_known");
        r.integer(st.agentsKnown());
        r.bulk("entries");
        r.integer(st.entries());
        r.bulk("max_entries");
        r.integer(st.maxEntries());
        r.bulk("max_key_bytes");
        r.integer(shared.maxKeyBytes);
        r.bulk("max_value_bytes");
        r.integer(shared.maxValueBytes);
        r.bulk("journal_records");
        r.integer(st.journalRecords());
        r.bulk("journal_first_index");
        r.integer(st.firstIndex());
        r.bulk("journal_last_index");
        r.integer(st.lastIndex());
        r.bulk("journal_bytes");
        r.integer(st.journalBytes());
        r.bulk("connections");
        r.integer(shared.sessions.size());
        r.bulk("unacked_takes");
        r.integer(heldTakes);
        r.bulk("mutexes_held");
        r.integer(heldLocks);
        r.bulk("tuples");
        r.array(tupleCounts.size());
        for (String s : tupleCounts) {
            r.bulk(s);
        }
        r.bulk("sync");
        r.array(prims.size());
        for (String s : prims) {
            r.bulk(s);
        }
    }

    // ================================================================ giving back

    /** Gives back everything this connection holds, once: takes return to their tuple space, mutexes and permits are released. */
    void releaseAll() {
        synchronized (holdLock) {
            if (released) {
                return;
            }
            released = true;
        }
        releaseHoldings();
        dropAgentIfClosed();
    }

    /** Once the connection is closed and no command of it waits any more, it stops writing as its agent. */
    private void dropAgentIfClosed() {
        final Agent a;
        synchronized (holdLock) {
            if (!released || waiting > 0) {
                return;
            }
            a = agent;
            agent = shared.gateway;
        }
        shared.dropAgent(a);
    }

    private void releaseHoldings() {
        for (Long tid : new ArrayList<>(takes.keySet())) {
            final Taken t = takes.remove(tid);
            if (t != null) {
                try {
                    t.close();
                } catch (RuntimeException e) {
                    // the space is closing: the space returns a dead agent's takes itself
                }
            }
        }
        for (String n : new ArrayList<>(locks.keySet())) {
            final Mutex m = locks.remove(n);
            if (m != null) {
                try {
                    m.unlock();
                } catch (RuntimeException e) {
                    // already taken over (only when the space is closing)
                } finally {
                    shared.gate(n).release();
                }
            }
        }
        synchronized (holdLock) {
            for (Map.Entry<String, SemHold> e : permits.entrySet()) {
                try {
                    e.getValue().semaphore.release(e.getValue().count);
                } catch (RuntimeException ex) {
                    // already returned by a waiter (only when the space is closing)
                }
            }
            permits.clear();
        }
    }

    // ================================================================ arguments

    static String upper(final byte[] b) {
        final char[] c = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            final int x = b[i] & 0xFF;
            c[i] = (char) (x >= 'a' && x <= 'z' ? x - 32 : x);
        }
        return new String(c);
    }

    private static boolean isJournal(final byte[] k) {
        return k.length == JOURNAL.length() && new String(k, StandardCharsets.ISO_8859_1).equals(JOURNAL);
    }

    /** The key as text, checked against the space's key limit. */
    private String key(final byte[] b) {
        if (b.length == 0) {
            throw new GatewayError("ERR Slate: keys must not be empty");
        }
        if (b.length > shared.maxKeyBytes) {
            throw new GatewayError("ERR Slate: key is " + b.length + " bytes; the space allows at most " + shared.maxKeyBytes + " (maxKeyBytes)");
        }
        boolean ascii = true;
        for (byte x : b) {
            if (x < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GatewayError("ERR Slate: keys are UTF-8 text; this key is not valid UTF-8");
        }
    }

    private String writableKey(final byte[] b) {
        if (isJournal(b)) {
            throw new GatewayError("WRONGTYPE Operation against a key holding the wrong kind of value");
        }
        return key(b);
    }

    private static void requireString(final String k) {
        if (k.equals(JOURNAL)) {
            throw new GatewayError("WRONGTYPE Operation against a key holding the wrong kind of value");
        }
    }

    private void requireNotString(final String k) {
        if (agent.kv.get(k) != null) {
            throw new GatewayError("WRONGTYPE Operation against a key holding the wrong kind of value");
        }
    }

    private void checkValue(final String k, final int length) {
        if (length > shared.maxValueBytes) {
            throw new GatewayError("ERR Slate: value for key '" + TupleWords.abbreviate(k) + "' is " + length
                    + " bytes; the space allows at most " + shared.maxValueBytes + " (maxValueBytes)");
        }
    }

    private static String name(final byte[] b, final String what) {
        if (b.length == 0) {
            throw new GatewayError("ERR Slate: a " + what + " name must not be empty");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Redis's integers: an optional '-', digits, no leading zeros, no '+', no blanks. */
    static long parseLong(final byte[] b, final String error) {
        if (b.length == 0 || b.length > 20) {
            throw new GatewayError(error);
        }
        final boolean negative = b[0] == '-';
        int i = negative ? 1 : 0;
        if (i == b.length || b[i] == '0' && b.length > i + 1 || negative && b[i] == '0') {
            throw new GatewayError(error);
        }
        long r = 0;
        for (; i < b.length; i++) {
            final int d = b[i] - '0';
            if (d < 0 || d > 9 || r < (Long.MIN_VALUE + d) / 10) {
                throw new GatewayError(error);
            }
            r = r * 10 - d;
        }
        if (!negative) {
            if (r == Long.MIN_VALUE) {
                throw new GatewayError(error);
            }
            r = -r;
        }
        return r;
    }

    private static long positiveInt(final byte[] b, final String what) {
        final long v = parseLong(b, "ERR Slate: " + what + " must be an integer from 1 to " + Integer.MAX_VALUE);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new GatewayError("ERR Slate: " + what + " must be an integer from 1 to " + Integer.MAX_VALUE);
        }
        return v;
    }

    /** {@code BLOCK ms} as the last two words from {@code from} on: -1 when absent (do not wait), 0 forever, else ms. */
    private static long blockOption(final byte[][] argv, final int from) {
        if (argv.length - 2 >= from && upper(argv[argv.length - 2]).equals("BLOCK")) {
            final long ms = parseLong(argv[argv.length - 1], "ERR timeout is not an integer or out of range");
            if (ms < 0) {
                throw new GatewayError("ERR timeout is negative");
            }
            return ms;
        }
        return -1;
    }
}
