package io.slate.engine.tuple;

import io.slate.engine.Projection;
import io.slate.engine.ViewSnapshots;
import io.slate.internal.Clock;
import io.slate.space.CorruptSpaceException;
import io.slate.spi.BackendSpace;
import io.slate.spi.SnapshotStore;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Snapshots of a tuple space's {@link TupleIndex} (every live tuple with its id and lease, every unacknowledged take
 * with its taker's agent reference), stored under {@code "tuples/<name>"} in the space's {@link SnapshotStore}.
 */
public final class TupleSnapshots {
    /** The prefix of a tuple space's view name in the snapshot store. */
    public static final String PREFIX = "tuples/";

    private TupleSnapshots() {
    }

    /** Fills an empty index from the newest usable snapshot; returns the index it reflects, or -1 when there is none. */
    static long restore(final BackendSpace space, final String name, final TupleIndex index) {
        final SnapshotStore.Snapshot s = ViewSnapshots.newest(space, PREFIX + name);
        if (s == null) {
            return -1;
        }
        try {
            index.restore(s.data());
        } catch (IllegalArgumentException e) {
            throw new CorruptSpaceException(space.snapshots().location(), "the snapshot of tuple space '" + name + "' at journal index " + s.index()
                    + " cannot be read: " + e.getMessage());
        }
        return s.index();
    }

    /**
     * Writes a snapshot of tuple space {@code name} as of the journal's end now (its newest snapshot, then the records
     * after it); returns the journal index it reflects, or -1 when the journal is empty.
     */
    public static long write(final BackendSpace space, final String name) {
        final TupleIndex index = new TupleIndex();
        final TupleRecordReader reader = new TupleRecordReader(space.log(), name.getBytes(StandardCharsets.UTF_8));
        final long after = restore(space, name, index);
        try (Projection p = new Projection(space.log(), "snapshot of tuple space '" + name + "'", r -> {
            final int code = reader.read(r);
            if (code != TupleRecordReader.NOT_OURS) {
                index.apply(code, reader, Clock.nanos());
            }
        }, Long.MAX_VALUE, false, Projection.CATCH_UP_TIMEOUT_NANOS).readingOnly(TupleRecordReader.OPS)) {
            if (after >= 0) {
                p.startAfter(after);
            }
            p.drainAll();
            final long at = p.position();
            if (at < 0) {
                return -1;
            }
            index.sweep(Clock.nanos()); // tuples whose lease ended long ago are forgotten, as every handle does
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 96 * index.size());
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                index.snapshotTo(out);
            } catch (IOException e) {
                throw new IllegalStateException(e); // in memory: cannot happen
            }
            final byte[] data = bytes.toByteArray();
            space.snapshots().write(PREFIX + name, at, data, 0, data.length);
            return at;
        }
    }
}
