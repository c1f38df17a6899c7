package com.example.hello;

import io.slate.launch.JvmOptions;
import io.slate.space.Space;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A launcher: starts the {@link Worker} and the {@link Planner} as two JVMs of their own, with the JVM options Slate
 * needs taken from {@link JvmOptions} (this JVM needs none: it opens no space), and removes their space at the end.
 *
 * <p>Arguments: {@code [TASKS]} (default 3). With {@code --without-options} it starts the worker without them, to
 * show the message Slate gives then.
 */
public final class HelloAgents {
    private HelloAgents() {
    }

    /**
     * A process builder for {@code agent}'s main with these JVM options, this JVM's java and class path.
     *
     * @param agent      the main class
     * @param jvmOptions options before the main class, for example {@link JvmOptions#commandLine()}
     * @param args       the agent's arguments
     * @return the builder, to start
     */
    public static ProcessBuilder agent(final Class<?> agent, final List<String> jvmOptions, final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(agent.getName());
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JDK_JAVA_OPTIONS"); // the options are exactly the ones given here
        return pb;
    }

    /**
     * Runs both agents and waits for them (at most 5 minutes).
     *
     * @param args {@code [TASKS] [--without-options]}
     * @throws IOException          if a JVM cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static void main(final String[] args) throws IOException, InterruptedException {
        final boolean without = List.of(args).contains("--without-options");
        final String tasks = args.length > 0 && !args[0].startsWith("--") ? args[0] : "3";
        final Path space = Paths.get("/dev/shm/slate", "hello-agents-" + ProcessHandle.current().pid());
        final List<String> options = without ? List.of() : JvmOptions.commandLine();
        final Process worker = agent(Worker.class, options, space.toString(), tasks).inheritIO().start();
        final Process planner = without ? null : agent(Planner.class, options, space.toString(), tasks).inheritIO().start();
        int exit = 0;
        try {
            for (Process p : planner == null ? List.of(worker) : List.of(worker, planner)) {
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    System.err.println("an agent did not finish within 5 minutes");
                    exit = 1;
                } else if (p.exitValue() != 0) {
                    exit = p.exitValue();
                }
            }
        } finally {
            worker.destroyForcibly();
            if (planner != null) {
                planner.destroyForcibly();
            }
            worker.waitFor(30, TimeUnit.SECONDS);
            if (planner != null) {
                planner.waitFor(30, TimeUnit.SECONDS);
            }
            Space.delete(space);
        }
        System.exit(exit);
    }
}
