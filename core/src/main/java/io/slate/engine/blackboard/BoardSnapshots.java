package io.slate.engine.blackboard;

import io.slate.engine.ViewSnapshots;
import io.slate.space.CorruptSpaceException;
import io.slate.spi.BackendSpace;
import io.slate.spi.SnapshotStore;

/**
 * Snapshots of a blackboard's {@link BoardState} (levels, every version of every entry, the claimed activations and
 * their claims), stored under {@code "blackboard/<name>"} in the space's {@link SnapshotStore}.
 */
public final class BoardSnapshots {
    /** The prefix of a blackboard's view name in the snapshot store. */
    public static final String PREFIX = "blackboard/";

    private BoardSnapshots() {
    }

    /** Fills a new state from the newest usable snapshot; returns the index it reflects, or -1 when there is none. */
    static long restore(final BackendSpace space, final String name, final BoardState state) {
        final SnapshotStore.Snapshot s = ViewSnapshots.newest(space, PREFIX + name);
        return s == null ? -1 : restore(space, name, state, s);
    }

    static long restore(final BackendSpace space, final String name, final BoardState state, final SnapshotStore.Snapshot s) {
        try {
            state.restore(s.data(), s.data().length);
        } catch (BlackboardRecords.MalformedException e) {
            throw new CorruptSpaceException(space.snapshots().location(), "the snapshot of blackboard '" + name + "' at journal index " + s.index()
                    + " cannot be read: " + e.getMessage());
        }
        return s.index();
    }

    /**
     * Writes a snapshot of blackboard {@code name} as of the journal's end now (its newest snapshot, then the records
     * after it); returns the journal index it reflects, or -1 when it is not defined in the retained journal.
     */
    public static long write(final BackendSpace space, final String name) {
        final BoardState state = new BoardState(name, null);
        final long after = restore(space, name, state);
        try (JournalFeed feed = new JournalFeed(space, name, state, Long.MAX_VALUE)) {
            if (after >= 0) {
                feed.startAfter(after);
            }
            feed.drainAll();
            final long at = feed.position();
            if (at < 0 || !state.isDefined()) {
                return -1;
            }
            final BlackboardRecords.Writer w = new BlackboardRecords.Writer();
            state.snapshotTo(w);
            space.snapshots().write(PREFIX + name, at, w.buffer(), 0, w.length());
            return at;
        }
    }
}
