package io.slate.demo;

import sun.misc.Signal;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a call instead of a JVM shutdown, so a demo process can stop its work, close
 * its space and report before it exits. (During a shutdown, Chronicle's own hooks may close the space under it.)
 */
final class Signals {
    private Signals() {
    }

    /** Runs {@code action} (on a signal-dispatch thread) on SIGINT or SIGTERM, in place of the JVM's shutdown. */
    static void onStop(final Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> action.run());
            } catch (IllegalArgumentException e) {
                // the signal is ignored (a background job) or unavailable here: the JVM's default handling stays
            }
        }
    }
}
