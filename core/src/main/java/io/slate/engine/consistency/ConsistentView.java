package io.slate.engine.consistency;

import io.slate.consistency.Consistency;
import io.slate.shm.ChronicleKeyValue;
import io.slate.shm.ChronicleSpace;
import io.slate.consistency.KeyValueView;
import io.slate.journal.JournalRecord;
import io.slate.journal.RecordHandler;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.space.Space;

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

    private final ChronicleSpace space;
    private final ChronicleKeyValue kv;
    private final Consistency consistency;
    private final Tailer tailer;
    private final Map<String, Entry> view = new HashMap<>();
    private final RecordHandler apply = this::apply;
    private long token = -1;

    private ConsistentView(final ChronicleSpace space, final Consistency consistency) {
        this.space = space;
        this.kv = space.chronicleKv();
        this.consistency = consistency;
        this.tailer = consistency == Consistency.STRONG ? null : space.journal().tailerFromStart();
    }

    public static KeyValueView open(final Space space, final Consistency consistency) {
        if (!(space instanceof ChronicleSpace)) {
            throw new IllegalArgumentException("consistent views need a space of this backend, got " + space.getClass().getName());
        }
        if (consistency == null) {
            throw new IllegalArgumentException("consistency must not be null");
        }
        return new ConsistentView((ChronicleSpace) space, consistency);
    }

    private void apply(final JournalRecord r) {
        if (!r.op().isKeyValue()) {
            return;
        }
        // REVERTed records are rare (a full map); the reverting record restores the state, applied below
        final String key = r.key().toString();
        if (r.removed()) {
            view.remove(key);
        } else {
            view.put(key, r.toEntry());
        }
    }

    private void applyRevert(final JournalRecord r) {
        final String key = r.key().toString();
        if (r.removed() || r.version() == KeyValue.ABSENT) {
            view.remove(key);
        } else {
            view.put(key, new Entry(key, r.valueCopy(), r.version(), r.agent().toString(), r.timestampNanos(), -1, false));
        }
    }

    private final RecordHandler applyAll = r -> {
        if (r.op() == io.slate.journal.Op.REVERT) {
            applyRevert(r);
        } else {
            apply.onRecord(r);
        }
    };

    /** Applies journal records until the view has reached {@code index}. */
    private void catchUpTo(final long index) {
        if (tailer.lastIndex() >= index) {
            return;
        }
        final long deadline = System.nanoTime() + CATCH_UP_TIMEOUT_NANOS;
        while (tailer.lastIndex() < index) {
            if (!tailer.poll(applyAll)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("causal read: the journal of " + space.directory() + " did not reach index " + index
                            + " within 10 s (view at " + tailer.lastIndex() + ")");
                }
                Thread.onSpinWait();
            }
        }
    }

    private void drain(final int limit) {
        for (int i = 0; i < limit && tailer.poll(applyAll); i++) {
            // apply what is there, no waiting
        }
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
            throw new IllegalArgumentException("session token " + other + " is beyond the end of the journal of " + space.directory()
                    + " (" + space.journal().lastIndex() + "): it comes from another space?");
        }
        token = Math.max(token, other);
    }

    @Override
    public long appliedIndex() {
        return tailer == null ? -1 : tailer.lastIndex();
    }

    @Override
    public void close() {
        if (tailer != null) {
            tailer.close();
        }
    }
}
