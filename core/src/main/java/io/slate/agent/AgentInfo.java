package io.slate.agent;

/**
 * One agent as the space's registry knows it. Liveness on one host is exact: an agent is alive while a
 * process with its PID exists and that process started at the recorded start time (so a recycled PID is
 * not mistaken for the agent).
 */
public final class AgentInfo {
    /** Where the agent is in its life. */
    public enum State {
        /** The process is running and attached. */
        ALIVE,
        /** The agent closed its space handle cleanly. */
        CLOSED,
        /** The process is gone (crashed or killed) without closing. */
        DEAD
    }

    private final int slot;
    private final String id;
    private final long pid;
    private final long startTicks;
    private final long registeredMillis;
    private final State state;

    public AgentInfo(final int slot, final String id, final long pid, final long startTicks, final long registeredMillis, final State state) {
        this.slot = slot;
        this.id = id;
        this.pid = pid;
        this.startTicks = startTicks;
        this.registeredMillis = registeredMillis;
        this.state = state;
    }

    /** The registry slot this agent occupies (or occupied). */
    public int slot() {
        return slot;
    }

    public String id() {
        return id;
    }

    public long pid() {
        return pid;
    }

    /** The process start time, in clock ticks since boot, as in field 22 of {@code /proc/<pid>/stat}. */
    public long startTicks() {
        return startTicks;
    }

    public long registeredMillis() {
        return registeredMillis;
    }

    public State state() {
        return state;
    }

    public boolean isAlive() {
        return state == State.ALIVE;
    }

    @Override
    public String toString() {
        return id + " pid=" + pid + " " + state.name().toLowerCase(java.util.Locale.ROOT);
    }
}
