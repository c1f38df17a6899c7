package io.slate.idle;

/** Gives the core away with {@link Thread#yield()} on every idle: low latency, shares the CPU. */
public final class YieldingIdleStrategy implements IdleStrategy {
    @Override
    public void idle() {
        Thread.yield();
    }

    @Override
    public void reset() {
    }

    @Override
    public String alias() {
        return "yield";
    }
}
