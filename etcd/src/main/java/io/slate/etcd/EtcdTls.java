package io.slate.etcd;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Locale;

/**
 * TLS to etcd members: the client's {@link SslContext} from PEM files, each checked first so that a wrong file gets
 * one line naming its variable, its path and the problem (never its content: a key is never read into a message),
 * and the words for a handshake that failed. Netty's types stay in this package-private class.
 *
 * <p>Thread safety: stateless.
 */
final class EtcdTls {
    static final String CA_VAR = "SLATE_ETCD_CACERT";
    static final String CERT_VAR = "SLATE_ETCD_CERT";
    static final String KEY_VAR = "SLATE_ETCD_KEY";

    private EtcdTls() {
    }

    /**
     * The client context for {@code ca} (required) and the client's {@code cert} and {@code key} (both or neither);
     * an {@link IllegalArgumentException} naming the file and the problem when one is missing or not what it should be.
     */
    static SslContext clientContext(final Path ca, final Path cert, final Path key) {
        if (ca == null) {
            throw new IllegalArgumentException("etcd TLS: " + CERT_VAR + "/" + KEY_VAR + " are set but " + CA_VAR
                    + " is not (the PEM file of the CA that signed the members' certificates turns TLS on)");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("etcd TLS: " + (cert == null ? KEY_VAR + " is set without " + CERT_VAR
                    : CERT_VAR + " is set without " + KEY_VAR) + " (a client certificate needs both)");
        }
        checkCertificates(CA_VAR, ca);
        if (cert != null) {
            checkCertificates(CERT_VAR, cert);
            checkKey(key);
        }
        try {
            final SslContextBuilder b = GrpcSslContexts.forClient().trustManager(ca.toFile());
            if (cert != null) {
                b.keyManager(cert.toFile(), key.toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("etcd TLS: cannot use " + CA_VAR + "=" + ca
                    + (cert != null ? ", " + CERT_VAR + "=" + cert + ", " + KEY_VAR + "=" + key : "") + ": " + oneLine(e.getMessage()), e);
        }
    }

    private static String read(final String var, final Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("etcd TLS: " + var + "=" + file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("etcd TLS: " + var + "=" + file + ": not a readable file");
        }
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException("etcd TLS: " + var + "=" + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static void checkCertificates(final String var, final Path file) {
        final String pem = read(var, file);
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("etcd TLS: " + var + "=" + file
                    + ": not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line)");
        }
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1))).isEmpty()) {
                throw new IllegalArgumentException("etcd TLS: " + var + "=" + file + ": holds no certificate");
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("etcd TLS: " + var + "=" + file + ": not a valid PEM certificate ("
                    + oneLine(e.getMessage()) + ")", e);
        }
    }

    /** Checks the key's PEM armour only; its bytes never reach a message. */
    private static void checkKey(final Path file) {
        final String pem = read(KEY_VAR, file);
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            return;
        }
        final String problem;
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            problem = "an encrypted key; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) in a file only this user may read";
        } else if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            problem = "a PKCS#1/SEC1 key; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out KEY.pk8";
        } else {
            problem = "not a PEM private key (no '-----BEGIN PRIVATE KEY-----' line)";
        }
        throw new IllegalArgumentException("etcd TLS: " + KEY_VAR + "=" + file + ": " + problem);
    }

    /**
     * What went wrong with TLS in {@code t}, as a few words, or null when it does not look like TLS trouble. With
     * {@code tlsOn}, only failures of the handshake itself (nothing was sent); without, a member that closed or reset a
     * plaintext connection unanswered, which is what a TLS member does, but which only {@code atConnect} may conclude
     * (after the connect timeout: a member that merely died refuses connections instead).
     */
    static String problem(final Throwable t, final boolean tlsOn, final boolean atConnect) {
        return problem(t, tlsOn, atConnect, true);
    }

    /**
     * As {@link #problem(Throwable, boolean, boolean)}; {@code withClientCert} tells whether the client offered a
     * certificate: a member that requires one may just reset the connection after the handshake (TLS 1.3 sends its
     * alert after the client finished), which only {@code atConnect} may read as that.
     */
    static String problem(final Throwable t, final boolean tlsOn, final boolean atConnect, final boolean withClientCert) {
        final StringBuilder all = new StringBuilder();
        boolean ssl = false;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            ssl |= c instanceof SSLException;
            if (c.getMessage() != null && !(c instanceof EtcdFailure)) {
                all.append(' ').append(c.getMessage());
            }
        }
        final String lower = all.toString().toLowerCase(Locale.ROOT);
        if (tlsOn) {
            if (lower.contains("pkix") || lower.contains("certification path") || lower.contains("unable to find valid")) {
                return "its certificate is not signed by the CA in " + CA_VAR + " (" + cause(t) + ")";
            }
            if (lower.contains("certificate_required") || lower.contains("bad_certificate") || lower.contains("bad certificate")) {
                return "it requires a client certificate it trusts (set " + CERT_VAR + " and " + KEY_VAR + "): " + cause(t);
            }
            if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
                return "its certificate does not name the address the client used (" + cause(t) + ")";
            }
            if (atConnect && !withClientCert && (lower.contains("connection reset") || lower.contains("network closed for unknown reason"))) {
                return "it closed every connection after the handshake, as a member run with --client-cert-auth does to a client"
                        + " without a client certificate (set " + CERT_VAR + " and " + KEY_VAR + "): " + cause(t);
            }
            if (ssl || lower.contains("tls negotiation") || lower.contains("handshake")) {
                return "the handshake failed (is the member serving TLS on this port?): " + cause(t);
            }
            return null;
        }
        if (ssl || atConnect && (lower.contains("network closed for unknown reason") || lower.contains("connection reset"))) {
            return "it closed the plaintext connection unanswered, as a member serving TLS does (set " + CA_VAR
                    + " to the PEM file of its CA): " + cause(t);
        }
        return null;
    }

    /** The first words of the cause that are not ours: the SSL exception's, else gRPC's. */
    private static String cause(final Throwable t) {
        Throwable first = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SSLException && c.getMessage() != null) {
                return oneLine(c.getMessage());
            }
            if (first == null && !(c instanceof EtcdFailure) && c.getMessage() != null) {
                first = c;
            }
        }
        String s = oneLine(first != null ? first.getMessage() : t.getMessage());
        if (first != null && first.getCause() != null && first.getCause().getMessage() != null) {
            s = s + ": " + oneLine(first.getCause().getMessage()); // gRPC's "io exception" and the socket's "Connection reset"
        }
        final int pipeline = s.indexOf(" Channel Pipeline:"); // Netty's handler list says nothing to a user
        return pipeline > 0 ? s.substring(0, pipeline) : s;
    }

    private static String oneLine(final String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
