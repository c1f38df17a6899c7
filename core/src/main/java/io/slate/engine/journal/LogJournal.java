package io.slate.engine.journal;

import io.slate.idle.IdleStrategy;
import io.slate.internal.Utf8;
import io.slate.journal.Journal;
import io.slate.journal.Op;
import io.slate.journal.RecordHandler;
import io.slate.journal.Subscription;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.space.CorruptSpaceException;
import io.slate.space.Space;
import io.slate.spi.BackendSpace;
import io.slate.spi.KeyValueStore;
import io.slate.spi.NamedPosition;
import io.slate.spi.RecordLog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The public {@link Journal} over any backend's {@link RecordLog}: tailers (from the start, an index, the end, or
 * named), subscriptions, replay and verify. Thread-safe as a factory; the tailers it makes are single-threaded.
 */
public final class LogJournal implements Journal {
    private final BackendSpace space;
    private final RecordLog log;

    public LogJournal(final BackendSpace space) {
        this.space = space;
        this.log = space.log();
    }

    // ---------------------------------------------------------------- tailers

    @Override
    public Tailer tailerFromStart() {
        return newTailer(null).start();
    }

    @Override
    public Tailer tailerFromIndex(final long index) {
        return newTailer(null).from(index);
    }

    @Override
    public Tailer tailerFromEnd() {
        return newTailer(null).end();
    }

    @Override
    public Tailer namedTailer(final String name) {
        final NamedPosition position = log.namedPosition(name);
        final long last = position.get();
        if (position.lost()) {
            throw lost(position, last, log);
        }
        final LogTailer t = newTailer(position);
        try {
            return last == 0 ? t.start() : t.resumeAfter(last);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The error of a named tailer or watch whose unread records retention removed. */
    public static io.slate.space.SpaceException lost(final NamedPosition position, final long delivered, final RecordLog log) {
        return new io.slate.space.SpaceException(log.location(), "named tailer or watch '" + position.name() + "' lost journal records: it had delivered up to index "
                + delivered + " and retention removed the records after it (the first retained record is now " + log.firstIndex()
                + "): it fell more than twice the journal's retention budget behind. Delete the name to start again", null);
    }

    @Override
    public void deleteNamedTailer(final String name) {
        log.deleteNamedPosition(name);
    }

    private LogTailer newTailer(final NamedPosition position) {
        final LogTailer t = newUnregisteredTailer(position);
        space.register(t);
        return t;
    }

    /** A tailer the space does not close for its owner (a subscription closes its own, on its own thread). */
    private LogTailer newUnregisteredTailer(final NamedPosition position) {
        space.ensureOpen();
        return new LogTailer(this, log, position, space.options().idleStrategy().get());
    }

    void closed(final LogTailer t) {
        space.unregister(t);
    }

    @Override
    public long lastIndex() {
        space.ensureOpen();
        return log.lastIndex();
    }

    @Override
    public long firstIndex() {
        space.ensureOpen();
        return log.firstIndex();
    }

    // ---------------------------------------------------------------- subscriptions

    /** Longest a subscription's thread parks in one wait for records (on a backend that waits so), between checks of its end. */
    private static final long SUBSCRIPTION_WAIT_NANOS = 100_000_000L;

    @Override
    public Subscription subscribe(final String keyPrefix, final long afterIndex, final RecordHandler handler) {
        final String prefix = keyPrefix == null ? "" : keyPrefix;
        final IdleStrategy idle = space.options().idleStrategy().get();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong last = new AtomicLong(-1);
        final CompletableFuture<Void> positioned = new CompletableFuture<>();
        final RecordHandler filtered = r -> {
            if (Utf8.startsWith(r.key(), prefix)) {
                handler.onRecord(r);
            }
        };
        // tailers are confined to one thread: the subscription's thread creates, positions and reads it
        final Thread thread = io.slate.internal.ServiceThreads.newThread("slate-subscription-" + prefix, () -> {
            final LogTailer tailer;
            try {
                tailer = newUnregisteredTailer(null);
                if (afterIndex < 0) {
                    tailer.end();
                } else if (afterIndex == 0) {
                    tailer.start();
                } else {
                    tailer.resumeAfter(afterIndex);
                }
            } catch (RuntimeException e) {
                positioned.completeExceptionally(e);
                return;
            }
            positioned.complete(null);
            try {
                while (running.get()) {
                    final boolean read = tailer.poll(filtered);
                    if (read) {
                        last.set(tailer.lastIndex());
                    } else if (tailer.awaitArrival(SUBSCRIPTION_WAIT_NANOS)) {
                        continue; // etcd parked this thread until its watch delivered (or the wait's slice passed)
                    }
                    idle.idle(read ? 1 : 0);
                }
            } finally {
                tailer.close();
            }
        });
        final Subscription sub = new Subscription() {
            @Override
            public long lastIndex() {
                return last.get();
            }

            @Override
            public void close() {
                running.set(false);
                if (Thread.currentThread() != thread) {
                    try {
                        thread.join(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        thread.start();
        try {
            // return only once positioned, so "from the end" means after this call
            positioned.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            sub.close();
            throw new IllegalStateException("subscription to '" + prefix + "' could not start: " + e, e);
        }
        space.register(sub);
        return sub;
    }

    // ---------------------------------------------------------------- replay and verify

    /** Indices of records undone by a REVERT, up to {@code toIndex}. */
    private Set<Long> revertedIndices(final long toIndex, final Consumer<CorruptSpaceException> unreadable) {
        final Set<Long> reverted = new HashSet<>();
        readUpTo(toIndex, r -> {
            if (r.op() == Op.REVERT && r.index() <= toIndex) {
                reverted.add(r.revertedIndex());
            }
        }, unreadable);
        return reverted;
    }

    /**
     * Calls {@code handler} with every effective record (not reverted, not a REVERT) up to {@code toIndex}. A record
     * that cannot be read goes to {@code unreadable}, or, when that is {@code null}, ends the walk with its error.
     */
    private long forEachEffective(final long toIndex, final RecordHandler handler, final Consumer<CorruptSpaceException> unreadable) {
        final Set<Long> reverted = revertedIndices(toIndex, unreadable == null ? null : e -> { });
        final long[] count = {0};
        readUpTo(toIndex, r -> {
            if (r.index() <= toIndex && r.op().isKeyValue() && !reverted.contains(r.index())) {
                handler.onRecord(r);
                count[0]++;
            }
        }, unreadable);
        return count[0];
    }

    /** Reads from the start up to {@code toIndex}; unreadable records go to {@code unreadable} (null: thrown). */
    private void readUpTo(final long toIndex, final RecordHandler h, final Consumer<CorruptSpaceException> unreadable) {
        try (Tailer t = tailerFromStart()) {
            while (true) {
                try {
                    if (!t.poll(h)) {
                        return;
                    }
                } catch (CorruptSpaceException e) {
                    if (unreadable == null) {
                        throw e;
                    }
                    unreadable.accept(e); // the tailer has moved past it
                    continue;
                }
                if (t.lastIndex() >= toIndex) {
                    return;
                }
            }
        }
    }

    @Override
    public long replayInto(final Space target, final long toIndex) {
        if (!(target instanceof BackendSpace)) {
            throw new IllegalArgumentException("replay target must be a space opened by Space.open, got "
                    + (target == null ? "null" : target.getClass().getName()));
        }
        final BackendSpace t = (BackendSpace) target;
        if (t.address().equals(space.address())) {
            throw new IllegalArgumentException("cannot replay the space at " + space.address() + " into itself");
        }
        if (t.kv().size() != 0 || t.journal().lastIndex() >= 0) {
            throw new IllegalArgumentException("replay target " + t.address() + " is not empty: " + t.kv().size() + " keys, journal up to "
                    + t.journal().lastIndex());
        }
        if (!log.complete()) {
            throw new IllegalStateException("cannot replay the space at " + space.address() + " from the start: retention removed the journal's"
                    + " records before index " + log.firstIndex() + " (its budget, SpaceOptions.retainBytes/retainCycles; retired cycles are in the"
                    + " archive directory when one is configured)");
        }
        final KeyValueStore kv = t.store();
        return forEachEffective(toIndex, kv::applyReplayed, null);
    }

    @Override
    public VerifyReport verify() {
        space.ensureOpen();
        final long upTo = lastIndex();
        final Map<String, Entry> replayed = new HashMap<>();
        final List<String> mismatches = new ArrayList<>();
        final long[] mismatchTotal = {0};
        // a record that cannot be read is reported, and the replay goes on with the next
        final long records = upTo < 0 ? 0 : forEachEffective(upTo, r -> {
            final Entry e = r.toEntry();
            replayed.put(e.key(), e);
        }, e -> addMismatch(mismatches, mismatchTotal, e.getMessage()));
        final boolean complete = log.complete();
        final KeyValueStore kv = space.store();
        long checked = 0;
        for (Entry j : replayed.values()) {
            final Entry m = kv.getIncludingRemoved(j.key());
            checked++;
            if (m != null && m.journalIndex() > upTo) {
                continue; // written after the snapshot index: newer than what we replayed
            }
            if (m == null) {
                addMismatch(mismatches, mismatchTotal, "key '" + j.key() + "': journal has version " + j.version() + " (index " + j.journalIndex() + "), map has no entry");
            } else if (!sameState(m, j) || m.journalIndex() != j.journalIndex()) {
                addMismatch(mismatches, mismatchTotal, "key '" + j.key() + "': map has " + describe(m) + ", journal has " + describe(j));
            }
        }
        final List<Entry> later = new ArrayList<>();
        kv.forEachIncludingRemoved(m -> {
            if (m.journalIndex() > upTo) {
                later.add(m);
            } else if (complete && !replayed.containsKey(m.key())) {
                addMismatch(mismatches, mismatchTotal, "key '" + m.key() + "': map has " + describe(m) + ", journal has no record of it");
            }
        });
        // a map entry is written after its record is journaled, so every entry seen is at or before the journal's end
        // read after them: one beyond it names a record the journal lost (a cycle file deleted or emptied)
        final long end = lastIndex();
        for (Entry m : later) {
            if (m.journalIndex() > end) {
                addMismatch(mismatches, mismatchTotal, "key '" + m.key() + "': map has " + describe(m) + ", beyond the journal's last record "
                        + (end < 0 ? "(the journal is empty)" : "(index " + end + ")") + ": the journal lost that record");
            }
        }
        return new VerifyReport(records, checked, complete, mismatches, mismatchTotal[0]);
    }

    /** Same version, removal, writer, time and value (the journal index is compared separately). */
    public static boolean sameState(final Entry a, final Entry b) {
        return a.version() == b.version() && a.isRemoved() == b.isRemoved() && a.writer().equals(b.writer())
                && a.timestampNanos() == b.timestampNanos() && Arrays.equals(a.value(), b.value());
    }

    private static String describe(final Entry e) {
        return "version " + e.version() + (e.isRemoved() ? " (removed)" : " (" + e.value().length + " bytes)") + " by " + e.writer()
                + " at index " + e.journalIndex();
    }

    private static void addMismatch(final List<String> list, final long[] total, final String s) {
        total[0]++;
        if (list.size() < 100) {
            list.add(s);
        }
    }
}
