package io.slate.gateway;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@code slate serve} listens: a loopback TCP port by default, optionally a Unix socket (owner-only), an
 * optional password (given as bytes read from an environment variable or a file, never from the command line),
 * and the gateway's limits.
 */
public final class GatewayConfig {
    /** Redis's default port. */
    public static final int DEFAULT_PORT = 6379;
    /** The name of the journal as a stream: XRANGE, XREVRANGE, XREAD and XLEN read it. */
    public static final String JOURNAL_STREAM = "slate:journal";

    private String bind = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private Path unixSocket;
    private byte[] password;
    private int maxBlockedClients = 512;
    private int maxBulkBytes = -1;
    private int ioThreads = 1;

    private GatewayConfig() {
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig();
    }

    /** The address to bind the TCP port to (default loopback, 127.0.0.1). */
    public GatewayConfig bind(final String address) {
        this.bind = Objects.requireNonNull(address, "bind address");
        return this;
    }

    /** The TCP port: 0 picks a free one, -1 opens none (Unix socket only). */
    public GatewayConfig port(final int p) {
        if (p < -1 || p > 65535) {
            throw new IllegalArgumentException("port must be -1 (none), 0 (any free) or 1 to 65535, got " + p);
        }
        this.port = p;
        return this;
    }

    /** Also listen on this Unix socket, created owner-only (0600). */
    public GatewayConfig unixSocket(final Path path) {
        this.unixSocket = path == null ? null : path.toAbsolutePath().normalize();
        return this;
    }

    /** Clients must AUTH with this password (user {@code default}); null: no password. The array is copied. */
    public GatewayConfig password(final byte[] secret) {
        if (secret != null && secret.length == 0) {
            throw new IllegalArgumentException("the password must not be empty");
        }
        this.password = secret == null ? null : secret.clone();
        return this;
    }

    /** Most commands waiting at once (BLOCK); a further one is refused with an error naming this limit. */
    public GatewayConfig maxBlockedClients(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxBlockedClients must be >= 1, got " + n);
        }
        this.maxBlockedClients = n;
        return this;
    }

    /**
     * The longest bulk string a client may send; longer is a protocol error and the connection is closed. Default:
     * 1 MiB above the largest of the space's value limit and a tuple's.
     */
    public GatewayConfig maxBulkBytes(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxBulkBytes must be >= 1, got " + n);
        }
        this.maxBulkBytes = n;
        return this;
    }

    /**
     * Event-loop threads (default 1, as Redis; 0: Netty's default, twice the processors). More threads help reads of
     * many keys on a machine with cores to spare; writes to one key from several threads contend on its segment lock.
     */
    public GatewayConfig ioThreads(final int n) {
        if (n < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0, got " + n);
        }
        this.ioThreads = n;
        return this;
    }

    public String bind() {
        return bind;
    }

    public int port() {
        return port;
    }

    public Path unixSocket() {
        return unixSocket;
    }

    byte[] passwordBytes() {
        return password;
    }

    public boolean requiresPassword() {
        return password != null;
    }

    public int maxBlockedClients() {
        return maxBlockedClients;
    }

    /** The configured limit, or -1 for the default derived from the space. */
    public int maxBulkBytes() {
        return maxBulkBytes;
    }

    public int ioThreads() {
        return ioThreads;
    }

    @Override
    public String toString() {
        return "GatewayConfig{bind=" + bind + ", port=" + port + ", unix=" + unixSocket + ", auth=" + (password != null)
                + ", maxBlockedClients=" + maxBlockedClients + ", maxBulkBytes=" + maxBulkBytes + ", ioThreads=" + ioThreads + '}';
    }
}
