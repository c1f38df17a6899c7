package io.slate.spi;

import java.util.List;

/**
 * Snapshots of the state engines derive from the journal (a tuple space's index, a blackboard's state): each is the
 * deterministic state every handle computes after applying the journal up to an index, so any agent may write it
 * and a handle may open from the newest one and tail from its index instead of replaying the whole history.
 * Retention writes them before it retires the records they replace (see {@code docs/architecture.md}).
 *
 * <p>Every backend guarantees: a snapshot is published whole or not at all (a writer killed mid-write leaves the
 * previous snapshot in force); a stored snapshot whose bytes are damaged (torn, truncated, overwritten) is never
 * returned — the previous valid one is; snapshots of different views never mix. Thread-safe.
 */
public interface SnapshotStore {
    /** One stored snapshot: the view it belongs to, the journal index it reflects (inclusive), and its bytes. */
    final class Snapshot {
        private final String view;
        private final long index;
        private final byte[] data;

        public Snapshot(final String view, final long index, final byte[] data) {
            this.view = view;
            this.index = index;
            this.data = data;
        }

        public String view() {
            return view;
        }

        /** The state reflects every record up to and including this index. */
        public long index() {
            return index;
        }

        public byte[] data() {
            return data;
        }
    }

    /**
     * Publishes a snapshot of {@code view} reflecting the journal up to {@code index} (inclusive). Crash-safe: until
     * it returns, readers see the previous snapshots only. Older snapshots of the view beyond the newest two may be
     * removed.
     *
     * @throws io.slate.space.SpaceException when it cannot be stored (nothing was published)
     */
    void write(String view, long index, byte[] data, int offset, int length);

    /** The newest valid snapshot of {@code view}, or null when it has none. Damaged ones are skipped. */
    Snapshot newest(String view);

    /** The views that have at least one snapshot, in no particular order. */
    List<String> views();

    /** Where snapshots are kept, for messages. */
    String location();
}
