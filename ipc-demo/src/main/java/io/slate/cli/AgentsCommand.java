package io.slate.cli;

import io.slate.agent.AgentInfo;
import io.slate.space.Space;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** {@code slate agents}: every agent the space's registry remembers. */
@Command(name = "agents", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prints one line per agent the space remembers, oldest registration first: ID PID STATE REGISTERED.",
            "STATE is alive (process attached), closed (closed its space cleanly) or dead (process gone without closing). "
                + "This command opens the space as an observer: it is not an agent and is not listed.",
        })
final class AgentsCommand extends SpaceCommand {
    @Override
    int execute() {
        try (Space s = observe()) {
            final List<AgentInfo> agents = new ArrayList<>(s.agents());
            agents.sort(Comparator.comparingLong(AgentInfo::registeredMillis).thenComparingInt(AgentInfo::slot));
            int width = 8;
            for (AgentInfo a : agents) {
                width = Math.max(width, a.id().length());
            }
            for (AgentInfo a : agents) {
                out().printf("%-" + width + "s %8d %-6s %s%n", a.id(), a.pid(), a.state().name().toLowerCase(Locale.ROOT),
                        Text.isoMillis(a.registeredMillis()));
            }
        }
        return SlateCli.EXIT_OK;
    }
}
