package io.slate.idle;

/** Burns the core with {@link Thread#onSpinWait()}: lowest latency, for a thread pinned to its own CPU. */
public final class BusySpinIdleStrategy implements IdleStrategy {
    @Override
    public void idle() {
        Thread.onSpinWait();
    }

    @Override
    public void reset() {
    }

    @Override
    public String alias() {
        return "spin";
    }
}
