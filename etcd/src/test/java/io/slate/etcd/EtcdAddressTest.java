package io.slate.etcd;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The etcd:// address: what parses, and a one-line error naming the address and the problem for what does not. */
class EtcdAddressTest {
    @Test
    void parsesEndpointsAndName() {
        final EtcdAddress a = EtcdAddress.parse("etcd://127.0.0.1:2379,localhost:22379,[::1]:32379/robots-1.v2");
        assertEquals(List.of("127.0.0.1:2379", "localhost:22379", "[::1]:32379"), a.endpoints());
        assertEquals("robots-1.v2", a.spaceName());
        assertEquals("etcd://127.0.0.1:2379,localhost:22379,[::1]:32379/robots-1.v2", a.toString());
        assertEquals("robots", EtcdAddress.parse("ETCD://h:1/robots").spaceName());
    }

    @Test
    void malformedAddressesGetOneLineNamingTheProblem() {
        bad("", "is empty");
        bad("127.0.0.1:2379/robots", "has no scheme");
        bad("redis://127.0.0.1:6379/robots", "has scheme 'redis', not 'etcd'");
        bad("etcd://127.0.0.1:2379", "has no space name");
        bad("etcd:///robots", "names no endpoint");
        bad("etcd://127.0.0.1:2379,,127.0.0.1:2381/robots", "empty endpoint");
        bad("etcd://127.0.0.1/robots", "endpoint '127.0.0.1' is not host:port");
        bad("etcd://127.0.0.1:port/robots", "has port 'port', not a number");
        bad("etcd://127.0.0.1:70000/robots", "has port 70000, outside 1-65535");
        bad("etcd://::1:2379/robots", "IPv6 host goes in brackets");
        bad("etcd://127.0.0.1:2379/", "empty space name");
        bad("etcd://127.0.0.1:2379/a/b", "has '/'");
        bad("etcd://127.0.0.1:2379/caf\u00e9", "has '\u00e9'");
        bad("etcd://127.0.0.1:2379/..", "is reserved");
        bad("etcd://127.0.0.1:2379/" + "x".repeat(129), "at most 128");
        bad("etcd://127.0.0.1:2379/robots?user=x", "options (credentials, TLS, timeouts) are given separately");
        bad("etcd://root:secret@127.0.0.1:2379/robots", "never in the address");
    }

    private static void bad(final String address, final String problem) {
        final EtcdFailure e = assertThrows(EtcdFailure.class, () -> EtcdAddress.parse(address));
        assertEquals(EtcdFailure.Kind.INVALID_ADDRESS, e.kind());
        assertTrue(e.getMessage().startsWith("etcd address '" + address + "' "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        if (address.contains("secret")) {
            // the address is echoed as given; a caller that prints it should not have put a password there
            assertTrue(e.getMessage().contains("credentials are given through options"));
        }
    }
}
