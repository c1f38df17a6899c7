package io.slate.engine.consistency;

import io.slate.consistency.Consistency;
import io.slate.consistency.KeyValueView;
import io.slate.journal.JournalRecord;
import io.slate.journal.RecordHandler;
import io.slate.journal.Op;
import io.slate.engine.Projection;
import io.slate.engine.journal.RecordView;
import io.slate.spi.LogRecord;
import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.spi.BackendSpace;
import io.slate.spi.KeyValueStore;

import java.util.HashMap;
import java.util.Map;

/**
 * The three consistency modes over one space. STRONG reads the shared map. CAUSAL and EVENTUAL keep a local
 * materialized view (key → entry) fed by a tailer of the journal from its start; CAUSAL reads first catch the
 * view up to the session token, EVENTUAL reads only drain what is already there.
 *
 * <p>Single-threaded (owns a tailer).
 */
public final class ConsistentView implements KeyValueView {
    /** CAUSAL reads wait at most this long for the view to reach the token (only a crashed writer can make it wait). */
    private static final long CATCH_UP_TIMEOUT_NANOS = 10_000_000_000L;
    /** EVENTUAL reads apply at most this many pending records before answering. */
    private static final int EVENTUAL_DRAIN_LIMIT = 4096;

    private final BackendSpace space;
    private final KeyValueStore kv;
    private final Consistency consistency;
    /** The local view's feed (CAUSAL, EVENTUAL); null for STRONG. */
    private final Projection tailer;
    private final RecordView decoded = new RecordView();
    private final Map<String, Entry> view = new HashMap<>();
    private final RecordHandler apply = this::apply;
    private long token = -1;

    private ConsistentView(final BackendSpace space, final Consistency consistency) {
        this.space = space;
        this.kv = space.store();
        this.consistency = consistency;
        this.tailer = consistency == Consistency.STRONG ? null
                : new Projection(space.log(), "causal read", this::applyRaw, Long.MAX_VALUE, false, CATCH_UP_TIMEOUT_NANOS)
                        .readingOnly(io.slate.spi.RecordCursor.opsMask(Op.PUT, Op.REMOVE, Op.REVERT));
        if (tailer != null) {
            startFromMap();
        }
    }

    /**
     * Starts the local view from the map itself rather than from the journal's start (which retention may have
     * removed): notes the journal's last index L, copies every entry (each carries the index of its record), and tails
     * from L + 1, applying a record only when it is newer than the entry copied for its key. A write committed at or
     * before L is in the map when it is copied: its writer holds the key's segment lock from before its append until
     * the map is updated, and the copy reads each segment under that lock.
     */
    private void startFromMap() {
        final long last = space.log().lastIndex();
        kv.forEachIncludingRemoved(e -> {
            if (e.journalIndex() > last) {
                copiedAfter.put(e.key(), e.journalIndex());
            }
            if (!e.isRemoved()) {
                view.put(e.key(), e);
            }
        });
        if (last >= 0) {
            tailer.startAfter(last);
        }
    }

    /** Keys whose copied entry is newer than where the tail starts, with its index: older records of them are skipped. */
    private final Map<String, Long> copiedAfter = new HashMap<>();

    /** True when the record at {@code index} for {@code key} is older than the entry already copied from the map. */
    private boolean superseded(final String key, final long index) {
        if (copiedAfter.isEmpty()) {
            return false;
        }
        final Long copied = copiedAfter.get(key);
        return copied != null && copied >= index;
    }

    public static KeyValueView open(final Space space, final Consistency consistency) {
        final BackendSpace s = BackendSpace.of(space, "consistent views");
        if (consistency == null) {
            throw new IllegalArgumentException("consistency must not be null");
        }
        return new ConsistentView(s, consistency);
    }

    private void apply(final JournalRecord r) {
        if (!r.op().isKeyValue()) {
            return;
        }
        // REVERTed records are rare (a full map); the reverting record restores the state, applied below
        final String key = r.key().toString();
        if (superseded(key, r.index())) {
            return;
        }
        if (r.removed()) {
            view.remove(key);
        } else {
            view.put(key, r.toEntry());
        }
    }

    private void applyRevert(final JournalRecord r) {
        final String key = r.key().toString();
        if (superseded(key, r.index())) {
            return;
        }
        if (r.removed() || r.version() == KeyValue.ABSENT) {
            view.remove(key);
        } else {
            view.put(key, new Entry(key, r.valueCopy(), r.version(), r.agent().toString(), r.timestampNanos(), -1, false));
        }
    }

    /** Decodes only the key/value records (and reverts); every other record is skipped as it is. */
    private void applyRaw(final LogRecord raw) {
        final Op op = raw.op();
        if (op == null || !(op.isKeyValue() || op == Op.REVERT)) {
            return;
        }
        final String problem = decoded.read(raw);
        if (problem != null) {
            throw space.log().foreignRecord(raw.index(), problem);
        }
        if (op == Op.REVERT) {
            applyRevert(decoded);
        } else {
            apply.onRecord(decoded);
        }
    }

    /** Applies journal records until the view has reached {@code index}. */
    private void catchUpTo(final long index) {
        tailer.catchUpTo(index);
    }

    private void drain(final int limit) {
        tailer.drain(limit);
    }

    @Override
    public Consistency consistency() {
        return consistency;
    }

    @Override
    public Entry get(final CharSequence key) {
        switch (consistency) {
            case STRONG: {
                final Entry e = kv.get(key);
                if (e != null) {
                    token = Math.max(token, e.journalIndex());
                }
                return e;
            }
            case CAUSAL: {
                catchUpTo(token);
                drain(EVENTUAL_DRAIN_LIMIT);
                final Entry e = view.get(key.toString());
                if (e != null) {
                    token = Math.max(token, e.journalIndex());
                }
                return e;
            }
            default:
                drain(EVENTUAL_DRAIN_LIMIT);
                return view.get(key.toString());
        }
    }

    private long afterWrite(final long version) {
        if (version > 0) {
            token = Math.max(token, kv.lastWriteIndex());
        }
        return version;
    }

    @Override
    public long put(final CharSequence key, final byte[] value) {
        return afterWrite(kv.put(key, value));
    }

    @Override
    public long compareAndSet(final CharSequence key, final long expectedVersion, final byte[] value) {
        return afterWrite(kv.compareAndSet(key, expectedVersion, value));
    }

    @Override
    public long remove(final CharSequence key) {
        return afterWrite(kv.remove(key));
    }

    @Override
    public long sessionToken() {
        return token;
    }

    @Override
    public void observe(final long other) {
        if (other > space.journal().lastIndex()) {
            throw new IllegalArgumentException("session token " + other + " is beyond the end of the journal of " + space.address()
                    + " (" + space.journal().lastIndex() + "): it comes from another space?");
        }
        token = Math.max(token, other);
    }

    @Override
    public long appliedIndex() {
        return tailer == null ? -1 : tailer.position();
    }

    @Override
    public void close() {
        if (tailer != null) {
            tailer.close();
        }
    }
}
