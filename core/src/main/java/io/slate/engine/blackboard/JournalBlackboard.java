package io.slate.engine.blackboard;

import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.blackboard.BlackboardSnapshot;
import io.slate.spi.BackendSpace;
import io.slate.engine.blackboard.BlackboardRecords.ChangeSpec;
import io.slate.journal.Op;
import io.slate.space.Space;

import java.util.HashSet;
import java.util.List;

/**
 * A blackboard handle: appends this blackboard's records through the space's journal and reads a local
 * {@link BoardState} fed from the journal (caught up before every read, and after every write up to the written
 * record, whose outcome it then reads). Single-threaded.
 */
public final class JournalBlackboard implements Blackboard {
    private final BackendSpace space;
    private final String name;
    private final BoardState state;
    private final JournalFeed feed;
    private final BlackboardRecords.Writer writer = new BlackboardRecords.Writer();
    private boolean closed;

    private JournalBlackboard(final BackendSpace space, final String name) {
        this.space = space;
        this.name = name;
        this.state = new BoardState(name, null);
        this.feed = new JournalFeed(space, name, state, Long.MAX_VALUE);
    }

    static BackendSpace chronicle(final Space space) {
        if (space == null) {
            throw new IllegalArgumentException("space must not be null");
        }
        final BackendSpace s = BackendSpace.of(space, "blackboards");
        s.ensureOpen();
        return s;
    }

    /** Checks a blackboard's name: a level-like name that also fits the space's keys (it is the journal records' key). */
    static String checkName(final BackendSpace space, final String name) {
        Names.check(name, "blackboard name", Math.min(MAX_NAME_BYTES, space.options().maxKeyBytes()));
        return name;
    }

    /** Opens (and with {@code levels}, defines if needed) a blackboard. */
    public static Blackboard open(final Space space, final String name, final List<String> levels) {
        final BackendSpace s = chronicle(space);
        checkName(s, name);
        if (levels != null) {
            checkLevels(name, levels);
        }
        final JournalBlackboard bb = new JournalBlackboard(s, name);
        try {
            final long after = BoardSnapshots.restore(s, name, bb.state);
            if (after >= 0) {
                bb.feed.startAfter(after);
            }
            bb.feed.drainAll();
            if (levels != null && !bb.state.isDefined()) {
                BlackboardRecords.encodeDefine(bb.writer, levels);
                bb.append(Op.BB_DEFINE, levels.size());
            }
            if (!bb.state.isDefined()) {
                throw new IllegalStateException("blackboard '" + name + "' is not defined in the space at " + s.address()
                        + ": open it with its levels, Blackboard.of(space, name, levels...), to define it");
            }
            if (levels != null && !bb.state.levels().equals(levels)) {
                throw new IllegalArgumentException("blackboard '" + name + "' in the space at " + s.address() + " has levels "
                        + bb.state.levels() + ", not " + levels);
            }
            return bb;
        } catch (RuntimeException | Error e) {
            bb.close();
            throw e;
        }
    }

    private static void checkLevels(final String name, final List<String> levels) {
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("blackboard '" + name + "': give at least one level");
        }
        if (levels.size() > MAX_LEVELS) {
            throw new IllegalArgumentException("blackboard '" + name + "' may have at most " + MAX_LEVELS + " levels, got " + levels.size());
        }
        final HashSet<String> seen = new HashSet<>();
        for (String l : levels) {
            Names.check(l, "level name", MAX_NAME_BYTES);
            if (!seen.add(l)) {
                throw new IllegalArgumentException("blackboard '" + name + "': level '" + l + "' is given twice");
            }
        }
    }

    /** Time travel: a fresh state fed with the journal up to {@code toIndex}. */
    public static BlackboardSnapshot replay(final Space space, final String name, final long toIndex) {
        final BackendSpace s = chronicle(space);
        checkName(s, name);
        if (toIndex < 0) {
            throw new IllegalArgumentException("replay index must be >= 0, got " + toIndex);
        }
        final BoardState st = new BoardState(name, null);
        try (JournalFeed f = new JournalFeed(s, name, st, toIndex)) {
            if (!s.log().complete()) {
                // retention removed the start of the journal: replay from the newest snapshot at or before toIndex
                final io.slate.spi.SnapshotStore.Snapshot snap = io.slate.engine.ViewSnapshots.newest(s, BoardSnapshots.PREFIX + name);
                final long first = s.log().firstIndex();
                if (snap == null || snap.index() > toIndex) {
                    throw new IllegalArgumentException("blackboard '" + name + "': cannot replay to index " + toIndex + " in " + s.address()
                            + ": retention removed the journal before index " + first + (snap == null ? "" : " and the oldest snapshot kept reflects index "
                            + snap.index()) + "; replay to an index at or after " + (snap == null ? first : snap.index()));
                }
                BoardSnapshots.restore(s, name, st, snap);
                f.startAfter(snap.index());
            }
            f.drainAll();
        }
        if (!st.isDefined()) {
            throw new IllegalArgumentException("blackboard '" + name + "' is not defined in the journal of " + s.address()
                    + (toIndex == Long.MAX_VALUE ? "" : " at or before index " + toIndex));
        }
        return st.snapshot();
    }

    /** Appends the writer's contents as a record of this blackboard and applies the journal up to it. */
    private long append(final Op op, final long version) {
        if (writer.length() > BlackboardRecords.MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("blackboard '" + name + "': a " + op.label() + " record of " + writer.length()
                    + " bytes exceeds the limit of " + BlackboardRecords.MAX_RECORD_BYTES);
        }
        final long index = space.log().append(op, 0, version, name, writer.buffer(), 0, writer.length());
        state.watch(index);
        feed.catchUpTo(index);
        if (!state.watchedSeen()) {
            throw new IllegalStateException("blackboard '" + name + "': the record written at index " + index + " was not read back");
        }
        return index;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("blackboard '" + name + "' handle is closed");
        }
        space.ensureOpen();
    }

    private long write(final ChangeSpec change) {
        ensureOpen();
        BlackboardRecords.encodeWrite(writer, List.of(change));
        append(Op.BB_WRITE, 1);
        return state.watchedResult();
    }

    static Attributes checkAttributes(final Attributes attributes) {
        if (attributes == null) {
            throw new IllegalArgumentException("attributes must not be null (use Attributes.empty())");
        }
        return attributes;
    }

    @Override
    public long post(final String level, final Attributes attributes, final double confidence) {
        ensureOpen();
        final int ordinal = state.levelOrdinal(level);
        return write(ChangeSpec.post(ordinal, checkAttributes(attributes), BlackboardRecords.checkConfidence(confidence)));
    }

    @Override
    public long update(final long entryId, final Attributes attributes, final double confidence) {
        return update(entryId, -1, attributes, confidence);
    }

    @Override
    public long update(final long entryId, final long expectedVersion, final Attributes attributes, final double confidence) {
        BlackboardRecords.checkTarget(entryId, expectedVersion);
        return write(ChangeSpec.update(entryId, expectedVersion, checkAttributes(attributes), BlackboardRecords.checkConfidence(confidence)));
    }

    @Override
    public long retract(final long entryId) {
        return retract(entryId, -1);
    }

    @Override
    public long retract(final long entryId, final long expectedVersion) {
        BlackboardRecords.checkTarget(entryId, expectedVersion);
        return write(ChangeSpec.retract(entryId, expectedVersion));
    }

    /** Applies what has arrived, then answers from the view. */
    private BoardState read() {
        ensureOpen();
        feed.drainAll();
        return state;
    }

    @Override
    public BlackboardSnapshot snapshot() {
        return read().snapshot();
    }

    @Override
    public Space space() {
        return space;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> levels() {
        return state.levels();
    }

    @Override
    public List<BlackboardEntry> entries(final String level) {
        return read().entries(level);
    }

    @Override
    public BlackboardEntry entry(final long id) {
        return read().entry(id);
    }

    @Override
    public long lastIndex() {
        return read().lastIndex();
    }

    @Override
    public long lastChangeNumber() {
        return read().lastChangeNumber();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        feed.close();
    }

    @Override
    public String toString() {
        return "Blackboard{" + name + " in " + space.address() + ", levels=" + state.levels() + '}';
    }
}
