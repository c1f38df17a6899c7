package io.slate.blackboard;

/** How a {@link Controller#run} ended. Immutable and thread-safe. */
public final class RunResult {
    /** Why the controller stopped. */
    public enum StopReason {
        /** The goal condition held. */
        GOAL,
        /** Nothing left to do: no pending activation of this controller's knowledge sources, none running anywhere. */
        QUIESCENT,
        /** {@link Controller#requestStop()} was called. */
        STOPPED,
        /** The time limit passed first. */
        TIMED_OUT
    }

    private final StopReason reason;
    private final int executed;
    private final int failed;
    private final int conflicts;
    private final long lastIndex;

    /** For the implementation. */
    public RunResult(final StopReason reason, final int executed, final int failed, final int conflicts, final long lastIndex) {
        this.reason = reason;
        this.executed = executed;
        this.failed = failed;
        this.conflicts = conflicts;
        this.lastIndex = lastIndex;
    }

    public StopReason reason() {
        return reason;
    }

    /** Activations this controller finished during the run (committed, failed or in conflict). */
    public int executed() {
        return executed;
    }

    /** Of those, how many actions threw. */
    public int failed() {
        return failed;
    }

    /** Of those, how many commits were refused because an expected version no longer held. */
    public int conflicts() {
        return conflicts;
    }

    /** The journal index the controller's view had reached when it stopped. */
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public String toString() {
        return reason + ": executed " + executed + " (" + failed + " failed, " + conflicts + " conflicts), at index " + lastIndex;
    }
}
