package io.slate.engine;

import io.slate.engine.blackboard.BoardSnapshots;
import io.slate.engine.tuple.TupleSnapshots;
import io.slate.journal.Op;
import io.slate.space.SpaceException;
import io.slate.spi.BackendSpace;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordLog;
import io.slate.spi.SnapshotStore;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Snapshots of the views derived from the journal (tuple spaces under {@code "tuples/<name>"}, blackboards under
 * {@code "blackboard/<name>"}), and what a backend's retention calls before it retires journal records: every view
 * with records before the cut gets a snapshot at or after the cut, so no view ever needs a retired record.
 */
public final class ViewSnapshots {
    private ViewSnapshots() {
    }

    /** Tries of {@link #newest} when retention passed its snapshot while it read it. */
    private static final int LOAD_TRIES = 5;

    /**
     * The newest snapshot of {@code view} that a handle can tail from: its index is at or after the first retained
     * record (retention writes a newer snapshot before it retires records after an older one), or null when the view
     * has none.
     *
     * @throws SpaceException naming the view and the indices when retention removed records the newest snapshot does
     *                        not reflect (a snapshot store that lost its newest snapshots)
     */
    public static SnapshotStore.Snapshot newest(final BackendSpace space, final String view) {
        final RecordLog log = space.log();
        SnapshotStore.Snapshot s = null;
        for (int i = 0; i < LOAD_TRIES; i++) {
            s = space.snapshots().newest(view);
            if (s == null) {
                return null;
            }
            final long first = log.firstIndex();
            if (first < 0 || s.index() >= first - 1 || log.complete()) {
                return s;
            }
            Thread.onSpinWait(); // retention is retiring cycles right now: its newer snapshot is published first
        }
        throw new SpaceException(space.snapshots().location(), view + ": its newest snapshot reflects the journal up to index " + s.index()
                + " but retention removed the records after it (the first retained record is " + log.firstIndex() + ")", null);
    }

    /**
     * Brings every view that has records before {@code cut} (found by reading the journal from its first retained
     * record up to the cut once), and every view that has a snapshot, up to a snapshot at or after the cut. Called by
     * retention before it retires the records before {@code cut}; it may retire them only when this returns true.
     *
     * @return true when every such view now has a snapshot reflecting at least every record before {@code cut}
     */
    public static boolean beforeRetire(final BackendSpace space, final long cut) {
        final SnapshotStore store = space.snapshots();
        final long first = space.log().firstIndex();
        final Set<String> withRecords = new LinkedHashSet<>();
        try (Projection scan = new Projection(space.log(), "retention scan", r -> collect(r, withRecords), cut - 1, false,
                Projection.CATCH_UP_TIMEOUT_NANOS).readingOnly(VIEW_OPS)) {
            while (true) {
                try {
                    scan.drainAll();
                    break;
                } catch (io.slate.space.CorruptSpaceException foreign) {
                    // not a record of ours: it names no view; the cursor has moved past it
                }
            }
        }
        final Set<String> views = new LinkedHashSet<>(store.views());
        views.addAll(withRecords);
        boolean all = true;
        for (String view : views) {
            final SnapshotStore.Snapshot s = store.newest(view);
            if (s != null && s.index() >= cut - 1) {
                continue;
            }
            if (s != null && !withRecords.contains(view) && s.index() >= first - 1) {
                // no record of the view between its snapshot and the cut: the same state, as of the cut
                store.write(view, cut - 1, s.data(), 0, s.data().length);
                continue;
            }
            final long at = write(space, view);
            all &= at >= cut - 1;
        }
        return all;
    }

    /** Writes a snapshot of {@code view} as of the journal's end now; returns the index it reflects (-1: none written). */
    public static long write(final BackendSpace space, final String view) {
        if (view.startsWith(TupleSnapshots.PREFIX)) {
            return TupleSnapshots.write(space, view.substring(TupleSnapshots.PREFIX.length()));
        }
        if (view.startsWith(BoardSnapshots.PREFIX)) {
            return BoardSnapshots.write(space, view.substring(BoardSnapshots.PREFIX.length()));
        }
        return -1;
    }

    /** The snapshot-name prefix of the kind of view a record of {@code op} belongs to, or null for a record no view keeps. */
    /** The operations of the views that have snapshots (tuple spaces, blackboards). */
    static final long VIEW_OPS = io.slate.spi.RecordCursor.opsWhere(op -> viewPrefix(op) != null);

    static String viewPrefix(final Op op) {
        if (op == Op.TUPLE_OUT || op == Op.TUPLE_TAKE || op == Op.TUPLE_ACK || op == Op.TUPLE_RETURN) {
            return TupleSnapshots.PREFIX;
        }
        if (op == Op.BB_DEFINE || op == Op.BB_WRITE || op == Op.BB_CLAIM || op == Op.BB_COMMIT || op == Op.BB_ABANDON) {
            return BoardSnapshots.PREFIX;
        }
        return null;
    }

    private static void collect(final LogRecord r, final Set<String> views) {
        final Op op = r.op();
        if (op == null) {
            return;
        }
        final String prefix = viewPrefix(op);
        if (prefix == null) {
            return;
        }
        final byte[] key = new byte[r.keyLength()];
        r.buffer().getBytes(r.keyOffset(), key);
        views.add(prefix + new String(key, StandardCharsets.UTF_8));
    }
}
