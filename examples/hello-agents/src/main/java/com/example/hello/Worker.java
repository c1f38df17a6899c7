package com.example.hello;

import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.TupleSpace;

import java.util.concurrent.TimeUnit;

/**
 * Agent two: takes each greeting task with take-with-ack, writes the greeting on the shared board holding the
 * fenced "board" mutex, acknowledges the task, then counts it in the key {@code hello/done}.
 *
 * <p>Arguments: the space (a name under /dev/shm/slate/, or a path) and the number of tasks to do.
 */
public final class Worker {
    /** The longest wait for the other agent (generous: a JVM starting Chronicle on a loaded machine is slow). */
    static final long WAIT_SECONDS = 120;

    private Worker() {
    }

    /**
     * Runs the worker; exits with 1 when no task arrives within {@value #WAIT_SECONDS} s.
     *
     * @param args space, number of tasks
     * @throws InterruptedException if interrupted while waiting
     */
    public static void main(final String[] args) throws InterruptedException {
        final int tasks = Integer.parseInt(args[1]);
        try (Space space = Space.open(SpaceOptions.of(args[0]).agentId("worker"));
             TupleSpace greetings = TupleSpace.of(space, "greetings")) {
            final Mutex board = Sync.of(space).mutex("board");
            final Template greeting = Template.of("greet", Template.ANY_LONG, Template.ANY_STRING);
            for (int n = 0; n < tasks; n++) {
                // take with ack: had this JVM died before ack(), the task would be back in the space for another worker
                try (Taken task = greetings.inWithAck(greeting, WAIT_SECONDS, TimeUnit.SECONDS)) {
                    if (task == null) {
                        System.out.println("worker: no greeting to do within " + WAIT_SECONDS + " s, giving up");
                        System.exit(1);
                    }
                    final String who = task.tuple().getString(2);
                    final long token = board.lock();
                    final boolean written;
                    try {
                        written = writeFenced(space.kv(), token, "hello, " + who);
                    } finally {
                        board.unlock();
                    }
                    task.ack();
                    final long done = space.kv().increment("hello/done", 1);
                    System.out.println("worker: " + (written ? "greeted " : "was fenced off from greeting ") + who + " (task "
                            + task.tuple().getLong(1) + ", fencing token " + token + "), " + done + " done");
                }
            }
        }
    }

    /**
     * Appends a line to the board unless a holder with a newer fencing token has written it since (then this holder
     * lost the lock while it was paused, and its write must not land). Call it holding the "board" mutex.
     */
    static boolean writeFenced(final KeyValue kv, final long token, final String line) {
        final Entry last = kv.get("hello/board/token");
        if (last != null && Long.parseLong(last.valueAsString()) > token) {
            return false;
        }
        final Entry board = kv.get("hello/board");
        kv.putString("hello/board", board == null ? line : board.valueAsString() + "\n" + line);
        kv.putLong("hello/board/token", token);
        return true;
    }
}
