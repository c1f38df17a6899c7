package io.slate.etcd;

import io.slate.etcd.testing.EtcdCluster;
import io.slate.internal.JvmFlags;
import io.slate.testing.ExternalPrograms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS against a real etcd member run with {@code --cert-file/--key-file/--trusted-ca-file/--client-cert-auth} over
 * https, with a throwaway CA, server certificate (subjectAltName IP:127.0.0.1) and client certificate made by
 * {@code openssl} in a unique directory: the right CA and client certificate work (in-process, and through {@code
 * Space.open} with the environment variables in a child JVM); no client certificate, a CA that did not sign the
 * member, plaintext against the member and TLS against a plaintext member each get one clear line; bad files are
 * named with their problem; no message carries key material.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EtcdTlsTest {
    private static Path dir;
    private static Process etcd;
    private static String endpoint;
    private static String keyPem;

    private static Path f(final String name) {
        return dir.resolve(name);
    }

    @BeforeAll
    static void startTlsMember() throws Exception {
        final Path etcdBin = EtcdCluster.requireEtcd();
        final Path openssl = ExternalPrograms.onPath("openssl");
        ExternalPrograms.require(openssl != null, "openssl (to make the test's certificates; apt-get install openssl)");
        final Path base = Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") : Paths.get(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "slate-etcd-tls-test-");
        // clientAuth too: under --client-cert-auth, etcd's own HTTP gateway connects to it with the server certificate
        Files.writeString(f("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        Files.writeString(f("client.ext"), "extendedKeyUsage=clientAuth\n");
        for (final String ca : new String[] {"ca", "other-ca"}) {
            run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", f(ca + ".key").toString(), "-out", f(ca + ".pem").toString(), "-days", "1", "-subj", "/CN=slate-test-" + ca);
        }
        for (final String who : new String[] {"server", "client"}) {
            run(openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", f(who + ".key").toString(), "-out", f(who + ".csr").toString(), "-subj", "/CN=slate-test-" + who);
            run(openssl, "x509", "-req", "-in", f(who + ".csr").toString(), "-CA", f("ca.pem").toString(), "-CAkey",
                    f("ca.key").toString(), "-CAcreateserial", "-out", f(who + ".pem").toString(), "-days", "1",
                    "-extfile", f(who + ".ext").toString());
        }
        keyPem = Files.readString(f("client.key"));
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3 && etcd == null; attempt++) { // a free port can be taken before etcd binds it
            final int[] ports = freePorts();
            endpoint = "127.0.0.1:" + ports[0];
            final Process p = new ProcessBuilder(List.of(etcdBin.toString(), "--name", "tls1",
                    "--data-dir", f("data" + attempt).toString(),
                    "--listen-client-urls", "https://" + endpoint, "--advertise-client-urls", "https://" + endpoint,
                    "--listen-peer-urls", "http://127.0.0.1:" + ports[1], "--initial-advertise-peer-urls", "http://127.0.0.1:" + ports[1],
                    "--initial-cluster", "tls1=http://127.0.0.1:" + ports[1], "--initial-cluster-state", "new",
                    "--cert-file", f("server.pem").toString(), "--key-file", f("server.key").toString(),
                    "--trusted-ca-file", f("ca.pem").toString(), "--client-cert-auth",
                    "--logger", "zap", "--log-outputs", "stderr"))
                    .redirectErrorStream(true).redirectOutput(f("etcd" + attempt + ".log").toFile()).start();
            try {
                awaitServing(p, f("etcd" + attempt + ".log"));
                etcd = p;
            } catch (IllegalStateException e) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                last = e;
            }
        }
        if (etcd == null) {
            throw last;
        }
    }

    /** Waits (bounded) until the member logs that it serves clients over TLS and is ready. */
    private static void awaitServing(final Process p, final Path log) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            final String s = Files.exists(log) ? Files.readString(log) : "";
            if (s.contains("serving client traffic securely")) { // logged once the member has joined its cluster
                return;
            }
            if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("TLS etcd member at " + endpoint + (p.isAlive() ? " not ready within 30 s" : " exited")
                        + ": " + (s.length() > 1500 ? s.substring(s.length() - 1500) : s));
            }
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stopTlsMember() throws Exception {
        if (etcd != null) {
            etcd.destroyForcibly();
            etcd.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (final Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(final Path program, final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    private static EtcdAddress address(final String space) {
        return EtcdAddress.parse("etcd://" + endpoint + "/" + space);
    }

    private static EtcdConnection.Options tls(final String ca, final String cert, final String key) {
        return TestOptions.options().connectTimeoutMillis(20_000)
                .tls(f(ca), cert == null ? null : f(cert), key == null ? null : f(key));
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertOneLineWithoutSecrets(final String message) {
        System.out.println("[etcd-tls] " + message);
        assertFalse(message.contains("\n"), message);
        assertFalse(message.contains("BEGIN PRIVATE KEY") || message.contains(keyPem.lines().skip(1).findFirst().orElseThrow()), message);
    }

    @Test
    void theRightCaAndClientCertificateWork() {
        final EtcdConnection.Options o = tls("ca.pem", "client.pem", "client.key");
        assertTrue(o.toString().contains("clientKey=(set)") && !o.toString().contains(keyPem), o.toString());
        try (EtcdConnection c = EtcdConnection.open(address("tls-direct"), o)) {
            final EtcdKeyValue kv = new EtcdKeyValue(c, new SpaceLayout("tls-direct"), "a1");
            assertTrue(kv.put(bytes("k"), 0, bytes("v1"), kv.newRequestId()).applied());
            assertArrayEquals(bytes("v1"), kv.get(bytes("k"), KeyValueEngine.Consistency.STRONG, 0).value);
        }
    }

    @Test
    void spaceOpenUsesTheEnvironmentVariables() throws Exception {
        final Map<String, String> env = Map.of("SLATE_ETCD_CACERT", f("ca.pem").toString(),
                "SLATE_ETCD_CERT", f("client.pem").toString(), "SLATE_ETCD_KEY", f("client.key").toString());
        final String ok = child(env, "etcd://" + endpoint + "/tls-space", "agent-1");
        assertTrue(ok.startsWith("ok over-tls "), ok);
        assertTrue(List.of(ok.split(" ")[3].split(",")).contains("k"), "the journal holds the put: " + ok);

        final String noCert = child(Map.of("SLATE_ETCD_CACERT", f("ca.pem").toString()), "etcd://" + endpoint + "/tls-space", "agent-2");
        assertTrue(noCert.startsWith("error "), noCert);
        assertTrue(noCert.contains("refused TLS") && noCert.contains("SLATE_ETCD_CERT"), noCert);

        final String plain = child(Map.of(), "etcd://" + endpoint + "/tls-space", "agent-3");
        assertTrue(plain.startsWith("error "), plain);
        assertTrue(plain.contains("refused TLS") && plain.contains("SLATE_ETCD_CACERT"), plain);
    }

    /** Runs {@link EtcdTlsSpaceMain} with {@code env} added (and the TLS variables of this JVM removed); its result line. */
    private static String child(final Map<String, String> env, final String address, final String agent) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.addAll(List.of("-Xmx128m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dslate.etcd.connectTimeoutMillis=10000",
                "-cp", System.getProperty("java.class.path"), EtcdTlsSpaceMain.class.getName(), address, agent));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SLATE_ETCD_"));
        pb.environment().putAll(env);
        final Process p = pb.start();
        try {
            final List<String> lines = new ArrayList<>();
            final Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(l);
                        }
                    }
                } catch (IOException ignored) {
                    // the child ended
                }
            }, "tls-child-output");
            reader.setDaemon(true);
            reader.start();
            final boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            reader.join(5_000);
            synchronized (lines) {
                assertTrue(exited && lines.contains("done"), "child did not finish within 60 s: " + lines);
                for (final String l : lines) {
                    if (l.startsWith("ok ") || l.startsWith("error ")) {
                        assertOneLineWithoutSecrets(l);
                        return l;
                    }
                }
                throw new AssertionError("no result line from the child: " + lines);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void noClientCertificateIsRefusedClearly() {
        final EtcdFailure e = assertThrows(EtcdFailure.class, () -> EtcdConnection.open(address("tls-x"), tls("ca.pem", null, null)));
        assertOneLineWithoutSecrets(e.getMessage());
        assertEquals(EtcdFailure.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("etcd at " + endpoint + " refused TLS: "), e.getMessage());
        assertTrue(e.getMessage().contains("client certificate"), e.getMessage());
    }

    @Test
    void aCaThatDidNotSignTheMemberIsAClearError() {
        final EtcdFailure e = assertThrows(EtcdFailure.class,
                () -> EtcdConnection.open(address("tls-x"), tls("other-ca.pem", "client.pem", "client.key")));
        assertOneLineWithoutSecrets(e.getMessage());
        assertEquals(EtcdFailure.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("etcd at " + endpoint + " refused TLS: "), e.getMessage());
        assertTrue(e.getMessage().contains("not signed by the CA in SLATE_ETCD_CACERT"), e.getMessage());
    }

    @Test
    void plaintextAgainstTheTlsMemberIsAClearError() {
        // the member closes a plaintext connection unanswered, which only tells once the connect timeout ran out
        final EtcdFailure e = assertThrows(EtcdFailure.class, () -> EtcdConnection.open(address("tls-x"),
                TestOptions.options().connectTimeoutMillis(10_000)));
        assertOneLineWithoutSecrets(e.getMessage());
        assertTrue(e.getMessage().startsWith("etcd at " + endpoint + " refused TLS: "), e.getMessage());
        assertTrue(e.getMessage().contains("set SLATE_ETCD_CACERT"), e.getMessage());
        assertFalse(e.definite() && e.kind() != EtcdFailure.Kind.REFUSED, e.getMessage());
    }

    @Test
    void tlsAgainstAPlaintextMemberIsAClearError() {
        try (EtcdCluster plain = EtcdCluster.start(1)) {
            final EtcdFailure e = assertThrows(EtcdFailure.class, () -> EtcdConnection.open(EtcdAddress.parse(plain.address("tls-x")),
                    tls("ca.pem", "client.pem", "client.key")));
            assertOneLineWithoutSecrets(e.getMessage());
            assertTrue(e.getMessage().startsWith("etcd at " + plain.endpoints() + " refused TLS: "), e.getMessage());
            assertTrue(e.getMessage().contains("is the member serving TLS"), e.getMessage());
        }
    }

    @Test
    void badFilesAreNamedWithTheirProblem() throws IOException {
        final Path notPem = f("not-a-cert.pem");
        Files.writeString(notPem, "hello\n");
        final Path rsa = f("pkcs1.key");
        Files.writeString(rsa, "-----BEGIN RSA PRIVATE KEY-----\nMIIsecretsecret\n-----END RSA PRIVATE KEY-----\n");
        final Path garbledCert = f("garbled.pem");
        Files.writeString(garbledCert, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        final Object[][] cases = {
            {tls("missing.pem", null, null), "SLATE_ETCD_CACERT=" + f("missing.pem") + ": no such file"},
            {tls("not-a-cert.pem", null, null), "SLATE_ETCD_CACERT=" + notPem + ": not a PEM certificate"},
            {tls("garbled.pem", null, null), "SLATE_ETCD_CACERT=" + garbledCert + ": not a valid PEM certificate"},
            {tls("ca.pem", "client.pem", null), "SLATE_ETCD_CERT is set without SLATE_ETCD_KEY"},
            {tls("ca.pem", null, "client.key"), "SLATE_ETCD_KEY is set without SLATE_ETCD_CERT"},
            {tls("ca.pem", "client.pem", "pkcs1.key"), "SLATE_ETCD_KEY=" + rsa + ": a PKCS#1/SEC1 key; convert it"},
            {tls("ca.pem", "client.key", "client.key"), "SLATE_ETCD_CERT=" + f("client.key") + ": not a PEM certificate"},
            {TestOptions.options().tls(null, f("client.pem"), f("client.key")), "SLATE_ETCD_CACERT is not"},
        };
        for (final Object[] c : cases) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EtcdConnection.open(address("tls-x"), (EtcdConnection.Options) c[0]).close());
            assertOneLineWithoutSecrets(e.getMessage());
            assertFalse(e.getMessage().contains("MIIsecret"), e.getMessage());
            assertTrue(e.getMessage().startsWith("etcd TLS: ") && e.getMessage().contains((String) c[1]), e.getMessage());
        }
    }
}
