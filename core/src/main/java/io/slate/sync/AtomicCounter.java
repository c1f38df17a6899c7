package io.slate.sync;

/**
 * A 64-bit counter in shared memory, changed atomically by any agent of the space: one atomic instruction per
 * operation, no journal append, no lock. Overflow wraps around, as with {@link java.util.concurrent.atomic.AtomicLong}.
 *
 * <p>With journaling on, every change is also appended to the journal after it is made (op {@code counter-add}),
 * so records of concurrent changes may appear in the journal in another order than the changes.
 *
 * <p>Thread-safe; allocates nothing.
 */
public interface AtomicCounter {
    /** The counter's name. */
    String name();

    /** The current value (a volatile read). */
    long get();

    /** Adds {@code delta} (may be negative) and returns the new value. */
    long add(long delta);

    /** Sets the value to {@code value} if it is {@code expected}; true when it was set. */
    boolean compareAndSet(long expected, long value);
}
