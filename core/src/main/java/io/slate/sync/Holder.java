package io.slate.sync;

/**
 * An agent holding a mutex or semaphore permits, as read from shared memory at one moment. Immutable.
 */
public final class Holder {
    private final String agentId;
    private final long pid;
    private final int agentSlot;
    private final boolean alive;
    private final int permits;

    public Holder(final String agentId, final long pid, final int agentSlot, final boolean alive, final int permits) {
        this.agentId = agentId;
        this.pid = pid;
        this.agentSlot = agentSlot;
        this.alive = alive;
        this.permits = permits;
    }

    /** The holder's agent id. */
    public String agentId() {
        return agentId;
    }

    /** The holder's process. */
    public long pid() {
        return pid;
    }

    /** The holder's slot in the space's agent registry. */
    public int agentSlot() {
        return agentSlot;
    }

    /**
     * True while the holder's process runs and its agent is attached; a dead holder's mutex or permits go to the next
     * waiter.
     */
    public boolean isAlive() {
        return alive;
    }

    /** Permits held: 1 for a mutex owner. */
    public int permits() {
        return permits;
    }

    @Override
    public String toString() {
        return agentId + " pid=" + pid + (alive ? " alive" : " dead") + (permits == 1 ? "" : " permits=" + permits);
    }
}
