package com.example.hello;

import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;

import java.util.concurrent.TimeUnit;

/**
 * Agent one: posts greeting tasks as tuples, watches the key {@code hello/done} (fed from the space's journal) until
 * the worker has done them all, then reads the board under the fenced lock they share.
 *
 * <p>Arguments: the space (a name under /dev/shm/slate/, or a path) and the number of tasks.
 */
public final class Planner {
    /** The longest wait for the other agent (generous: a JVM starting Chronicle on a loaded machine is slow). */
    static final long WAIT_SECONDS = 120;

    private Planner() {
    }

    /**
     * Runs the planner; exits with 1 when the worker does not keep up within {@value #WAIT_SECONDS} s.
     *
     * @param args space, number of tasks
     * @throws InterruptedException if interrupted while waiting
     */
    public static void main(final String[] args) throws InterruptedException {
        final int tasks = Integer.parseInt(args[1]);
        try (Space space = Space.open(SpaceOptions.of(args[0]).agentId("planner"));
             TupleSpace greetings = TupleSpace.of(space, "greetings")) {
            for (int i = 1; i <= tasks; i++) {
                greetings.out(Tuple.of("greet", i, "agent number " + i));
            }
            System.out.println("planner: posted " + tasks + " greetings");

            // a key watched through the journal: each awaitChange returns the next version another agent wrote
            long seen = 0;
            long done = 0;
            while (done < tasks) {
                final Entry e = space.kv().awaitChange("hello/done", seen, WAIT_SECONDS, TimeUnit.SECONDS);
                if (e == null) {
                    System.out.println("planner: nothing done within " + WAIT_SECONDS + " s, giving up");
                    System.exit(1);
                }
                seen = e.version();
                done = Long.parseLong(e.valueAsString());
                System.out.println("planner: hello/done = " + done + " (version " + e.version() + ", written by " + e.writer() + ")");
            }

            // the board is written by the worker under the "board" mutex: read it under the same lock
            final Mutex board = Sync.of(space).mutex("board");
            final long token = board.tryLock(WAIT_SECONDS, TimeUnit.SECONDS);
            if (token < 0) {
                System.out.println("planner: the board stayed locked for " + WAIT_SECONDS + " s");
                System.exit(1);
            }
            try {
                System.out.println("planner: the board, read holding the lock with fencing token " + token + ":");
                for (String line : space.kv().get("hello/board").valueAsString().split("\n")) {
                    System.out.println("planner:   " + line);
                }
            } finally {
                board.unlock();
            }
        }
    }
}
