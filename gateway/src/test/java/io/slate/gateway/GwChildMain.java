package io.slate.gateway;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;

/**
 * A gateway in a child JVM: {@code GwChildMain SPACE AGENT_ID}, SPACE a directory or an address such as
 * {@code etcd://host:port,.../name}; prints "PORT n" when it listens, then serves until killed.
 */
public final class GwChildMain {
    private GwChildMain() {
    }

    public static void main(final String[] args) throws Exception {
        final SpaceOptions o = args[0].contains("://") ? SpaceOptions.of(args[0]) : SpaceOptions.at(Paths.get(args[0]));
        final Space space = Space.open(o.agentId(args[1]));
        final Gateway g = Gateway.start(space, GatewayConfig.defaults().port(0));
        System.out.println("PORT " + g.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
