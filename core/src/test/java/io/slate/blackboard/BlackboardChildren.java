package io.slate.blackboard;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** Programs the multi-JVM blackboard tests run in child JVMs. Each prints what it did on stdout, one line at a time. */
final class BlackboardChildren {
    private BlackboardChildren() {
    }

    /**
     * args: dir agentId mode(solve|hold) — runs the sensor problem's knowledge sources under a controller with the goal
     * "all plans made". Prints "READY", waits for the key "go", then "EXEC key" at the start of every action it executes
     * and "DONE reason lastIndex digest" at the end (digest of its view, to compare with a replay). In mode "hold" the
     * first action prints "HOLDING key" and then sleeps, holding its claim, until the process is killed.
     */
    static final class Solver {
        public static void main(final String[] args) throws Exception {
            final boolean hold = args[2].equals("hold");
            final int plans = SensorProblem.expectedPlans().size();
            try (Space space = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId(args[1]));
                 Blackboard bb = Blackboard.of(space, SensorProblem.BOARD)) {
                final java.util.function.Consumer<Activation> onExecute = a -> {
                    if (hold) {
                        System.out.println("HOLDING " + a.key());
                        System.out.flush();
                        try {
                            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new IllegalStateException("the holder was expected to be killed");
                    }
                    System.out.println("EXEC " + a.key());
                };
                try (Controller c = bb.controller()
                        .register(SensorProblem.detector(onExecute))
                        .register(SensorProblem.combiner(onExecute))
                        .rating(SensorProblem::rating)
                        .goal(s -> s.count("plan") == plans)
                        .build()) {
                    System.out.println("READY");
                    if (space.kv().awaitChange("go", 0, 60, TimeUnit.SECONDS) == null) {
                        System.out.println("NO-GO");
                        return;
                    }
                    final RunResult r = c.run(120, TimeUnit.SECONDS);
                    final BlackboardSnapshot s = c.snapshot();
                    System.out.println("DONE " + r.reason() + " " + s.lastIndex() + " " + SensorProblem.digest(s));
                }
            }
        }
    }
}
