package io.slate.etcd;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.auth.Permission;
import io.slate.etcd.testing.EtcdCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster with etcd's authentication enabled: the right user works, a user with read permission only on the space
 * gets a one-line refusal when it writes (and nothing is written), a wrong password and no credentials get a
 * one-line error at connect — and no message carries a password.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdAuthTest {
    private static final String ROOT_PASSWORD = "r00t-secret-pw";
    private static final String READER_PASSWORD = "alice-secret-pw";

    private static ByteSequence b(final String s) {
        return ByteSequence.from(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void usersPermissionsAndWrongPasswordsGetClearAnswers() {
        try (EtcdCluster cluster = EtcdCluster.start(1)) {
            final EtcdAddress address = EtcdAddress.parse(cluster.address("auth"));
            final SpaceLayout layout = new SpaceLayout("auth");
            try (EtcdConnection admin = EtcdConnection.open(address, TestOptions.options())) {
                final Auth auth = admin.client().getAuthClient();
                admin.await(auth.roleAdd(b("root")), 10_000, "role root");
                admin.await(auth.userAdd(b("root"), b(ROOT_PASSWORD)), 10_000, "user root");
                admin.await(auth.userGrantRole(b("root"), b("root")), 10_000, "grant root");
                admin.await(auth.roleAdd(b("reader")), 10_000, "role reader");
                final ByteSequence from = layout.spacePrefix();
                final byte[] end = from.getBytes();
                end[end.length - 1]++; // the prefix's range end: "/slate/auth0"
                admin.await(auth.roleGrantPermission(b("reader"), from, ByteSequence.from(end), Permission.Type.READ), 10_000, "grant read");
                admin.await(auth.userAdd(b("alice"), b(READER_PASSWORD)), 10_000, "user alice");
                admin.await(auth.userGrantRole(b("alice"), b("reader")), 10_000, "grant alice");
                admin.await(auth.authEnable(), 10_000, "auth enable");
            }

            final EtcdConnection.Options rootOptions = TestOptions.options().credentials("root", ROOT_PASSWORD.toCharArray());
            assertFalse(rootOptions.toString().contains(ROOT_PASSWORD), rootOptions.toString());
            try (EtcdConnection root = EtcdConnection.open(address, rootOptions)) {
                final EtcdKeyValue kv = new EtcdKeyValue(root, layout, "root");
                assertTrue(kv.put(bytes("k"), 0, bytes("by root"), kv.newRequestId()).applied());
            }

            try (EtcdConnection alice = EtcdConnection.open(address, TestOptions.options()
                    .credentials("alice", READER_PASSWORD.toCharArray()).operationTimeoutMillis(5_000))) {
                final EtcdKeyValue kv = new EtcdKeyValue(alice, layout, "alice");
                assertArrayEquals(bytes("by root"), kv.get(bytes("k"), KeyValueEngine.Consistency.STRONG, 0).value, "alice may read");
                final EtcdFailure denied = assertThrows(EtcdFailure.class, () -> kv.put(bytes("k"), 1, bytes("by alice"), kv.newRequestId()));
                System.out.println("[etcd] " + denied.getMessage());
                assertEquals(EtcdFailure.Kind.REFUSED, denied.kind());
                assertTrue(denied.definite());
                assertTrue(denied.getMessage().contains("permission denied to user 'alice'"), denied.getMessage());
                assertFalse(denied.getMessage().contains("\n") || denied.getMessage().contains(READER_PASSWORD));
                assertArrayEquals(bytes("by root"), kv.get(bytes("k"), KeyValueEngine.Consistency.STRONG, 0).value, "nothing written");
            }

            final EtcdFailure wrong = assertThrows(EtcdFailure.class, () -> EtcdConnection.open(address,
                    TestOptions.options().credentials("root", "not-the-password".toCharArray())));
            System.out.println("[etcd] " + wrong.getMessage());
            assertEquals(EtcdFailure.Kind.REFUSED, wrong.kind());
            assertTrue(wrong.getMessage().startsWith("etcd at " + cluster.endpoints() + " refused user 'root': "), wrong.getMessage());
            assertTrue(wrong.getMessage().contains("authentication failed"), wrong.getMessage());
            assertFalse(wrong.getMessage().contains("not-the-password") || wrong.getMessage().contains("\n"), wrong.getMessage());

            final EtcdFailure none = assertThrows(EtcdFailure.class, () -> EtcdConnection.open(address, TestOptions.options()));
            System.out.println("[etcd] " + none.getMessage());
            assertEquals(EtcdFailure.Kind.REFUSED, none.kind(), none.getMessage());
            assertTrue(none.getMessage().contains("SLATE_ETCD_USER"), none.getMessage());
        }
    }
}
