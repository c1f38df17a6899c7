package io.slate.sync;

import java.util.List;

/**
 * One primitive of a space as {@link Sync#primitives()} read it at one moment, for tools such as {@code slate locks}.
 * Immutable.
 */
public final class PrimitiveInfo {
    /** The type of a primitive. */
    public enum Kind {
        MUTEX, SEMAPHORE, COUNTER, LATCH, BARRIER;

        /** The lower-case name tools print. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String name;
    private final Kind kind;
    private final long parameter;
    private final long value;
    private final long lastToken;
    private final boolean journaling;
    private final List<Holder> holders;

    public PrimitiveInfo(final String name, final Kind kind, final long parameter, final long value, final long lastToken,
                         final boolean journaling, final List<Holder> holders) {
        this.name = name;
        this.kind = kind;
        this.parameter = parameter;
        this.value = value;
        this.lastToken = lastToken;
        this.journaling = journaling;
        this.holders = List.copyOf(holders);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** Permits of a semaphore, initial count of a latch, parties of a barrier; 0 for a mutex or counter. */
    public long parameter() {
        return parameter;
    }

    /**
     * The state: 1 when a mutex is held, else 0; a semaphore's available permits; a counter's value; a latch's count;
     * the parties arrived at a barrier.
     */
    public long value() {
        return value;
    }

    /** A mutex's latest fencing token; a barrier's generation; 0 for the others. */
    public long lastToken() {
        return lastToken;
    }

    /** Whether the primitive's events are journaled. */
    public boolean journaling() {
        return journaling;
    }

    /** A mutex's owner or a semaphore's holders; empty otherwise. */
    public List<Holder> holders() {
        return holders;
    }

    @Override
    public String toString() {
        return kind.label() + " " + name + " value=" + value + " holders=" + holders;
    }
}
