package io.slate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The helpers of clients/python and clients/node run their own test suites against a gateway started here. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GwClientHelpersTest {

    @Test
    void pythonHelpers() throws Exception {
        final Path python = Tools.python();
        final Path dir = Tools.projectRoot().resolve("clients/python");
        try (GwServer s = new GwServer("pyhelpers")) {
            final Tools.Result r = Tools.run(List.of(python.toString(), "-m", "unittest", "-v", "test_slate_redis"), dir,
                    Map.of("SLATE_GATEWAY_PORT", Integer.toString(s.port()), "PYTHONDONTWRITEBYTECODE", "1"), 120);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.err.contains("Ran 7 tests") && r.err.contains("OK"), r.toString());
        }
    }

    @Test
    void nodeHelpers() throws Exception {
        final Path dir = Tools.nodeClients();
        try (GwServer s = new GwServer("nodehelpers")) {
            final Tools.Result r = Tools.run(List.of(Tools.node().toString(), "--test", "--test-force-exit", "test/"), dir,
                    Map.of("SLATE_GATEWAY_PORT", Integer.toString(s.port())), 120);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.contains("# pass 6") && r.out.contains("# fail 0"), r.toString());
        }
    }
}
