package io.slate.engine.blackboard;

import io.slate.blackboard.Activation;
import io.slate.blackboard.ActivationRecord;
import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.blackboard.BlackboardSnapshot;
import io.slate.blackboard.BlackboardState;
import io.slate.blackboard.Change;
import io.slate.blackboard.ChangeKind;
import io.slate.engine.blackboard.BlackboardRecords.ChangeSpec;
import io.slate.engine.blackboard.BlackboardRecords.MalformedException;
import io.slate.engine.blackboard.BlackboardRecords.Reader;
import io.slate.journal.Op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A blackboard's state as a deterministic function of its journal records: apply them in journal order and every
 * process, and every replay, reaches the same state. Holds every version of every entry (so the state as of any
 * change can be read), the claims, and the activations claimed so far. The rules are in {@code docs/blackboard.md}:
 * <ul>
 *   <li>the first {@code BB_DEFINE} defines the levels; later ones change nothing;</li>
 *   <li>a {@code BB_WRITE} or an ok {@code BB_COMMIT} applies all its changes or none: an update or retraction of an
 *   entry that is missing or retracted, or not at the expected version, voids the whole list;</li>
 *   <li>a {@code BB_CLAIM} wins when its activation is unclaimed (never claimed, or abandoned) and the entry version
 *   exists; otherwise it is void;</li>
 *   <li>a {@code BB_COMMIT} counts only from the agent of the winning claim it names, while that claim holds;</li>
 *   <li>a {@code BB_ABANDON} counts only while the claim it names holds and is not committed.</li>
 * </ul>
 * Single-threaded.
 */
public final class BoardState implements BlackboardState {
    /** Told about what applying records does, for a controller's agenda. Called after the state has changed. */
    public interface Listener {
        /** An entry changed. */
        void onChange(Change change);

        /** A claim won: the activation with this key is now held. */
        void onClaimed(String activationKey, long claimIndex);

        /** A held claim was abandoned: the activation is pending again. */
        void onAbandoned(String activationKey, long entryId, long entryVersion, String knowledgeSource);
    }

    /** Every version of one entry, oldest first. */
    static final class History {
        final long id;
        final int level;
        final ArrayList<BlackboardEntry> versions = new ArrayList<>(2);

        History(final long id, final int level) {
            this.id = id;
            this.level = level;
        }

        BlackboardEntry current() {
            return versions.get(versions.size() - 1);
        }

        /** The newest version written at or before change {@code changeNumber}, or null. */
        BlackboardEntry asOf(final long changeNumber) {
            for (int i = versions.size() - 1; i >= 0; i--) {
                final BlackboardEntry e = versions.get(i);
                if (e.changeNumber() <= changeNumber) {
                    return e;
                }
            }
            return null;
        }

        BlackboardEntry version(final long v) {
            return v >= 1 && v <= versions.size() ? versions.get((int) v - 1) : null;
        }
    }

    /** A claim record that won. */
    public static final class Claim {
        final long index;
        final Act act;
        final String agent;
        final int slot;
        final long pid;
        final long startTicks;

        Claim(final long index, final Act act, final String agent, final int slot, final long pid, final long startTicks) {
            this.index = index;
            this.act = act;
            this.agent = agent;
            this.slot = slot;
            this.pid = pid;
            this.startTicks = startTicks;
        }

        public long index() {
            return index;
        }

        public String agent() {
            return agent;
        }

        public int slot() {
            return slot;
        }

        public long pid() {
            return pid;
        }

        public long startTicks() {
            return startTicks;
        }

        public String activationKey() {
            return act.key;
        }
    }

    /** A claimed activation. */
    static final class Act {
        final String key;
        final String knowledgeSource;
        final long entryId;
        final long entryVersion;
        ActivationRecord.State state = ActivationRecord.State.RUNNING;
        Claim holder;
        long commitIndex = -1;
        String failure;
        final List<String> abandonedBy = new ArrayList<>(1);

        Act(final String key, final String knowledgeSource, final long entryId, final long entryVersion) {
            this.key = key;
            this.knowledgeSource = knowledgeSource;
            this.entryId = entryId;
            this.entryVersion = entryVersion;
        }

        ActivationRecord toRecord() {
            return new ActivationRecord(knowledgeSource, entryId, entryVersion, state, holder == null ? -1 : holder.index,
                    holder == null ? null : holder.agent, commitIndex, failure, abandonedBy);
        }
    }

    private final String name;
    private final Listener listener;
    private final Reader reader = new Reader();
    private List<String> levels;
    private final Map<String, Integer> levelOrdinals = new HashMap<>();
    private final List<List<History>> byLevel = new ArrayList<>();
    private final Map<Long, History> byId = new HashMap<>();
    private final Map<String, Act> acts = new LinkedHashMap<>();
    private final Map<Long, Claim> winningClaims = new HashMap<>();
    private final Set<Act> running = new LinkedHashSet<>();
    private long changeNumber;
    private long lastIndex = -1;
    private long watchIndex = -1;
    private long watchResult;
    private boolean watchSeen;

    public BoardState(final String name, final Listener listener) {
        this.name = name;
        this.listener = listener;
    }

    // ------------------------------------------------------------------ applying records

    /**
     * Applies one record of this blackboard.
     *
     * @throws MalformedException when its value is not a valid blackboard record
     * @throws IllegalStateException when it comes before the blackboard's definition (the journal's start was removed)
     */
    public void apply(final long index, final Op op, final CharSequence agent, final long timestampNanos, final byte[] value, final int length) {
        reader.wrap(value, length);
        if (op != Op.BB_DEFINE && levels == null) {
            throw new IllegalStateException("the journal holds a " + op.label() + " record of blackboard '" + name + "' at index " + index
                    + " but no definition before it: the start of the journal was removed by retention");
        }
        final String agentId = agent.toString();
        long result = 0;
        switch (op) {
            case BB_DEFINE:
                result = applyDefine(BlackboardRecords.decodeDefine(reader));
                break;
            case BB_WRITE: {
                final List<ChangeSpec> changes = BlackboardRecords.decodeChanges(reader, levels.size());
                reader.end();
                result = applyChanges(changes, index, agentId, timestampNanos);
                break;
            }
            case BB_CLAIM:
                result = applyClaim(index, agentId);
                break;
            case BB_COMMIT:
                applyCommit(index, agentId, timestampNanos);
                break;
            case BB_ABANDON:
                applyAbandon();
                break;
            default:
                throw new MalformedException("operation " + op.label() + " is not a blackboard operation");
        }
        lastIndex = index;
        if (index == watchIndex) {
            watchResult = result;
            watchSeen = true;
        }
    }

    private long applyDefine(final List<String> defined) {
        if (levels != null) {
            return 0; // the first definition holds; the opener that appended this one compares and reports
        }
        levels = Collections.unmodifiableList(new ArrayList<>(defined));
        for (int i = 0; i < defined.size(); i++) {
            levelOrdinals.put(defined.get(i), i);
            byLevel.add(new ArrayList<>());
        }
        return 1;
    }

    /**
     * Applies all the changes or none. Returns, for a single change: the new entry's id (post), the new version
     * (update, retract), or {@link Blackboard#NOT_FOUND} / {@link Blackboard#CONFLICT}; for several: their count or
     * the first failure.
     */
    private long applyChanges(final List<ChangeSpec> changes, final long index, final String agent, final long timestamp) {
        final long refused = check(changes);
        if (refused != 0) {
            return refused;
        }
        long result = changes.size();
        for (ChangeSpec c : changes) {
            final long n = ++changeNumber;
            final Change change;
            if (c.kind == BlackboardRecords.KIND_POST) {
                final History h = new History(n, c.levelOrdinal);
                final BlackboardEntry e = new BlackboardEntry(n, levels.get(c.levelOrdinal), 1, c.attributes, c.confidence, agent, agent, index, n,
                        timestamp, false);
                h.versions.add(e);
                byId.put(n, h);
                byLevel.get(c.levelOrdinal).add(h);
                change = new Change(ChangeKind.POSTED, e, null);
                result = n;
            } else {
                final History h = byId.get(c.entryId);
                final BlackboardEntry prev = h.current();
                final boolean retract = c.kind == BlackboardRecords.KIND_RETRACT;
                final BlackboardEntry e = new BlackboardEntry(h.id, prev.level(), prev.version() + 1, retract ? prev.attributes() : c.attributes,
                        retract ? prev.confidence() : c.confidence, prev.author(), agent, index, n, timestamp, retract);
                h.versions.add(e);
                change = new Change(retract ? ChangeKind.RETRACTED : ChangeKind.UPDATED, e, prev);
                result = e.version();
            }
            if (listener != null) {
                listener.onChange(change);
            }
        }
        return changes.size() == 1 ? result : changes.size();
    }

    /** Returns 1 when the claim won, 0 when it is void. */
    private long applyClaim(final long index, final String agent) {
        final String ks = reader.name("knowledge source name");
        final long entryId = reader.i64();
        final long version = reader.i64();
        final int slot = reader.i32();
        final long pid = reader.i64();
        final long ticks = reader.i64();
        reader.end();
        final History h = byId.get(entryId);
        if (h == null || h.version(version) == null) {
            return 0; // no such entry version: nothing can have been triggered by it
        }
        final String key = Activation.key(ks, entryId, version);
        Act act = acts.get(key);
        if (act == null) {
            act = new Act(key, ks, entryId, version);
            acts.put(key, act);
        } else if (act.state != ActivationRecord.State.PENDING) {
            return 0; // held, or finished: the first valid claim in journal order won
        }
        final Claim claim = new Claim(index, act, agent, slot, pid, ticks);
        act.state = ActivationRecord.State.RUNNING;
        act.holder = claim;
        winningClaims.put(index, claim);
        running.add(act);
        if (listener != null) {
            listener.onClaimed(key, index);
        }
        return 1;
    }

    private void applyCommit(final long index, final String agent, final long timestamp) {
        final long claimIndex = reader.i64();
        final int outcome = reader.u8();
        final Claim claim = winningClaims.get(claimIndex);
        final boolean valid = claim != null && claim.act.holder == claim && claim.act.state == ActivationRecord.State.RUNNING
                && claim.agent.equals(agent);
        if (outcome == BlackboardRecords.OUTCOME_FAILED) {
            final String message = reader.text(reader.u16(), "failure message");
            reader.end();
            if (valid) {
                finish(claim.act, ActivationRecord.State.FAILED, index, message);
            }
            return;
        }
        if (outcome != BlackboardRecords.OUTCOME_OK) {
            throw new MalformedException("unknown commit outcome " + outcome);
        }
        final List<ChangeSpec> changes = BlackboardRecords.decodeChanges(reader, levels.size());
        reader.end();
        if (!valid) {
            return; // a commit of a claim that does not hold: never applied
        }
        // the activation is finished before its changes fire triggers, so listeners see a consistent agenda
        final ActivationRecord.State end = check(changes) == 0 ? ActivationRecord.State.COMMITTED : ActivationRecord.State.CONFLICT;
        finish(claim.act, end, index, null);
        if (end == ActivationRecord.State.COMMITTED) {
            applyChanges(changes, index, agent, timestamp);
        }
    }

    /**
     * 0 when every change applies, in order; else {@link Blackboard#NOT_FOUND} (an update or retraction of an entry that
     * does not exist or is retracted) or {@link Blackboard#CONFLICT} (not at the expected version).
     */
    private long check(final List<ChangeSpec> changes) {
        Map<Long, long[]> overlay = null; // id -> {version, retracted}, for an entry changed twice in one record
        for (ChangeSpec c : changes) {
            if (c.kind == BlackboardRecords.KIND_POST) {
                continue;
            }
            long[] st = overlay == null ? null : overlay.get(c.entryId);
            if (st == null) {
                final History h = byId.get(c.entryId);
                st = h == null ? new long[] {0, 1} : new long[] {h.current().version(), h.current().isRetracted() ? 1 : 0};
            }
            if (st[1] == 1) {
                return Blackboard.NOT_FOUND;
            }
            if (c.expectedVersion != -1 && c.expectedVersion != st[0]) {
                return Blackboard.CONFLICT;
            }
            if (overlay == null) {
                overlay = new HashMap<>();
            }
            overlay.put(c.entryId, new long[] {st[0] + 1, c.kind == BlackboardRecords.KIND_RETRACT ? 1 : 0});
        }
        return 0;
    }

    private void finish(final Act act, final ActivationRecord.State state, final long commitIndex, final String failure) {
        act.state = state;
        act.commitIndex = commitIndex;
        act.failure = failure;
        running.remove(act);
    }

    private void applyAbandon() {
        final long claimIndex = reader.i64();
        reader.i32();
        reader.i64();
        reader.i64();
        reader.end();
        final Claim claim = winningClaims.get(claimIndex);
        if (claim == null || claim.act.holder != claim || claim.act.state != ActivationRecord.State.RUNNING) {
            return; // already committed, or already abandoned by another survivor
        }
        final Act act = claim.act;
        act.state = ActivationRecord.State.PENDING;
        act.holder = null;
        act.abandonedBy.add(claim.agent);
        running.remove(act);
        if (listener != null) {
            listener.onAbandoned(act.key, act.entryId, act.entryVersion, act.knowledgeSource);
        }
    }

    // ------------------------------------------------------------------ snapshots

    /** Snapshot layout version (after the record format byte). */
    static final int SNAPSHOT_FORMAT = 1;

    private static void text(final BlackboardRecords.Writer w, final String s) {
        final byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        w.i32(b.length).bytes(b, 0, b.length);
    }

    private static String text(final Reader r, final String what) {
        return r.text(r.i32(), what);
    }

    /**
     * Writes the whole state: levels, every version of every entry, the activations claimed so far with their claims,
     * and the counters. A state restored from it ({@link #restore}) applies later records exactly as this one does.
     * Requires a defined blackboard.
     */
    public void snapshotTo(final BlackboardRecords.Writer w) {
        w.reset().u8(BlackboardRecords.FORMAT).u8(SNAPSHOT_FORMAT).u8(levels.size());
        for (String l : levels) {
            w.name(l);
        }
        w.i64(changeNumber).i64(lastIndex);
        final List<History> all = new ArrayList<>(byId.values());
        all.sort((a, b) -> Long.compare(a.id, b.id));
        w.i32(all.size());
        for (History h : all) {
            w.i64(h.id).u8(h.level).i32(h.versions.size());
            for (BlackboardEntry e : h.versions) {
                BlackboardRecords.encodeAttributes(w, e.attributes());
                w.f64(e.confidence());
                text(w, e.author());
                text(w, e.writer());
                w.i64(e.index()).i64(e.changeNumber()).i64(e.timestampNanos()).u8(e.isRetracted() ? 1 : 0);
            }
        }
        w.i32(acts.size());
        for (Act a : acts.values()) {
            w.name(a.knowledgeSource).i64(a.entryId).i64(a.entryVersion).u8(a.state.ordinal()).i64(a.commitIndex);
            w.u8(a.failure == null ? 0 : 1);
            if (a.failure != null) {
                text(w, a.failure);
            }
            w.i32(a.abandonedBy.size());
            for (String by : a.abandonedBy) {
                text(w, by);
            }
            w.u8(a.holder == null ? 0 : 1);
            if (a.holder != null) {
                w.i64(a.holder.index);
                text(w, a.holder.agent);
                w.i32(a.holder.slot).i64(a.holder.pid).i64(a.holder.startTicks);
            }
        }
        w.i32(running.size());
        for (Act a : running) {
            text(w, a.key);
        }
    }

    /**
     * Fills this (new) state from a snapshot written by {@link #snapshotTo}. The listener is not told: a controller
     * rebuilds its agenda from {@link #changesInOrder()}.
     *
     * @throws MalformedException naming the problem when the bytes are not such a snapshot
     */
    public void restore(final byte[] data, final int length) {
        if (levels != null) {
            throw new IllegalStateException("restore into a used blackboard state");
        }
        final Reader r = new Reader().wrap(data, length);
        final int format = r.u8();
        if (format != SNAPSHOT_FORMAT) {
            throw new MalformedException("blackboard snapshot format " + format + " is not one this build reads (" + SNAPSHOT_FORMAT + ")");
        }
        final int levelCount = r.u8();
        final List<String> defined = new ArrayList<>(levelCount);
        for (int i = 0; i < levelCount; i++) {
            defined.add(r.name("level name"));
        }
        applyDefine(defined);
        changeNumber = r.i64();
        lastIndex = r.i64();
        final int histories = r.i32();
        for (int i = 0; i < histories; i++) {
            final long id = r.i64();
            final int level = r.u8();
            final int versions = r.i32();
            if (level >= levelCount || versions < 1) {
                throw new MalformedException("entry " + id + " has level " + level + " and " + versions + " versions");
            }
            final History h = new History(id, level);
            for (int v = 1; v <= versions; v++) {
                final Attributes attributes = BlackboardRecords.decodeAttributes(r);
                final double confidence = r.f64();
                final String author = text(r, "author");
                final String writer = text(r, "writer");
                h.versions.add(new BlackboardEntry(id, levels.get(level), v, attributes, confidence, author, writer, r.i64(), r.i64(), r.i64(),
                        r.u8() == 1));
            }
            byId.put(id, h);
            byLevel.get(level).add(h);
        }
        final int actCount = r.i32();
        final ActivationRecord.State[] states = ActivationRecord.State.values();
        for (int i = 0; i < actCount; i++) {
            final String ks = r.name("knowledge source name");
            final long entryId = r.i64();
            final long entryVersion = r.i64();
            final int state = r.u8();
            if (state >= states.length) {
                throw new MalformedException("activation state " + state);
            }
            final Act a = new Act(Activation.key(ks, entryId, entryVersion), ks, entryId, entryVersion);
            a.state = states[state];
            a.commitIndex = r.i64();
            a.failure = r.u8() == 1 ? text(r, "failure") : null;
            final int abandoned = r.i32();
            for (int k = 0; k < abandoned; k++) {
                a.abandonedBy.add(text(r, "agent"));
            }
            if (r.u8() == 1) {
                final long index = r.i64();
                final String agent = text(r, "agent");
                final Claim c = new Claim(index, a, agent, r.i32(), r.i64(), r.i64());
                a.holder = c;
                winningClaims.put(index, c);
            }
            acts.put(a.key, a);
        }
        final int runningCount = r.i32();
        for (int i = 0; i < runningCount; i++) {
            final Act a = acts.get(text(r, "activation key"));
            if (a == null || a.state != ActivationRecord.State.RUNNING) {
                throw new MalformedException("a running activation is not among the claimed ones");
            }
            running.add(a);
        }
        r.end();
    }

    /** Every change this state holds (every version of every entry), in the order they were made. */
    public List<Change> changesInOrder() {
        final List<BlackboardEntry> all = new ArrayList<>();
        for (History h : byId.values()) {
            all.addAll(h.versions);
        }
        all.sort((a, b) -> Long.compare(a.changeNumber(), b.changeNumber()));
        final List<Change> changes = new ArrayList<>(all.size());
        for (BlackboardEntry e : all) {
            changes.add(changeOf(e.id(), e.version()));
        }
        return changes;
    }

    // ------------------------------------------------------------------ for the handle and the controller

    /** Remembers the outcome of the record at {@code index} when it is applied (see {@link #watchedResult()}). */
    public void watch(final long index) {
        watchIndex = index;
        watchSeen = false;
    }

    /** Whether the watched record has been applied. */
    public boolean watchedSeen() {
        return watchSeen;
    }

    /** The watched record's outcome: for a write, as {@link #applyChanges}; for a claim, 1 when it won; for a definition, 1 when it defined. */
    public long watchedResult() {
        return watchResult;
    }

    public boolean isDefined() {
        return levels != null;
    }

    /** The level's ordinal. @throws IllegalArgumentException for a level the blackboard does not have */
    public int levelOrdinal(final String level) {
        final Integer o = level == null ? null : levelOrdinals.get(level);
        if (o == null) {
            throw new IllegalArgumentException("blackboard '" + name + "' has no level '" + level + "' (levels: " + levels + ")");
        }
        return o;
    }

    /** The holder's claim of the activation with this key, or null when it is not running. */
    public Claim holder(final String activationKey) {
        final Act a = acts.get(activationKey);
        return a == null || a.state != ActivationRecord.State.RUNNING ? null : a.holder;
    }

    /** The activation's state, or null when it was never claimed. */
    public ActivationRecord.State activationState(final String activationKey) {
        final Act a = acts.get(activationKey);
        return a == null ? null : a.state;
    }

    /** The claims holding running activations, in the order they were claimed. */
    public List<Claim> runningClaims() {
        final List<Claim> l = new ArrayList<>(running.size());
        for (Act a : running) {
            l.add(a.holder);
        }
        return l;
    }

    public int runningCount() {
        return running.size();
    }

    /** The change that made version {@code version} of entry {@code id}, or null. */
    public Change changeOf(final long id, final long version) {
        final History h = byId.get(id);
        final BlackboardEntry e = h == null ? null : h.version(version);
        if (e == null) {
            return null;
        }
        final BlackboardEntry prev = h.version(version - 1);
        final ChangeKind kind = version == 1 ? ChangeKind.POSTED : e.isRetracted() ? ChangeKind.RETRACTED : ChangeKind.UPDATED;
        return new Change(kind, e, prev);
    }

    /** The blackboard as of change {@code changeNumber} (written by the record at {@code index}): a view over this state. */
    public BlackboardState asOf(final long changeNumber, final long index) {
        return new AsOf(changeNumber, index);
    }

    /** An immutable copy. */
    public BlackboardSnapshot snapshot() {
        final List<BlackboardEntry> all = new ArrayList<>(byId.size());
        for (List<History> l : byLevel) {
            for (History h : l) {
                all.add(h.current());
            }
        }
        all.sort((a, b) -> Long.compare(a.id(), b.id()));
        final List<ActivationRecord> records = new ArrayList<>(acts.size());
        for (Act a : acts.values()) {
            records.add(a.toRecord());
        }
        return new BlackboardSnapshot(name, levels == null ? List.of() : levels, all, records, lastIndex, changeNumber);
    }

    // ------------------------------------------------------------------ BlackboardState (live, this thread only)

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> levels() {
        return levels == null ? List.of() : levels;
    }

    @Override
    public List<BlackboardEntry> entries(final String level) {
        final List<History> l = byLevel.get(levelOrdinal(level));
        final List<BlackboardEntry> out = new ArrayList<>(l.size());
        for (History h : l) {
            final BlackboardEntry e = h.current();
            if (!e.isRetracted()) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public BlackboardEntry entry(final long id) {
        final History h = byId.get(id);
        return h == null ? null : h.current();
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public long lastChangeNumber() {
        return changeNumber;
    }

    /** The state as of one change: versions written after it are invisible. */
    private final class AsOf implements BlackboardState {
        private final long at;
        private final long index;

        AsOf(final long at, final long index) {
            this.at = at;
            this.index = index;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<String> levels() {
            return BoardState.this.levels();
        }

        @Override
        public List<BlackboardEntry> entries(final String level) {
            final List<History> l = byLevel.get(levelOrdinal(level));
            // ids are the change numbers of the posts, so the level's list is sorted by it: stop at the first later post
            int hi = l.size();
            int lo = 0;
            while (lo < hi) {
                final int mid = (lo + hi) >>> 1;
                if (l.get(mid).id <= at) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            final List<BlackboardEntry> out = new ArrayList<>(lo);
            for (int i = 0; i < lo; i++) {
                final BlackboardEntry e = l.get(i).asOf(at);
                if (e != null && !e.isRetracted()) {
                    out.add(e);
                }
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public BlackboardEntry entry(final long id) {
            final History h = byId.get(id);
            return h == null ? null : h.asOf(at);
        }

        @Override
        public long lastIndex() {
            return index;
        }

        @Override
        public long lastChangeNumber() {
            return at;
        }
    }
}
