package io.slate.spi;

/**
 * An agent as records name it when they must later ask whether it is still alive (the taker of a tuple, the claimer
 * of a blackboard activation): three numbers whose meaning only the backend knows, stored as 20 bytes
 * ({@link #BYTES}) in those records. On one host: the registry slot, the PID and the process's start time, which
 * make liveness exact; on a distributed backend: its lease. Ask {@link BackendSpace#isLive(int, long, long)}.
 */
public final class AgentRef {
    /** Bytes a reference takes in a record: an int and two longs. */
    public static final int BYTES = 4 + 8 + 8;

    private final int slot;
    private final long id;
    private final long incarnation;

    public AgentRef(final int slot, final long id, final long incarnation) {
        this.slot = slot;
        this.id = id;
        this.incarnation = incarnation;
    }

    /** A small number the backend uses to find the agent quickly (the registry slot on one host). */
    public int slot() {
        return slot;
    }

    /** The agent's identity (the PID on one host, the lease id on a distributed backend). */
    public long id() {
        return id;
    }

    /** Tells two lives of one identity apart (the process's start time on one host). */
    public long incarnation() {
        return incarnation;
    }

    public boolean is(final int slot, final long id, final long incarnation) {
        return this.slot == slot && this.id == id && this.incarnation == incarnation;
    }

    @Override
    public String toString() {
        return "AgentRef{" + slot + "/" + id + "/" + incarnation + '}';
    }
}
