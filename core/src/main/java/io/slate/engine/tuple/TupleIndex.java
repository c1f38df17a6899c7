package io.slate.engine.tuple;

import io.slate.journal.Op;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;
import java.util.HashMap;

import static io.slate.engine.tuple.TupleRecordDescriptor.END_TAKE_INDEX_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.END_TUPLE_ID_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAGS_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAG_FINAL;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TTL_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_PID_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_SLOT_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_START_TICKS_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_TUPLE_ID_OFFSET;

/**
 * One process's view of a tuple space: the state machine that every handle runs over the same journal records in the
 * same order, so all views agree (see {@code docs/tuples.md}, "Rules"). Its state is a function of the records alone
 * (their order, contents and timestamps): never of a local clock or a liveness check, except that a tuple whose lease
 * ended more than {@link #EXPIRY_GRACE_NANOS} ago is forgotten locally (it is unavailable to everyone by then).
 *
 * <p>Rules, applied in journal order:
 * <ul>
 *   <li>OUT at index i: tuple i is available until its lease ends (record time + time to live).</li>
 *   <li>TAKE t of tuple i is valid when i is available and the take's record time is before the lease's end; a final
 *       take removes i, another one makes it pending, owned by take t. Any other take is void.</li>
 *   <li>ACK naming take t removes i when i is pending under t; else void.</li>
 *   <li>RETURN naming take t makes i available again (or removes it if its lease ended) when i is pending under t;
 *       else void.</li>
 * </ul>
 *
 * <p>Matching never scans the whole space: tuples are listed, in id order, per arity, per (arity, type of the first
 * field) and per (arity, value of the first field); a template with an actual first field looks at its value's list
 * only, a typed formal first at its type's list, a wildcard first at its arity's list. A removed tuple leaves a dead
 * slot in its lists, popped when it reaches a list's head or squeezed out when dead slots outnumber live ones, so the
 * cost of both is amortized O(1). Entries and their byte arrays are pooled, and a first-field list that empties is kept
 * for the next tuple of that shape (empty lists are dropped in bulk once they outnumber the others), so a steady flow
 * of {@code out} and {@code in} allocates nothing.
 *
 * <p>Single-threaded: its owner guards it with a lock.
 */
final class TupleIndex {
    /** How long after its lease ends a tuple is still kept (unavailable) before it is forgotten locally. */
    static final long EXPIRY_GRACE_NANOS = 1_000_000_000L;
    static final byte FREE = 0;
    static final byte AVAILABLE = 1;
    static final byte PENDING = 2;
    static final int OUTCOME_UNKNOWN = -1;
    private static final int MAX_POOLED = 1024;
    /** Empty first-field lists kept at least before dropping them (see {@link #remove}). */
    private static final int MIN_EMPTY_LISTS_KEPT = 1024;
    private static final int MAX_ARITY = TupleCodec.MAX_FIELDS;

    /** One tuple the view knows: available, or pending under a take. */
    static final class Entry {
        long id = -1;
        long writtenAt;
        long expiresAt;
        byte[] data = new byte[64];
        int length;
        int arity;
        int firstTag;
        IdList valueList;
        byte state;
        long takeIndex;
        int takerSlot;
        long takerId;
        long takerIncarnation;
        Entry prevPending;
        Entry nextPending;
        Entry nextFree;
    }

    /** Ids in increasing order with their entries; dead slots are entries whose id moved on. */
    static final class IdList {
        long[] ids = new long[16];
        Entry[] refs = new Entry[16];
        int head;
        int tail;
        int dead;
        /** For a list of one first value: its key in the map. */
        final FieldKey key;

        IdList(final FieldKey key) {
            this.key = key;
        }

        int live() {
            return tail - head - dead;
        }

        void add(final Entry e) {
            if (tail == ids.length) {
                makeRoom();
            }
            ids[tail] = e.id;
            refs[tail] = e;
            tail++;
        }

        private void makeRoom() {
            squeeze();
            if (tail > ids.length * 3 / 4) {
                ids = Arrays.copyOf(ids, ids.length * 2);
                refs = Arrays.copyOf(refs, refs.length * 2);
            }
        }

        /** Moves the live slots to the front, in order. */
        void squeeze() {
            int w = 0;
            for (int r = head; r < tail; r++) {
                final Entry e = refs[r];
                if (e.id == ids[r]) {
                    ids[w] = ids[r];
                    refs[w] = e;
                    w++;
                }
            }
            Arrays.fill(refs, w, tail, null);
            head = 0;
            tail = w;
            dead = 0;
        }

        void clear() {
            if (tail - head > 64) {
                Arrays.fill(refs, head, tail, null); // let go of many entries; a few are overwritten as the list refills
            }
            head = 0;
            tail = 0;
            dead = 0;
        }
    }

    /** The key of a first-field list: arity and the first field's binary form. Mutable for allocation-free lookups. */
    static final class FieldKey {
        byte[] bytes;
        int off;
        int len;
        int arity;
        int hash;

        FieldKey set(final byte[] b, final int o, final int l, final int a) {
            bytes = b;
            off = o;
            len = l;
            arity = a;
            hash = TupleCodec.hash(b, o, l) * 31 + a;
            return this;
        }

        FieldKey copy() {
            return new FieldKey().set(Arrays.copyOfRange(bytes, off, off + len), 0, len, arity);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(final Object o) {
            if (!(o instanceof FieldKey)) {
                return false;
            }
            final FieldKey k = (FieldKey) o;
            return k.hash == hash && k.arity == arity && k.len == len && Arrays.equals(k.bytes, k.off, k.off + k.len, bytes, off, off + len);
        }
    }

    private final Long2ObjectHashMap<Entry> byId = new Long2ObjectHashMap<>();
    private final IdList[] byArity = new IdList[MAX_ARITY + 1];
    /** By arity and the first field's type code (1..5). */
    private final IdList[][] byType = new IdList[MAX_ARITY + 1][TupleCodec.BYTES + 1];
    private final HashMap<FieldKey, IdList> byFirst = new HashMap<>();
    private final FieldKey probe = new FieldKey();
    private final ExpiryHeap leases = new ExpiryHeap();
    /** First-field lists in {@link #byFirst} with no live tuple. */
    private int emptyValueLists;
    private Entry free;
    private int freeCount;
    Entry pendingHead;
    int pendingCount;
    /** Bumped whenever a tuple becomes available (written or returned). */
    long availableVersion;
    /** The entry the owner is taking, if any: a shortcut for applying its take. */
    Entry takeHint;
    /** The index of a record whose outcome the owner waits for, and that outcome (1 valid, 0 void). */
    long awaitIndex = -1;
    int awaitOutcome = OUTCOME_UNKNOWN;

    // ---------------------------------------------------------------- applying records

    /** Applies the record the reader just read (op {@code code}); {@code now} is the local clock, epoch nanoseconds. */
    void apply(final int code, final TupleRecordReader r, final long now) {
        final byte[] v = r.value();
        final long index = r.index();
        final boolean valid;
        if (code == Op.TUPLE_OUT.code()) {
            out(index, r.timestamp(), TupleCodec.getLong(v, OUT_TTL_OFFSET), v, OUT_TUPLE_OFFSET, r.valueLength() - OUT_TUPLE_OFFSET, now);
            valid = true;
        } else if (code == Op.TUPLE_TAKE.code()) {
            valid = take(index, r.timestamp(), TupleCodec.getLong(v, TAKE_TUPLE_ID_OFFSET), (v[FLAGS_OFFSET] & FLAG_FINAL) != 0,
                    TupleCodec.getInt(v, TAKE_SLOT_OFFSET), TupleCodec.getLong(v, TAKE_PID_OFFSET), TupleCodec.getLong(v, TAKE_START_TICKS_OFFSET));
        } else if (code == Op.TUPLE_ACK.code()) {
            valid = ack(TupleCodec.getLong(v, END_TUPLE_ID_OFFSET), TupleCodec.getLong(v, END_TAKE_INDEX_OFFSET));
        } else {
            valid = giveBack(r.timestamp(), TupleCodec.getLong(v, END_TUPLE_ID_OFFSET), TupleCodec.getLong(v, END_TAKE_INDEX_OFFSET));
        }
        if (index == awaitIndex) {
            awaitOutcome = valid ? 1 : 0;
        }
    }

    private void out(final long id, final long timestamp, final long ttl, final byte[] src, final int off, final int len, final long now) {
        final long expiresAt = ttl <= 0 ? Long.MAX_VALUE : saturatedAdd(timestamp, ttl);
        if (expiresAt != Long.MAX_VALUE && now - EXPIRY_GRACE_NANOS >= expiresAt) {
            return; // long expired (a handle reading old history): unavailable to everyone, not worth keeping
        }
        insert(id, timestamp, expiresAt, src, off, len);
    }

    /** Adds tuple {@code id}, available, to the index and its lists (ids must arrive in increasing order). */
    private Entry insert(final long id, final long timestamp, final long expiresAt, final byte[] src, final int off, final int len) {
        final Entry e = allocate(len);
        System.arraycopy(src, off, e.data, 0, len);
        e.id = id;
        e.length = len;
        e.writtenAt = timestamp;
        e.expiresAt = expiresAt;
        e.arity = e.data[0];
        e.firstTag = e.data[1];
        e.state = AVAILABLE;
        byId.put(id, e);
        arityList(e.arity).add(e);
        typeList(e.arity, e.firstTag).add(e);
        final int firstLen = TupleCodec.fieldLength(e.data, 1);
        IdList list = byFirst.get(probe.set(e.data, 1, firstLen, e.arity));
        if (list == null) {
            final FieldKey key = probe.copy();
            list = new IdList(key);
            byFirst.put(key, list);
        } else if (list.live() == 0) {
            emptyValueLists--;
        }
        e.valueList = list;
        list.add(e);
        if (expiresAt != Long.MAX_VALUE) {
            leases.push(expiresAt, id);
        }
        availableVersion++;
        return e;
    }

    private boolean take(final long index, final long timestamp, final long id, final boolean fin, final int slot, final long pid,
                         final long startTicks) {
        // the owner's own take names the entry it found: no hash lookup (a miss in a large map costs more than the rest)
        final Entry e = takeHint != null && takeHint.id == id ? takeHint : byId.get(id);
        if (e == null || e.state != AVAILABLE || timestamp >= e.expiresAt) {
            return false;
        }
        if (fin) {
            remove(e);
            return true;
        }
        makePending(e, index, slot, pid, startTicks);
        return true;
    }

    private void makePending(final Entry e, final long index, final int slot, final long pid, final long startTicks) {
        e.state = PENDING;
        e.takeIndex = index;
        e.takerSlot = slot;
        e.takerId = pid;
        e.takerIncarnation = startTicks;
        e.prevPending = null;
        e.nextPending = pendingHead;
        if (pendingHead != null) {
            pendingHead.prevPending = e;
        }
        pendingHead = e;
        pendingCount++;
    }

    private boolean ack(final long id, final long takeIndex) {
        final Entry e = byId.get(id);
        if (e == null || e.state != PENDING || e.takeIndex != takeIndex) {
            return false;
        }
        remove(e);
        return true;
    }

    private boolean giveBack(final long timestamp, final long id, final long takeIndex) {
        final Entry e = byId.get(id);
        if (e == null || e.state != PENDING || e.takeIndex != takeIndex) {
            return false;
        }
        if (timestamp >= e.expiresAt) {
            remove(e);
            return true;
        }
        unlinkPending(e);
        e.state = AVAILABLE;
        e.takeIndex = 0;
        availableVersion++;
        return true;
    }

    private void unlinkPending(final Entry e) {
        if (e.prevPending != null) {
            e.prevPending.nextPending = e.nextPending;
        } else {
            pendingHead = e.nextPending;
        }
        if (e.nextPending != null) {
            e.nextPending.prevPending = e.prevPending;
        }
        e.prevPending = null;
        e.nextPending = null;
        pendingCount--;
    }

    private void remove(final Entry e) {
        byId.remove(e.id);
        if (e.state == PENDING) {
            unlinkPending(e);
        }
        died(arityList(e.arity));
        died(typeList(e.arity, e.firstTag));
        final IdList v = e.valueList;
        v.dead++;
        if (v.live() == 0) {
            // kept for the next tuple with this first field (a queue of one shape empties and refills all the time);
            // empty lists are dropped in bulk once they outnumber the others
            v.clear();
            if (++emptyValueLists > MIN_EMPTY_LISTS_KEPT && emptyValueLists > byFirst.size() / 2) {
                byFirst.values().removeIf(l -> l.live() == 0);
                emptyValueLists = 0;
            }
        }
        e.valueList = null;
        e.id = -1;
        e.state = FREE;
        if (freeCount < MAX_POOLED) {
            e.nextFree = free;
            free = e;
            freeCount++;
        }
    }

    private static void died(final IdList list) {
        list.dead++;
        if (list.live() == 0) {
            list.clear();
        }
    }

    private Entry allocate(final int len) {
        Entry e = free;
        if (e != null) {
            free = e.nextFree;
            e.nextFree = null;
            freeCount--;
        } else {
            e = new Entry();
        }
        if (e.data.length < len) {
            e.data = new byte[Math.max(len, e.data.length * 2)];
        }
        return e;
    }

    private IdList arityList(final int arity) {
        IdList l = byArity[arity];
        if (l == null) {
            l = new IdList(null);
            byArity[arity] = l;
        }
        return l;
    }

    private IdList typeList(final int arity, final int tag) {
        IdList l = byType[arity][tag];
        if (l == null) {
            l = new IdList(null);
            byType[arity][tag] = l;
        }
        return l;
    }

    private static long saturatedAdd(final long a, final long b) {
        final long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    // ---------------------------------------------------------------- snapshots

    /** Snapshot layout version (the first byte of a tuple space's snapshot). */
    static final int SNAPSHOT_FORMAT = 1;

    /**
     * Writes the whole state (every tuple known: id, write time, lease end, bytes, and for a pending one its take and
     * taker) in id order. Another index restored from it with {@link #restore} applies later records exactly as this
     * one does.
     */
    void snapshotTo(final java.io.DataOutputStream out) throws java.io.IOException {
        final Entry[] all = byId.values().toArray(new Entry[0]);
        Arrays.sort(all, (a, b) -> Long.compare(a.id, b.id));
        out.writeByte(SNAPSHOT_FORMAT);
        out.writeInt(all.length);
        for (Entry e : all) {
            out.writeLong(e.id);
            out.writeLong(e.writtenAt);
            out.writeLong(e.expiresAt);
            out.writeInt(e.length);
            out.write(e.data, 0, e.length);
            out.writeByte(e.state);
            if (e.state == PENDING) {
                out.writeLong(e.takeIndex);
                out.writeInt(e.takerSlot);
                out.writeLong(e.takerId);
                out.writeLong(e.takerIncarnation);
            }
        }
    }

    /**
     * Fills this (empty) index from a snapshot written by {@link #snapshotTo}.
     *
     * @throws IllegalArgumentException naming the problem when the bytes are not such a snapshot
     */
    void restore(final byte[] snapshot) {
        if (!byId.isEmpty()) {
            throw new IllegalStateException("restore into a used tuple index");
        }
        // read straight from the array (big-endian, as DataOutputStream wrote it): a stream's synchronized reads cost
        // more than the inserts in a JVM that just started, where opening a tuple space runs mostly interpreted
        final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(snapshot);
        int i = -1;
        try {
            final int format = in.get() & 0xFF;
            if (format != SNAPSHOT_FORMAT) {
                throw new IllegalArgumentException("tuple snapshot format " + format + " is not one this build reads (" + SNAPSHOT_FORMAT + ")");
            }
            final int n = in.getInt();
            long previous = Long.MIN_VALUE;
            for (i = 0; i < n; i++) {
                final long id = in.getLong();
                final long writtenAt = in.getLong();
                final long expiresAt = in.getLong();
                final int len = in.getInt();
                if (id <= previous || len < 2 || len > TupleCodec.MAX_TUPLE_BYTES || len > in.remaining()) {
                    throw new IllegalArgumentException("tuple snapshot entry " + i + " is malformed (id " + id + ", " + len + " bytes)");
                }
                previous = id;
                final int at = in.position();
                if (snapshot[at] < 1 || snapshot[at] > MAX_ARITY || (snapshot[at + 1] & 0xFF) > TupleCodec.BYTES) {
                    throw new IllegalArgumentException("tuple snapshot entry " + i + " is not an encoded tuple");
                }
                final Entry e = insert(id, writtenAt, expiresAt, snapshot, at, len);
                in.position(at + len);
                final int state = in.get() & 0xFF;
                if (state == PENDING) {
                    makePending(e, in.getLong(), in.getInt(), in.getLong(), in.getLong());
                } else if (state != AVAILABLE) {
                    throw new IllegalArgumentException("tuple snapshot entry " + i + " has state " + state);
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("tuple snapshot is truncated" + (i < 0 ? " in its header" : " in entry " + i));
        }
    }

    // ---------------------------------------------------------------- queries

    /** Whether any tuple known has a lease (ended or not): then whether one matches depends on the time. */
    boolean hasLeases() {
        return leases.size() > 0;
    }

    /** Forgets available tuples whose lease ended more than the grace period ago. */
    void sweep(final long now) {
        while (leases.size() > 0 && now - EXPIRY_GRACE_NANOS >= leases.topExpiry()) {
            final long id = leases.topId();
            leases.pop();
            final Entry e = byId.get(id);
            if (e != null && e.state == AVAILABLE) {
                remove(e);
            }
        }
    }

    /** The list a template's first field selects, or null when no tuple can match. {@code tpl} is valid. */
    private IdList listFor(final byte[] tpl) {
        final int arity = tpl[0];
        final int tag = tpl[1] & 0xFF;
        final IdList list;
        if (tag == TupleCodec.ANY) {
            list = byArity[arity];
        } else if ((tag & TupleCodec.FORMAL) != 0) {
            list = byType[arity][tag & ~TupleCodec.FORMAL];
        } else {
            list = byFirst.get(probe.set(tpl, 1, TupleCodec.templateFieldLength(tpl, 1), arity));
        }
        if (list != null && list.dead > 16 && list.dead > list.live()) {
            list.squeeze();
        }
        return list;
    }

    /** The oldest available, unexpired tuple matching the template, or null. */
    Entry findOldest(final byte[] tpl, final long now) {
        final IdList list = listFor(tpl);
        if (list == null) {
            return null;
        }
        final long[] ids = list.ids;
        final Entry[] refs = list.refs;
        for (int i = list.head; i < list.tail; i++) {
            final Entry e = refs[i];
            if (e.id != ids[i]) {
                if (i == list.head) {
                    refs[i] = null;
                    list.head++;
                    list.dead--;
                }
                continue;
            }
            if (e.state == AVAILABLE && now < e.expiresAt && TupleCodec.matches(tpl, 0, e.data, 0)) {
                return e;
            }
        }
        return null;
    }

    /** Visits up to {@code max} available, unexpired matches, oldest first; returns how many. */
    int forEachMatch(final byte[] tpl, final long now, final int max, final EntryVisitor visitor) {
        final IdList list = listFor(tpl);
        if (list == null || max <= 0) {
            return 0;
        }
        int n = 0;
        for (int i = list.head; i < list.tail && n < max; i++) {
            final Entry e = list.refs[i];
            if (e.id == list.ids[i] && e.state == AVAILABLE && now < e.expiresAt && TupleCodec.matches(tpl, 0, e.data, 0)) {
                visitor.visit(e);
                n++;
            }
        }
        return n;
    }

    /** The number of available, unexpired matches. */
    long count(final byte[] tpl, final long now) {
        final IdList list = listFor(tpl);
        if (list == null) {
            return 0;
        }
        long n = 0;
        for (int i = list.head; i < list.tail; i++) {
            final Entry e = list.refs[i];
            if (e.id == list.ids[i] && e.state == AVAILABLE && now < e.expiresAt && TupleCodec.matches(tpl, 0, e.data, 0)) {
                n++;
            }
        }
        return n;
    }

    /** Tuples known (available or pending, expired ones not yet forgotten included). */
    int size() {
        return byId.size();
    }

    /** Receives entries from {@link #forEachMatch}. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(Entry e);
    }

    /** A binary min-heap of (lease end, tuple id). */
    static final class ExpiryHeap {
        private long[] expiry = new long[16];
        private long[] ids = new long[16];
        private int size;

        int size() {
            return size;
        }

        long topExpiry() {
            return expiry[0];
        }

        long topId() {
            return ids[0];
        }

        void push(final long at, final long id) {
            if (size == expiry.length) {
                expiry = Arrays.copyOf(expiry, size * 2);
                ids = Arrays.copyOf(ids, size * 2);
            }
            int i = size++;
            while (i > 0) {
                final int parent = (i - 1) >>> 1;
                if (expiry[parent] <= at) {
                    break;
                }
                expiry[i] = expiry[parent];
                ids[i] = ids[parent];
                i = parent;
            }
            expiry[i] = at;
            ids[i] = id;
        }

        void pop() {
            final int last = --size;
            final long at = expiry[last];
            final long id = ids[last];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= last) {
                    break;
                }
                if (child + 1 < last && expiry[child + 1] < expiry[child]) {
                    child++;
                }
                if (at <= expiry[child]) {
                    break;
                }
                expiry[i] = expiry[child];
                ids[i] = ids[child];
                i = child;
            }
            expiry[i] = at;
            ids[i] = id;
        }
    }
}
