package io.slate.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the journal in index order from a position, then follows it: the Kubernetes list-then-watch pattern on the
 * record prefix.
 *
 * <ol>
 *   <li><b>List</b>: a linearizable range of {@code j/} with mod revision &ge; the next index, sorted by mod revision,
 *       a page at a time, until a page is short; that page's header revision H says everything up to H was seen.
 *       Records are live keys, so compaction (which drops old versions, not live keys) never hides them.</li>
 *   <li><b>Watch</b> {@code j/} from H + 1: every later record arrives as a PUT event in revision order.</li>
 *   <li>On any watch failure (compacted start, cancelled, stream lost for good), too large a backlog, or a watch that
 *       stays silent while a linearizable probe finds records past the position (a frozen member holding the
 *       stream), the watch is dropped and the tailer lists again from the next index.</li>
 * </ol>
 *
 * No gap and no duplicate: a record is accepted only if its index is at least the next expected one, and the
 * next expected index only moves past accepted records; listing and watching meet at H exactly.
 *
 * <p>Retention ({@link EtcdRetention}) deletes the oldest records and, in the same Txn, raises the trimmed-through
 * index T (the index of the last record it deleted). Every list reads T in one Txn with its page, so a list that
 * finds T at or past the next expected index knows that records this tailer never delivered are gone: it throws
 * {@link Trimmed} (every call again, it never skips them). The first list of a tailer positioned at the start (or
 * at an index retention removed already) starts after T instead: the first retained record.
 *
 * <p>Thread safety: single-threaded — one thread calls {@link #poll}; jetcd's watch thread only enqueues.
 */
final class JournalTailer implements AutoCloseable {
    static final int PAGE = 500;
    static final int MAX_BACKLOG = 10_000;
    static final long STALL_PROBE_MILLIS = 2_000;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    /** Accepted records in index order; an {@link EtcdFailure} stands for a record that is not a Slate record. */
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final LinkedBlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
    /** Index of the last record handed out by {@link #poll}. */
    private long position;
    /** The next index that may be accepted into {@link #ready}. */
    private long nextAccept;
    private Watch.Watcher watcher;
    private long generation;
    private long lastEventNanos;
    private long relists;
    /** Whether the first list may start after the trimmed-through index (a reader from the start or from an index). */
    private boolean fromRetainedStart;
    /** Told on jetcd's thread after each watch response, error or end was queued (a reader parked for it wakes); may be null. */
    private volatile Runnable onArrival;

    /** A tailer that delivers records with index &gt; {@code afterIndex} (0 = from the start). */
    JournalTailer(final EtcdConnection connection, final SpaceLayout layout, final long afterIndex) {
        this(connection, layout, afterIndex, false);
    }

    /**
     * A tailer that delivers records with index &gt; {@code afterIndex}; with {@code fromRetainedStart}, records
     * retention removed before its first list are not an error: it starts at the first retained record.
     */
    JournalTailer(final EtcdConnection connection, final SpaceLayout layout, final long afterIndex, final boolean fromRetainedStart) {
        this.connection = connection;
        this.layout = layout;
        this.position = afterIndex;
        this.nextAccept = afterIndex + 1;
        this.fromRetainedStart = fromRetainedStart;
    }

    /**
     * Records this tailer had not delivered were removed by retention: it had handled everything up to {@link
     * #position} and the journal is trimmed through {@link #trimmedThrough} (at or past the next index it needed).
     */
    static final class Trimmed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long position;
        final long trimmedThrough;

        Trimmed(final long position, final long trimmedThrough) {
            super("retention removed records this reader had not read: it had read up to index " + position
                    + " and the journal is trimmed through index " + trimmedThrough, null, false, false);
            this.position = position;
            this.trimmedThrough = trimmedThrough;
        }
    }

    /**
     * One page of records with mod revision &ge; {@code from} and the trimmed-through index, read together (one
     * linearizable Txn). {@code oneAttempt}: a single request bounded by the request timeout, else retried.
     */
    private Page page(final long from, final boolean oneAttempt) {
        final GetOption option = pageOption(from);
        final String what = "journal read of space '" + layout.space() + "' from index " + from;
        final TxnResponse t = oneAttempt
                ? connection.await(txn(option), connection.options().requestTimeoutMillis, what)
                : connection.read(() -> txn(option), what);
        final long trimmed = EtcdRetention.parseIndex(t.getGetResponses().get(0), layout);
        return new Page(t.getGetResponses().get(1), trimmed, t.getHeader().getRevision());
    }

    private static GetOption pageOption(final long from) {
        return GetOption.builder().isPrefix(true)
                .withMinModRevision(from).withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.ASCEND)
                .withLimit(PAGE).build();
    }

    private java.util.concurrent.CompletableFuture<TxnResponse> txn(final GetOption option) {
        return connection.kv().txn().Then(Op.get(layout.trimmedKey(), GetOption.DEFAULT), Op.get(layout.journalPrefix(), option)).commit();
    }

    /** A page of records, the trimmed-through index and the revision they were read at. */
    private static final class Page {
        final GetResponse records;
        final long trimmed;
        final long revision;

        Page(final GetResponse records, final long trimmed, final long revision) {
            this.records = records;
            this.trimmed = trimmed;
            this.revision = revision;
        }
    }

    /**
     * A linearizable list of the journal made by one tailer, for the other readers of the same space handle: every
     * record with index &ge; {@link #from} that existed when the list was read (none removed by retention, the page
     * not full), and when its request was sent. Immutable.
     */
    static final class Check {
        final long sentNanos;
        final long from;
        final java.util.List<KeyValue> records;

        Check(final long sentNanos, final long from, final java.util.List<KeyValue> records) {
            this.sentNanos = sentNanos;
            this.from = from;
            this.records = records;
        }
    }

    /** The last complete check this tailer made in a call ({@link #pollNow}{@code (true)}), until taken. */
    private Check madeCheck;

    /** The last complete check this tailer made since the last call, or null: to share with the handle's other readers. */
    Check takeCheck() {
        final Check c = madeCheck;
        madeCheck = null;
        return c;
    }

    /**
     * Takes the records of another tailer's check: when this tailer follows its watch and needs nothing before the
     * check's start ({@code from} &le; the next index), the check listed every record this tailer could still be
     * missing up to when it was read, so after taking them (in index order; those seen already are skipped, and the
     * watch's later delivery of the others is dropped as seen) a null answer covers everything committed before the
     * check was sent, as if this tailer had made it. False when it cannot serve this tailer.
     */
    boolean offer(final Check c) {
        if (watcher == null || c.from > nextAccept) {
            return false;
        }
        for (final KeyValue kv : c.records) {
            accept(kv);
        }
        return true;
    }

    /** Runs {@code r} on jetcd's thread after every watch response, error or end is queued for {@link #poll}. */
    JournalTailer onArrival(final Runnable r) {
        onArrival = r;
        return this;
    }

    private void arrived() {
        final Runnable r = onArrival;
        if (r != null) {
            r.run();
        }
    }

    /** Index of the last record delivered (or the start position). */
    long position() {
        return position;
    }

    /** How often the tailer fell back to listing after a watch failure (0 when it never had to). */
    long relists() {
        return relists;
    }

    /**
     * The next record, or null when none arrived within {@code timeoutMillis}.
     *
     * @throws EtcdFailure for a record under the journal prefix that is not a Slate record, naming its index; the
     *                     tailer has moved past it
     */
    EtcdRecord poll(final long timeoutMillis) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            final Object next = ready.poll();
            if (next instanceof EtcdFailure) {
                throw (EtcdFailure) next; // the position moved past it: the next poll reads on
            }
            if (next != null) {
                final EtcdRecord r = (EtcdRecord) next;
                position = r.index;
                return r;
            }
            if (watcher == null) {
                listPage();
                continue;
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            final Object[] e;
            try {
                e = events.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(STALL_PROBE_MILLIS)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (e == null) {
                if (System.nanoTime() - lastEventNanos >= TimeUnit.MILLISECONDS.toNanos(STALL_PROBE_MILLIS)) {
                    lastEventNanos = System.nanoTime();
                    if (recordsPast(nextAccept)) {
                        relist();
                    }
                }
                continue;
            }
            if ((Long) e[0] != generation) {
                continue; // from a watcher we dropped
            }
            lastEventNanos = System.nanoTime();
            if (e[1] instanceof Throwable || e[1] == null) {
                relist();
                continue;
            }
            for (final WatchEvent ev : ((WatchResponse) e[1]).getEvents()) {
                if (ev.getEventType() == WatchEvent.EventType.PUT) {
                    accept(ev.getKeyValue());
                }
            }
            if (events.size() > MAX_BACKLOG) {
                relist();
            }
        }
    }

    /**
     * The next record without waiting, or null when there is none. With {@code sync}, a null answer means that no
     * record past the position existed at a linearizable read made by this call (a list from the next index):
     * a record another agent committed before this call started is returned, not left to the watch to deliver.
     * Without it, only what the watch has delivered already is looked at.
     *
     * @throws EtcdFailure for a record that is not a Slate record (the tailer moved past it), or when a sync's list
     *                     is not answered within one request timeout (then what the watch delivered is still there)
     */
    EtcdRecord pollNow(final boolean sync) {
        EtcdRecord r = takeReady();
        if (r != null) {
            return r;
        }
        if (watcher == null) {
            listPage(true);
            return takeReady();
        }
        Object[] e;
        while ((e = events.poll()) != null) {
            handle(e);
        }
        r = takeReady();
        if (r != null || !sync) {
            return r;
        }
        if (watcher == null) { // an event made it relist
            listPage(true);
            return takeReady();
        }
        syncList();
        return takeReady();
    }

    /**
     * The next record the watch delivers within {@code timeoutNanos} (or delivered already), asking the cluster
     * nothing; null when none arrived in time. For a record known to exist (this handle committed it): the watch
     * delivers it about when the commit's answer arrives, so waiting for it costs no request, where a list would.
     * Without a watch (before the first list, or after a failure) it lists once instead.
     */
    EtcdRecord awaitDelivered(final long timeoutNanos) {
        EtcdRecord r = pollDelivered();
        if (r != null) {
            return r;
        }
        if (watcher == null) {
            listPage(true);
            return takeReady();
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            final Object[] e;
            try {
                e = events.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (e == null) {
                return null;
            }
            handle(e);
            r = takeReady();
            if (r != null) {
                return r;
            }
            if (watcher == null) { // the event made it relist
                listPage(true);
                return takeReady();
            }
        }
    }

    /**
     * A check's request: a linearizable list of the records from index {@code from} on (a page) with the trimmed-through
     * index, not waited for. The space handle's readers share one ({@link EtcdLog}), each taking its records by {@link
     * #offer}; {@link #check} makes the answer one.
     */
    static java.util.concurrent.CompletableFuture<TxnResponse> checkRequest(final EtcdConnection connection, final SpaceLayout layout,
                                                                            final long from) {
        return connection.kv().txn().Then(Op.get(layout.trimmedKey(), GetOption.DEFAULT), Op.get(layout.journalPrefix(), pageOption(from)))
                .commit();
    }

    /**
     * The check a {@link #checkRequest} answered, or null when it cannot stand for a check: retention removed records at
     * or past {@code from} (the watch still delivers their puts, or fails and the relist says what was lost), or the
     * page is full (the list did not reach the end).
     */
    static Check check(final TxnResponse t, final SpaceLayout layout, final long from, final long sentNanos) {
        final long trimmed = EtcdRetention.parseIndex(t.getGetResponses().get(0), layout);
        final java.util.List<KeyValue> kvs = t.getGetResponses().get(1).getKvs();
        return trimmed >= from || kvs.size() >= PAGE ? null : new Check(sentNanos, from, kvs);
    }

    /** The next index this tailer may accept: a check from there or before serves it. */
    long nextIndex() {
        return nextAccept;
    }

    /** The next record the list or the watch delivered already, without asking the cluster anything; null when none. */
    EtcdRecord pollDelivered() {
        final EtcdRecord r = takeReady();
        if (r != null || watcher == null) {
            return r;
        }
        Object[] e;
        while ((e = events.poll()) != null) {
            handle(e);
        }
        return takeReady();
    }

    private EtcdRecord takeReady() {
        final Object next = ready.poll();
        if (next instanceof EtcdFailure) {
            throw (EtcdFailure) next;
        }
        if (next != null) {
            final EtcdRecord r = (EtcdRecord) next;
            position = r.index;
            return r;
        }
        return null;
    }

    private void handle(final Object[] e) {
        if ((Long) e[0] != generation) {
            return; // from a watcher we dropped
        }
        lastEventNanos = System.nanoTime();
        if (e[1] instanceof Throwable || e[1] == null) {
            relist();
            return;
        }
        for (final WatchEvent ev : ((WatchResponse) e[1]).getEvents()) {
            if (ev.getEventType() == WatchEvent.EventType.PUT) {
                accept(ev.getKeyValue());
            }
        }
        if (events.size() > MAX_BACKLOG) {
            relist();
        }
    }

    /**
     * Lists (linearizably) the records from the next index while the watch stays open: what the list returns is
     * accepted now, and the watch's later delivery of the same records is dropped as already seen.
     */
    private void syncList() {
        boolean first = true;
        while (true) {
            final long from = nextAccept;
            final long sent = System.nanoTime();
            // one attempt: a sync that cannot be answered (no quorum) is the caller's to handle, not to wait out
            final Page p = page(from, true);
            if (p.trimmed >= from) {
                // retention removed records the watch has not delivered yet: the watch still delivers their puts
                // (or fails, when compacted, and the relist says what was lost); the list cannot stand in for it
                return;
            }
            final GetResponse page = p.records;
            for (final KeyValue kv : page.getKvs()) {
                accept(kv);
            }
            if (page.getKvs().size() < PAGE) {
                if (first) { // one list covered all: the handle's other readers may use it
                    madeCheck = new Check(sent, from, page.getKvs());
                }
                return;
            }
            first = false;
        }
    }

    private void accept(final KeyValue kv) {
        final long index = kv.getModRevision();
        if (index < nextAccept) {
            return; // seen already (a replay after a reconnect)
        }
        nextAccept = index + 1;
        try {
            ready.add(EtcdRecord.decode(index, layout.requestId(kv.getKey()), kv.getValue().getBytes()));
        } catch (EtcdFailure e) {
            ready.add(new EtcdFailure(e.kind(), "journal of space '" + layout.space() + "': " + e.getMessage(), true));
        }
    }

    private void listPage() {
        listPage(false);
    }

    /** One page of the list; {@code oneAttempt}: a single request (bounded by the request timeout), else retried. */
    private void listPage(final boolean oneAttempt) {
        final long from = nextAccept;
        final Page p = page(from, oneAttempt);
        if (p.trimmed >= from) {
            if (!fromRetainedStart) {
                throw new Trimmed(position, p.trimmed);
            }
            // positioned at the start, or at an index retention removed: the first retained record comes next
            position = Math.max(position, p.trimmed);
            nextAccept = p.trimmed + 1;
        }
        fromRetainedStart = false;
        final GetResponse page = p.records;
        for (final KeyValue kv : page.getKvs()) {
            accept(kv);
        }
        if (page.getKvs().size() < PAGE) {
            final long seen = p.revision;
            nextAccept = Math.max(nextAccept, seen + 1);
            openWatch(seen + 1);
        }
    }

    private void openWatch(final long fromRevision) {
        final long gen = ++generation;
        lastEventNanos = System.nanoTime();
        watcher = connection.client().getWatchClient().watch(layout.journalPrefix(),
                WatchOption.builder().isPrefix(true).withRevision(fromRevision).withRequireLeader(true).build(),
                new Watch.Listener() {
                    @Override
                    public void onNext(final WatchResponse response) {
                        events.add(new Object[] {gen, response});
                        arrived();
                    }

                    @Override
                    public void onError(final Throwable t) {
                        events.add(new Object[] {gen, t});
                        arrived();
                    }

                    @Override
                    public void onCompleted() {
                        events.add(new Object[] {gen, null});
                        arrived();
                    }
                });
    }

    private void relist() {
        relists++;
        closeWatch();
        events.clear();
    }

    /** Whether a record with index &ge; {@code from} exists (linearizable). */
    private boolean recordsPast(final long from) {
        try {
            final GetResponse r = connection.get(layout.journalPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true)
                    .withMinModRevision(from).withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.ASCEND)
                    .withLimit(1).build(), "journal probe of space '" + layout.space() + "'");
            return !r.getKvs().isEmpty();
        } catch (EtcdFailure e) {
            return false; // cannot tell now; the next probe will
        }
    }

    private void closeWatch() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
            generation++;
        }
    }

    @Override
    public void close() {
        closeWatch();
        events.clear();
        ready.clear();
    }
}
