package io.slate.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.slate.space.Space;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * {@code slate serve}: a server speaking the Redis protocol (RESP2, and RESP3 after {@code HELLO 3}) over one Slate
 * space, so agents in any language join with the Redis client they have. The gateway is one agent of the space: what
 * a connection holds (a mutex, semaphore permits, an unacknowledged take) is held by this process for that
 * connection, given back when the connection drops, and given back by the space when this process dies.
 *
 * <p>Uses only the public API of {@code slate-core}. Built on Netty: the event loops parse commands straight out of
 * the received bytes ({@link RespReader}) and run the commands that do not wait; commands that wait (BLOCK) run on a pool of
 * {@link GatewayConfig#maxBlockedClients()} threads. See {@code docs/gateway.md} for the commands.
 *
 * <p>Thread-safe. {@link #close()} stops listening, closes every connection (returning what they held) and leaves
 * the space open for its owner to close.
 */
public final class Gateway implements AutoCloseable {
    private final Shared shared;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel tcp;
    private final Channel unix;
    private final Path unixPath;

    private Gateway(final Shared shared, final EventLoopGroup boss, final EventLoopGroup workers, final Channel tcp, final Channel unix,
                    final Path unixPath) {
        this.shared = shared;
        this.boss = boss;
        this.workers = workers;
        this.tcp = tcp;
        this.unix = unix;
        this.unixPath = unixPath;
    }

    /**
     * Starts serving {@code space} as {@code config} says.
     *
     * @throws UncheckedIOException naming the address when a port or socket cannot be bound
     * @throws IllegalArgumentException when neither a port nor a Unix socket is asked for
     */
    public static Gateway start(final Space space, final GatewayConfig config) {
        if (config.port() < 0 && config.unixSocket() == null) {
            throw new IllegalArgumentException("give a TCP port or a Unix socket to listen on");
        }
        final Shared shared = new Shared(space, config);
        final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        Channel tcp = null;
        Channel unix = null;
        try {
            if (config.port() >= 0) {
                final ServerBootstrap b = bootstrap(shared, boss, workers).channel(NioServerSocketChannel.class);
                b.childOption(ChannelOption.TCP_NODELAY, true);
                try {
                    tcp = b.bind(new InetSocketAddress(config.bind(), config.port())).sync().channel();
                } catch (Exception e) {
                    throw new UncheckedIOException(new IOException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e));
                }
            }
            if (config.unixSocket() != null) {
                unix = bindUnix(bootstrap(shared, boss, workers).channel(NioServerDomainSocketChannel.class), config.unixSocket());
            }
        } catch (RuntimeException e) {
            if (tcp != null) {
                tcp.close().syncUninterruptibly();
            }
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            shared.close();
            throw e;
        }
        return new Gateway(shared, boss, workers, tcp, unix, config.unixSocket());
    }

    private static ServerBootstrap bootstrap(final Shared shared, final EventLoopGroup boss, final EventLoopGroup workers) {
        return new ServerBootstrap()
                .group(boss, workers)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        // one handler: the session parses its commands out of the bytes itself (RespReader)
                        ch.pipeline().addLast("session", new Session(shared));
                    }
                });
    }

    /**
     * Binds the socket inside a fresh owner-only directory next to {@code path}, makes it 0600, then renames it into
     * place: no moment exists at which another user could connect to it.
     */
    private static Channel bindUnix(final ServerBootstrap b, final Path path) {
        final Path parent = path.getParent();
        try {
            if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (!isStaleSocket(path)) {
                    throw new IOException(path + " exists and is not a dead socket; remove it or choose another path");
                }
                Files.delete(path);
            }
            final Path dir = Files.createTempDirectory(parent, ".slate-serve-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            final Path tmp = dir.resolve("s");
            try {
                final Channel ch = b.bind(UnixDomainSocketAddress.of(tmp)).sync().channel();
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
                return ch;
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on Unix socket " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + path, e);
        }
    }

    private static boolean isStaleSocket(final Path path) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("Connection refused");
        }
    }

    /** The TCP port bound (useful with port 0), or -1 when none. */
    public int port() {
        return tcp == null ? -1 : ((InetSocketAddress) tcp.localAddress()).getPort();
    }

    /** The Unix socket's path, or null. */
    public Path unixSocket() {
        return unix == null ? null : unixPath;
    }

    /** Connections open now. */
    public int connections() {
        return shared.sessions.size();
    }

    @Override
    public void close() {
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        if (unix != null) {
            unix.close().syncUninterruptibly();
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                // nothing listens on it any more; a later bind removes a dead socket
            }
        }
        for (Session s : shared.sessions) {
            s.closeConnection();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        for (Session s : shared.sessions) {
            s.releaseAll();
        }
        shared.close();
    }
}
