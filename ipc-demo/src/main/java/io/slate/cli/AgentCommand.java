package io.slate.cli;

import io.slate.demo.FleetAgent;
import io.slate.space.SpaceOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code slate agent KIND}: runs one agent of the fleet scenario ({@link FleetAgent}) in the foreground until Ctrl-C,
 * so a fleet can be built by hand from several terminals (see {@code ipc-demo/README.md}).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {
            "Runs one agent of the fleet demo in the foreground until Ctrl-C (or until the demo's monitor says stop).",
            "Kinds: sensor (writes (\"alert\", sensorId, value, sentNanos) tuples at --rate per second), "
                + "responder (takes each alert once with take-with-ack, posts a hypothesis to the blackboard 'incident', "
                + "flies the drone under a fenced mutex for alerts >= 0.8, then acknowledges), "
                + "planner (blackboard controller: combines hypotheses >= 0.9 with the sensor's latest into plans).",
            "Start responders and the planner first, then sensors; see ipc-demo/README.md.",
        })
final class AgentCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", description = "sensor, responder or planner")
    private String kind;

    @Option(names = "--space", paramLabel = "NAME|DIR|ADDRESS",
            description = "The space: a name under /dev/shm/slate, a directory (contains '/'), or an address such as etcd://host:port/name. Default: $" + SlateCli.SPACE_ENV + ".")
    private String space;

    @Option(names = "--id", paramLabel = "ID", description = "Agent id, unique in the space. Default: KIND-PID.")
    private String id;

    @Option(names = "--sensor-id", paramLabel = "N", defaultValue = "1", description = "For a sensor: the sensor id in its alerts. Default: ${DEFAULT-VALUE}.")
    private long sensorId;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "200", description = "For a sensor: alerts per second. Default: ${DEFAULT-VALUE}.")
    private double rate;

    @Option(names = "--cpu", paramLabel = "N|auto", description = "Pin the agent's thread to this CPU (OpenHFT Affinity), or to a free one with auto.")
    private String cpu;

    @Option(names = "--idle", paramLabel = "spin|yield|backoff", defaultValue = "backoff",
            description = "How the agent waits when there is nothing to do. Default: ${DEFAULT-VALUE}.")
    private String idle;

    @Override
    public Integer call() {
        final String name = space != null ? space : System.getenv(SlateCli.SPACE_ENV);
        if (name == null || name.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no space: give --space NAME|DIR or set " + SlateCli.SPACE_ENV);
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be a number of alerts per second > 0, got " + rate);
        }
        if (cpu != null && !cpu.equals("auto") && !cpu.matches("\\d{1,5}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cpu must be a CPU number or auto, got '" + Text.abbreviate(cpu) + "'");
        }
        final FleetAgent agent;
        try {
            final FleetAgent.Kind k = FleetAgent.Kind.parse(kind);
            agent = new FleetAgent(k, SpaceOptions.of(name).address(), id != null ? id : k.label() + "-" + ProcessHandle.current().pid(),
                    sensorId, rate, idle, cpu);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        agent.runUntilShutdown();
        return SlateCli.EXIT_OK;
    }
}
