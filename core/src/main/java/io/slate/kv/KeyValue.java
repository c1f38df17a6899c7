package io.slate.kv;

import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The space's versioned key/value map, shared by every agent.
 *
 * <p>Keys are strings of at most {@code maxKeyBytes} UTF-8 bytes; values are bytes (at most
 * {@code maxValueBytes}), with helpers for UTF-8 text and for longs (stored as decimal text, so the command line
 * and other languages read them as they are). Every entry carries a version, 1, 2, 3... per key, the id of the
 * agent that wrote it last, the time it was written and the journal index of that write. A removed key keeps a
 * tombstone, so a key's versions never go back even across removal.
 *
 * <p>Every mutation is appended to the journal while the key is locked, then applied to the map: the
 * journal append is the commit point, and each key's records appear in the journal in version order.
 *
 * <p>Outcomes that are not errors are return values: methods returning a version return the new version
 * ({@code >= 1}) on success, or {@link #CONFLICT} / {@link #NOT_FOUND}. Exceptions are for real errors: a key or
 * value over the limit ({@link IllegalArgumentException}), a full map or file system
 * ({@link io.slate.space.SpaceFullException}).
 *
 * <p>Thread-safe. The methods taking an {@link EntryBuffer} or a {@code (byte[], offset, length)} triple allocate
 * nothing in steady state.
 */
public interface KeyValue {
    /** The version of a key that does not exist (never written, or removed): use it as the expected version. */
    long ABSENT = 0;
    /** Returned when the expected version (or absence) did not hold: nothing was written. */
    long CONFLICT = -1;
    /** Returned by removal of a key that does not exist: nothing was written. */
    long NOT_FOUND = -2;

    /** The entry under this key, or {@code null} if there is none. Allocates the returned entry. */
    Entry get(CharSequence key);

    /**
     * Copies the entry under this key into {@code into} (growing its buffer only when too small). Allocation-free:
     * this is Chronicle Map's optimized lookup, copying straight into the caller's buffer.
     *
     * @return the entry's version, or {@link #ABSENT} (then the contents of {@code into} are unspecified)
     */
    long get(CharSequence key, EntryBuffer into);

    /** The key's current version, or {@link #ABSENT}. */
    long version(CharSequence key);

    /** Writes the value unconditionally; returns the new version. */
    long put(CharSequence key, byte[] value, int offset, int length);

    default long put(final CharSequence key, final byte[] value) {
        return put(key, value, 0, value.length);
    }

    default long putString(final CharSequence key, final String value) {
        return put(key, Values.utf8(value));
    }

    default long putLong(final CharSequence key, final long value) {
        return put(key, Values.decimal(value));
    }

    /** Writes only if the key does not exist; returns the new version or {@link #CONFLICT}. */
    long putIfAbsent(CharSequence key, byte[] value, int offset, int length);

    default long putIfAbsent(final CharSequence key, final byte[] value) {
        return putIfAbsent(key, value, 0, value.length);
    }

    /**
     * Writes only if the key's version is {@code expectedVersion} ({@link #ABSENT}: the key must not exist);
     * returns the new version or {@link #CONFLICT}.
     */
    long compareAndSet(CharSequence key, long expectedVersion, byte[] value, int offset, int length);

    default long compareAndSet(final CharSequence key, final long expectedVersion, final byte[] value) {
        return compareAndSet(key, expectedVersion, value, 0, value.length);
    }

    /** Removes the key (leaving a tombstone with the next version); returns that version or {@link #NOT_FOUND}. */
    long remove(CharSequence key);

    /** Removes the key only at this version; returns the tombstone's version, {@link #CONFLICT} or {@link #NOT_FOUND}. */
    long removeIfVersion(CharSequence key, long expectedVersion);

    /**
     * Atomically replaces the value with {@code fn(current)} ({@code current} is {@code null} when absent),
     * retrying on conflict with concurrent writers, so {@code fn} may run more than once and must be free of
     * side effects. Returns the entry written.
     */
    Entry update(CharSequence key, UnaryOperator<byte[]> fn);

    /**
     * Adds {@code delta} to the long stored under the key (absent counts as 0) and returns the result, stored as
     * {@link #putLong} stores one.
     *
     * @throws IllegalArgumentException if the stored value is not a long as {@link #putLong} writes it: an optional
     *         {@code -} and decimal digits, without a leading zero, a {@code +} or blanks ({@link Values#parseCanonicalDecimal})
     * @throws ArithmeticException if the result overflows a long (nothing is written)
     */
    long increment(CharSequence key, long delta);

    /**
     * {@link #increment(CharSequence, long)} for a caller that wants the result as text (a Redis integer reply): writes
     * the new value's decimal text, the bytes now stored under the key, into {@code text} at {@code offset} and returns
     * its length, at most 20. Allocation-free on success.
     *
     * @throws IndexOutOfBoundsException if {@code text} has fewer than 20 bytes from {@code offset} (nothing is written)
     * @throws IllegalArgumentException if the stored value is not a long as {@link #putLong} writes it
     * @throws ArithmeticException if the result overflows a long (nothing is written)
     */
    default int incrementAsText(final CharSequence key, final long delta, final byte[] text, final int offset) {
        java.util.Objects.checkFromIndexSize(offset, 20, text.length);
        return Values.writeDecimal(increment(key, delta), text, offset);
    }

    /**
     * Waits until the key has a version above {@code afterVersion}, fed from the journal, and returns that
     * entry (a tombstone's entry has {@link Entry#isRemoved()}), or {@code null} on timeout. Returns at once
     * when the key is already past that version.
     */
    Entry awaitChange(CharSequence key, long afterVersion, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * {@link #awaitChange(CharSequence, long, long, TimeUnit)} into a reusable buffer: waits until the key has a
     * version above {@code afterVersion}, copies that entry into {@code into} (a tombstone's has
     * {@link EntryBuffer#isRemoved()}) and returns its version, or returns {@link #ABSENT} when {@code timeout} passed
     * first ({@code into} is then unspecified). A timeout of 0 looks once and does not wait.
     *
     * <p>On the shared-memory backend this is the waiter's hot path and allocates nothing in steady state: each thread
     * follows the journal's tail with a cursor of its own, kept between calls, so a waiter learns of a write when its
     * journal record is committed, without waiting for the map's update and without a lookup in the map (see
     * {@code docs/space-format.md}, "Waiting for a key"). Other backends may allocate.
     */
    default long awaitChange(final CharSequence key, final long afterVersion, final EntryBuffer into, final long timeout,
                             final TimeUnit unit) throws InterruptedException {
        final Entry e = awaitChange(key, afterVersion, timeout, unit);
        if (e == null) {
            return ABSENT;
        }
        final byte[] v = e.value();
        System.arraycopy(v, 0, into.prepare(v.length, e.version(), e.timestampNanos(), e.journalIndex()), 0, v.length);
        into.removed(e.isRemoved());
        into.writerBuilder().append(e.writer());
        return e.version();
    }

    /** Keys in the map, tombstones included. */
    long size();

    /** Calls {@code visitor} with every live (not removed) entry; order unspecified. Allocates per entry. */
    void forEach(java.util.function.Consumer<Entry> visitor);
}
