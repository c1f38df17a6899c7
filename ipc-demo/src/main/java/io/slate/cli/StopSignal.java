package io.slate.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a command end cleanly on Ctrl-C or SIGTERM: a shutdown hook raises the flag, then waits (bounded) until the
 * command has returned and closed its space, so the agent is marked closed rather than dead. Commands that loop
 * ({@code tail --follow}) poll {@link #requested()}.
 */
final class StopSignal implements AutoCloseable {
    /** How long the shutdown hook waits for the command to finish. */
    private static final long GRACE_MILLIS = 3_000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;

    private StopSignal() {
        hook = new Thread(() -> {
            requested = true;
            try {
                finished.await(GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slate-cli-stop");
    }

    /** Registers the shutdown hook. */
    static StopSignal install() {
        final StopSignal s = new StopSignal();
        try {
            Runtime.getRuntime().addShutdownHook(s.hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: behave as if stopped
            s.requested = true;
        }
        return s;
    }

    /** True once the process has been asked to stop. */
    boolean requested() {
        return requested;
    }

    /** The command is done (its space closed): releases a waiting hook, or removes the hook when none fired. */
    @Override
    public void close() {
        finished.countDown();
        if (!requested) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutdown began meanwhile: the hook runs and returns at once, the latch being open
            }
        }
    }
}
