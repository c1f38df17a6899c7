package io.slate.engine;

import io.slate.engine.blackboard.BoardSnapshots;
import io.slate.engine.tuple.TupleSnapshots;
import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import io.slate.spi.BackendSpace;
import io.slate.spi.LogRecord;
import io.slate.spi.SnapshotStore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The background duty that keeps every view's newest snapshot close to the journal's end, so that opening a tuple
 * space or a blackboard costs its live state plus a bounded number of records, however long the history. One agent
 * of a space holds it at a time (the backend decides who: on shared memory, whoever holds the duty's file lock). It
 * reads the journal once, in order, noting which views have records; on each {@link #runOnce pass}, a view with
 * records of its own gets a new snapshot once {@link #RECORDS_BETWEEN_SNAPSHOTS} records of any kind (or
 * {@link #NANOS_BETWEEN_SNAPSHOTS}) went by since its last one; a view without records of its own since then has its
 * snapshot re-stamped at the duty's position (the same state, as of a later index), so that records of other views
 * do not pile up in front of it either.
 *
 * <p>Single-threaded: its cursor belongs to the thread that runs it.
 */
public final class SnapshotDuty implements AutoCloseable {
    /** Records of any kind after a view's snapshot that make a new one due. */
    public static final long RECORDS_BETWEEN_SNAPSHOTS = 50_000;
    /** Time after a view's snapshot, when it had records of its own, that makes a new one due. */
    public static final long NANOS_BETWEEN_SNAPSHOTS = 10_000_000_000L;
    /** The most records one pass reads before it looks at the views (a pass never runs for long). */
    private static final int RECORDS_PER_PASS = 1_000_000;

    /** What the duty knows about one view. */
    private static final class View {
        /** Records read (of any kind) when its snapshot was last brought up to date. */
        long snapshotAtRead;
        long snapshotAtNanos = System.nanoTime();
        /** Records of its own since then. */
        long own;
    }

    private final BackendSpace space;
    private final Projection scan;
    private final Map<String, View> views = new HashMap<>();
    private byte[] lastKey = new byte[0];
    private String lastView;
    private boolean started;
    private long snapshotsWritten;

    public SnapshotDuty(final BackendSpace space) {
        this.space = space;
        // the duty applies the views' records only; the others (key/value writes, most of a busy journal) are passed over
        this.scan = new Projection(space.log(), "snapshot duty", this::onRecord).readingOnly(ViewSnapshots.VIEW_OPS);
    }

    private void onRecord(final LogRecord r) {
        final Op op = r.op();
        if (op == null) {
            return;
        }
        final String prefix = ViewSnapshots.viewPrefix(op);
        if (prefix == null) {
            return;
        }
        final String view;
        if (lastView != null && lastView.startsWith(prefix) && r.keyEquals(lastKey)) {
            view = lastView;
        } else {
            final byte[] key = new byte[r.keyLength()];
            r.buffer().getBytes(r.keyOffset(), key);
            view = prefix + new String(key, StandardCharsets.UTF_8);
            lastKey = key;
            lastView = view;
        }
        views.computeIfAbsent(view, v -> new View()).own++;
    }

    /**
     * Reads what the journal has now (up to a bound) and writes the snapshots that are due.
     *
     * @return the number of snapshots written
     */
    public int runOnce() {
        if (!started) {
            started = true;
            for (String v : space.snapshots().views()) {
                views.computeIfAbsent(v, k -> new View());
            }
        }
        int n = 0;
        while (n < RECORDS_PER_PASS) {
            try {
                final int got = scan.drain(4096);
                n += got;
                if (got < 4096) {
                    break;
                }
            } catch (CorruptSpaceException foreign) {
                // not one of our records: it names no view; the cursor has moved past it
            }
        }
        final long position = scan.position();
        final long read = scan.records();
        final long now = System.nanoTime();
        int written = 0;
        for (Map.Entry<String, View> e : views.entrySet()) {
            final View v = e.getValue();
            final long behind = read - v.snapshotAtRead;
            if (v.own > 0 && (behind >= RECORDS_BETWEEN_SNAPSHOTS || now - v.snapshotAtNanos >= NANOS_BETWEEN_SNAPSHOTS)) {
                // (a blackboard not defined in the retained journal has no state to snapshot: tried again later)
                if (ViewSnapshots.write(space, e.getKey()) >= 0) {
                    written++;
                }
            } else if (v.own == 0 && behind >= RECORDS_BETWEEN_SNAPSHOTS && position >= 0) {
                // nothing of this view since its snapshot, which the duty has read past: the same state, as of here
                final SnapshotStore.Snapshot s = space.snapshots().newest(e.getKey());
                if (s == null || s.index() >= position) {
                    continue;
                }
                space.snapshots().write(e.getKey(), position, s.data(), 0, s.data().length);
                written++;
            } else {
                continue;
            }
            v.own = 0;
            v.snapshotAtRead = read;
            v.snapshotAtNanos = now;
        }
        snapshotsWritten += written;
        return written;
    }

    /** Snapshots this duty wrote so far. */
    public long snapshotsWritten() {
        return snapshotsWritten;
    }

    /** Views this duty knows, for tests. */
    public String[] views() {
        final String[] v = views.keySet().toArray(new String[0]);
        Arrays.sort(v);
        return v;
    }

    @Override
    public void close() {
        scan.close();
    }
}
