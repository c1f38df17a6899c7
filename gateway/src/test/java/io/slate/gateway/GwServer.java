package io.slate.gateway;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;

import java.nio.file.Path;

/** A gateway in the test JVM on a free loopback port, over a fresh space under /dev/shm that is removed on close. */
final class GwServer implements AutoCloseable {
    final Path dir;
    final Space space;
    final Gateway gateway;

    GwServer(final String label) {
        this(label, GatewayConfig.defaults().port(0), SpaceOptions.of("x"));
    }

    GwServer(final String label, final GatewayConfig config) {
        this(label, config, SpaceOptions.of("x"));
    }

    /** @param sizing options whose sizes (not directory) are used for the space */
    GwServer(final String label, final GatewayConfig config, final SpaceOptions sizing) {
        dir = TestSpaces.newDirectory("gw-" + label);
        final SpaceOptions o = SpaceOptions.at(dir).agentId("gateway-" + label).maxKeyBytes(sizing.maxKeyBytes())
                .maxValueBytes(sizing.maxValueBytes()).maxEntries(sizing.maxEntries());
        space = Space.open(o);
        Gateway g = null;
        try {
            g = Gateway.start(space, config);
        } finally {
            if (g == null) {
                space.close();
                TestSpaces.delete(dir);
            }
        }
        gateway = g;
    }

    int port() {
        return gateway.port();
    }

    Resp3Client client() throws java.io.IOException {
        return new Resp3Client(port());
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            space.close();
            TestSpaces.delete(dir);
        }
    }
}
