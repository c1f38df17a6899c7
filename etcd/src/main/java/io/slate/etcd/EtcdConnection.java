package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One jetcd client for one etcd address, and the one place where etcd's and gRPC's failures become {@link
 * EtcdFailure}s: one line naming the endpoints, whether the outcome is known, and etcd's own words.
 *
 * <p>Every call is bounded: an attempt waits at most {@link Options#requestTimeoutMillis}; idempotent calls
 * ({@link #read}) are retried until {@link Options#operationTimeoutMillis} when their failure may be passing (no
 * leader during an election, a member that died). The client balances requests round-robin over the endpoints, so
 * that a dead or frozen member costs one attempt, not the whole operation.
 *
 * <p>Thread safety: safe for concurrent use (jetcd's client is).
 */
final class EtcdConnection implements AutoCloseable {
    /** Connection options; the defaults suit a loopback or LAN cluster. */
    static final class Options {
        /** Longest wait for one attempt of one request. */
        long requestTimeoutMillis = 2_000;
        /** Longest wait, when connecting, for any member to answer. */
        long connectTimeoutMillis = 5_000;
        /** Longest wait for one operation including its retries (a write fails within this, with nothing acknowledged). */
        long operationTimeoutMillis = 10_000;
        /** etcd's --max-request-bytes (its default); requests over it are refused before they are sent. */
        int maxRequestBytes = 1_572_864;
        /** etcd user, or null for a cluster without authentication. */
        String user;
        /** The user's password; never printed, never part of a message. */
        private char[] password;
        /** PEM file of the CA that signed the members' certificates; set, the client speaks TLS. */
        Path caCert;
        /** PEM file of the client's certificate (for members run with {@code --client-cert-auth}), or null. */
        Path clientCert;
        /** PKCS#8 PEM file of the client certificate's key; its content is never read into a message. */
        Path clientKey;

        /**
         * Options with the credentials of {@code SLATE_ETCD_USER} and {@code SLATE_ETCD_PASSWORD}, and TLS from
         * {@code SLATE_ETCD_CACERT} (turns TLS on), {@code SLATE_ETCD_CERT} and {@code SLATE_ETCD_KEY}, when set.
         */
        static Options fromEnvironment() {
            final Options o = new Options();
            final String u = System.getenv("SLATE_ETCD_USER");
            final String p = System.getenv("SLATE_ETCD_PASSWORD");
            if (u != null && !u.isEmpty()) {
                o.credentials(u, p == null ? new char[0] : p.toCharArray());
            }
            final String ca = System.getenv("SLATE_ETCD_CACERT");
            final String cert = System.getenv("SLATE_ETCD_CERT");
            final String key = System.getenv("SLATE_ETCD_KEY");
            if (ca != null && !ca.isEmpty() || cert != null && !cert.isEmpty() || key != null && !key.isEmpty()) {
                o.tls(path(ca), path(cert), path(key));
            }
            return o;
        }

        private static Path path(final String s) {
            return s == null || s.isEmpty() ? null : Paths.get(s);
        }

        /**
         * TLS to the members: {@code ca} is the PEM file of the CA that signed their certificates; {@code cert} and
         * {@code key} (both or neither) the client's certificate and PKCS#8 key for members that require one. The
         * files are checked when connecting ({@link EtcdTls}).
         */
        Options tls(final Path ca, final Path cert, final Path key) {
            caCert = ca;
            clientCert = cert;
            clientKey = key;
            return this;
        }

        boolean tls() {
            return caCert != null || clientCert != null || clientKey != null;
        }

        Options credentials(final String u, final char[] p) {
            user = u;
            password = p.clone();
            return this;
        }

        @Override
        public String toString() { // credentials stay out of logs
            return "Options{requestTimeoutMillis=" + requestTimeoutMillis + ", connectTimeoutMillis=" + connectTimeoutMillis
                    + ", operationTimeoutMillis=" + operationTimeoutMillis + ", maxRequestBytes=" + maxRequestBytes
                    + (user != null ? ", user=" + user + ", password=(set)" : "")
                    + (tls() ? ", caCert=" + caCert + ", clientCert=" + clientCert + ", clientKey=" + (clientKey != null ? "(set)" : null) : "") + "}";
        }

        Options requestTimeoutMillis(final long v) {
            requestTimeoutMillis = v;
            return this;
        }

        Options connectTimeoutMillis(final long v) {
            connectTimeoutMillis = v;
            return this;
        }

        Options operationTimeoutMillis(final long v) {
            operationTimeoutMillis = v;
            return this;
        }

        Options maxRequestBytes(final int v) {
            maxRequestBytes = v;
            return this;
        }
    }

    private final EtcdAddress address;
    private final Options options;
    private final Client client;
    private final KV kv;

    private EtcdConnection(final EtcdAddress address, final Options options, final Client client) {
        this.address = address;
        this.options = options;
        this.client = client;
        this.kv = client.getKVClient();
    }

    /**
     * Connects to {@code address} and checks that at least one member answers a (serializable) read of the space's
     * own prefix (all a user limited to the space may read) within the connect timeout; throws {@link EtcdFailure.Kind#UNREACHABLE} naming every endpoint when none does.
     */
    static EtcdConnection open(final EtcdAddress address, final Options options) {
        final List<String> urls = new ArrayList<>();
        for (final String ep : address.endpoints()) {
            urls.add((options.tls() ? "https://" : "http://") + ep);
        }
        final io.etcd.jetcd.ClientBuilder builder = Client.builder();
        if (options.tls()) {
            builder.sslContext(EtcdTls.clientContext(options.caCert, options.clientCert, options.clientKey));
        }
        if (options.user != null) {
            builder.user(bytes(options.user))
                    .password(ByteSequence.from(new String(options.password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        final Client client = builder
                .endpoints(urls.toArray(new String[0]))
                .loadBalancerPolicy("round_robin")
                .waitForReady(false) // fail fast on a dead member; we retry what is safe to retry
                .retryMaxAttempts(0) // ... and only that: jetcd's own retries would outlast our timeouts
                .connectTimeout(Duration.ofMillis(options.requestTimeoutMillis))
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(3))
                .build();
        final EtcdConnection c = new EtcdConnection(address, options, client);
        try {
            c.read(() -> c.kv.get(new SpaceLayout(address.spaceName()).spacePrefix(), GetOption.builder().isPrefix(true).withSerializable(true).withKeysOnly(true)
                    .withLimit(1).build()), "reach", options.connectTimeoutMillis);
        } catch (EtcdFailure e) {
            client.close();
            final String tls = EtcdTls.problem(e, options.tls(), true, options.clientCert != null);
            if (tls != null) {
                throw new EtcdFailure(EtcdFailure.Kind.REFUSED, "etcd at " + address.endpointList() + " refused TLS: "
                        + tls, true, e).reason(tls);
            }
            if (e.kind() == EtcdFailure.Kind.REFUSED) {
                throw new EtcdFailure(EtcdFailure.Kind.REFUSED, "etcd at " + address.endpointList() + " refused "
                        + (options.user != null ? "user '" + options.user + "'" : "a client without credentials (set SLATE_ETCD_USER and SLATE_ETCD_PASSWORD)")
                        + ": " + e.reason(), true, e).reason(e.reason());
            }
            if (e.kind() == EtcdFailure.Kind.NOT_CONFIRMED || e.kind() == EtcdFailure.Kind.UNREACHABLE) {
                throw new EtcdFailure(EtcdFailure.Kind.UNREACHABLE, "etcd at " + address.endpointList()
                        + " is unreachable: no member answered within " + options.connectTimeoutMillis + " ms (last error: "
                        + e.reason() + ")", true, e);
            }
            throw e;
        }
        return c;
    }

    EtcdAddress address() {
        return address;
    }

    Options options() {
        return options;
    }

    Client client() {
        return client;
    }

    KV kv() {
        return kv;
    }

    static ByteSequence bytes(final String s) {
        return ByteSequence.from(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Waits for {@code f} at most {@code timeoutMillis}; translates every failure. */
    <T> T await(final CompletableFuture<T> f, final long timeoutMillis, final String what) {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, what + ": no answer from etcd at "
                    + address.endpointList() + " within " + timeoutMillis + " ms", false, e).reason("no answer within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, what + ": interrupted", false, e);
        }
    }

    /** A read (or any idempotent call): retried on failures that may pass, until {@code timeoutMillis}. */
    <T> T read(final Supplier<CompletableFuture<T>> call, final String what, final long timeoutMillis) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        EtcdFailure last;
        int attempt = 0;
        while (true) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                return await(call.get(), Math.max(1, Math.min(options.requestTimeoutMillis, left)), what);
            } catch (EtcdFailure e) {
                if (e.definite() || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                last = e;
            }
            backoff(attempt++, deadline);
            if (deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(50)) { // no time left for a real attempt
                throw new EtcdFailure(last.kind(), what + ": not answered within " + timeoutMillis + " ms by etcd at "
                        + address.endpointList() + " (no leader or no quorum?); last error: " + last.reason(), false, last).reason(last.reason());
            }
        }
    }

    /** How long a serializable read waits for one member before it asks another as well. */
    static final long HEDGE_MILLIS = 250;

    /**
     * A serializable read (any member may answer it alone), hedged: when the member asked has not answered within
     * {@link #HEDGE_MILLIS}, the read is sent again (the round-robin balancer sends it to the next member) while the
     * first stays in flight, and the first answer wins. So a member that is paused (SIGSTOP: it accepts connections but
     * never answers) or starved costs a quarter of a second, not the whole request timeout, and the read answers within
     * {@code timeoutMillis} while any member can. A failure that may pass is retried like {@link #read}; a definite one
     * is thrown at once.
     */
    <T> T readAnyMember(final Supplier<CompletableFuture<T>> call, final String what, final long timeoutMillis) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        final CompletableFuture<T> first = new CompletableFuture<>();
        final java.util.concurrent.LinkedBlockingQueue<Throwable> failures = new java.util.concurrent.LinkedBlockingQueue<>();
        final List<CompletableFuture<T>> sent = new ArrayList<>();
        final int maxInFlight = Math.max(2, address.endpoints().size());
        EtcdFailure last = null;
        int inFlight = 0;
        int attempt = 0;
        try {
            while (true) {
                if (inFlight < maxInFlight) {
                    final CompletableFuture<T> f = call.get();
                    sent.add(f);
                    inFlight++;
                    f.whenComplete((v, t) -> {
                        if (t == null) {
                            first.complete(v);
                        } else {
                            failures.add(t);
                        }
                    });
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new EtcdFailure(last != null ? last.kind() : EtcdFailure.Kind.NOT_CONFIRMED, what + ": not answered within "
                            + timeoutMillis + " ms by any member of etcd at " + address.endpointList()
                            + (last != null ? "; last error: " + last.reason() : ""), false, last)
                            .reason(last != null ? last.reason() : "no answer within " + timeoutMillis + " ms");
                }
                try {
                    return first.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(HEDGE_MILLIS)), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // no answer yet: ask another member as well (the next loop), unless every one is asked already
                } catch (ExecutionException e) {
                    throw translate(e.getCause(), what); // not reached: first only completes normally
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, what + ": interrupted", false, e);
                }
                Throwable t;
                while ((t = failures.poll()) != null) {
                    inFlight--;
                    final EtcdFailure f = translate(t, what);
                    if (f.definite()) {
                        throw f;
                    }
                    last = f;
                }
                if (last != null && inFlight == 0) {
                    backoff(attempt++, deadline);
                }
            }
        } finally {
            for (final CompletableFuture<T> f : sent) {
                f.cancel(true);
            }
        }
    }

    /** A read with the operation timeout. */
    <T> T read(final Supplier<CompletableFuture<T>> call, final String what) {
        return read(call, what, options.operationTimeoutMillis);
    }

    GetResponse get(final ByteSequence key, final GetOption option, final String what) {
        return read(() -> kv.get(key, option), what);
    }

    /** {@link #backoff(int)}, but never past {@code deadlineNanos}. */
    static void backoff(final int attempt, final long deadlineNanos) {
        final long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left > 0) {
            sleepMillis(Math.min(left, Math.min(200, 10L << Math.min(attempt, 5))));
        }
    }

    private static void sleepMillis(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void backoff(final int attempt) {
        try {
            Thread.sleep(Math.min(200, 10L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** etcd's and gRPC's failure as one line; {@code definite} where etcd certainly did nothing. */
    EtcdFailure translate(final Throwable t, final String what) {
        if (t instanceof EtcdFailure) {
            return (EtcdFailure) t;
        }
        final Status status = Status.fromThrowable(t);
        String desc = status.getDescription() != null ? status.getDescription()
                : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        if (status.getCause() != null && status.getCause().getMessage() != null) {
            desc = desc + ": " + status.getCause().getMessage(); // e.g. "io exception: Connection refused: /127.0.0.1:2379"
        }
        final String lower = desc.toLowerCase(Locale.ROOT);
        final String where = what + " on etcd at " + address.endpointList() + ": ";
        return translate(t, status, desc, lower, where).reason(desc);
    }

    private EtcdFailure translate(final Throwable t, final Status status, final String desc, final String lower, final String where) {
        if (lower.contains("request is too large") || lower.contains("larger than max")) {
            return new EtcdFailure(EtcdFailure.Kind.TOO_LARGE, where + "the request is over etcd's request limit ("
                    + desc + ")", true, t);
        }
        if (lower.contains("database space exceeded")) {
            return new EtcdFailure(EtcdFailure.Kind.QUOTA, where + "etcd's storage quota is exhausted (" + desc
                    + "); compact, defragment and disarm the NOSPACE alarm, or raise --quota-backend-bytes", true, t);
        }
        if (status.getCode() == Status.Code.PERMISSION_DENIED || lower.contains("permission denied")) {
            return new EtcdFailure(EtcdFailure.Kind.REFUSED, where + "permission denied"
                    + (options.user != null ? " to user '" + options.user + "'" : "") + " (" + desc + ")", true, t);
        }
        if (status.getCode() == Status.Code.UNAUTHENTICATED || lower.contains("authentication failed")
                || lower.contains("invalid auth token") || lower.contains("user name is empty")
                || lower.contains("user name not found")) {
            return new EtcdFailure(EtcdFailure.Kind.REFUSED, where + "authentication failed (" + desc + ")", true, t);
        }
        final String tls = options.tls() ? EtcdTls.problem(t, true, false) : null;
        if (tls != null) { // a handshake that failed sent nothing, and retrying it fails the same way
            return new EtcdFailure(EtcdFailure.Kind.REFUSED, where + "TLS: " + tls, true, t);
        }
        if (lower.contains("requested lease not found")) {
            return new EtcdFailure(EtcdFailure.Kind.LEASE_EXPIRED, where + "the lease is gone: it expired (its agent was unreachable or"
                    + " paused longer than its TTL) or was revoked (" + desc + ")", true, t);
        }
        if (lower.contains("required revision has been compacted")) {
            return new EtcdFailure(EtcdFailure.Kind.COMPACTED, where + desc, true, t);
        }
        if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED
                || status.getCode() == Status.Code.CANCELLED || lower.contains("no leader")
                || lower.contains("leader changed") || lower.contains("timed out") || lower.contains("connection")) {
            return new EtcdFailure(EtcdFailure.Kind.NOT_CONFIRMED, where + desc, false, t);
        }
        if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            return new EtcdFailure(EtcdFailure.Kind.FAILED, where + desc, true, t);
        }
        return new EtcdFailure(EtcdFailure.Kind.FAILED, where + status.getCode() + " " + desc, false, t);
    }

    @Override
    public void close() {
        client.close();
    }
}
