package io.slate.consistency;

import io.slate.kv.Entry;

/**
 * A handle on the space's key/value map with a chosen {@link Consistency}. Open one per agent thread with
 * {@link #open(io.slate.space.Space, Consistency)}.
 *
 * <p>Single-threaded: a view owns a journal tailer (which is) and a local materialized view; use it from one thread.
 *
 * <p>The <b>session token</b> is a journal index: everything at or before it is in this handle's causal past (its own
 * writes, and what it has read). Pass it to another agent (a message, a key, a command-line argument) and
 * {@link #observe(long)} it there: that agent's CAUSAL reads then see everything the first agent had seen.
 */
public interface KeyValueView extends AutoCloseable {

    /** Opens a view of the space's map with this consistency. */
    static KeyValueView open(final io.slate.space.Space space, final Consistency consistency) {
        return io.slate.engine.consistency.ConsistentView.open(space, consistency);
    }

    Consistency consistency();

    /** The live entry under the key, or {@code null}: from the shared map (STRONG) or the local view (CAUSAL, EVENTUAL). */
    Entry get(CharSequence key);

    /** Writes through the shared write path; returns the new version. The session token moves to this write. */
    long put(CharSequence key, byte[] value);

    /** Compare-and-set through the shared write path; returns the new version or {@code KeyValue.CONFLICT}. */
    long compareAndSet(CharSequence key, long expectedVersion, byte[] value);

    /** Removes through the shared write path; returns the tombstone's version or {@code KeyValue.NOT_FOUND}. */
    long remove(CharSequence key);

    /** This handle's session token (a journal index; -1 when its causal past is empty). */
    long sessionToken();

    /** Merges another agent's session token into this handle's causal past. */
    void observe(long token);

    /** The journal index up to which the local view has applied records (-1 for none; STRONG keeps no view). */
    long appliedIndex();

    @Override
    void close();
}
