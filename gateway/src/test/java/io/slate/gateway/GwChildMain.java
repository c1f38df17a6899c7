package io.slate.gateway;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;

/** A gateway in a child JVM: {@code GwChildMain SPACE_DIR AGENT_ID}; prints "PORT n" when it listens, then serves until killed. */
public final class GwChildMain {
    private GwChildMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Space space = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId(args[1]));
        final Gateway g = Gateway.start(space, GatewayConfig.defaults().port(0));
        System.out.println("PORT " + g.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
