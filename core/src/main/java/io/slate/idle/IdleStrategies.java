package io.slate.idle;

import java.util.function.Supplier;

/** Makes idle strategies from the names the command line and options use. */
public final class IdleStrategies {
    private IdleStrategies() {
    }

    /**
     * A factory for the named strategy: {@code spin}, {@code yield} or {@code backoff}.
     *
     * @throws IllegalArgumentException naming the unknown strategy and the known ones
     */
    public static Supplier<IdleStrategy> named(final String name) {
        switch (name) {
            case "spin":
                return BusySpinIdleStrategy::new;
            case "yield":
                return YieldingIdleStrategy::new;
            case "backoff":
                return BackoffIdleStrategy::new;
            default:
                throw new IllegalArgumentException("unknown idle strategy '" + name + "': use spin, yield or backoff");
        }
    }
}
