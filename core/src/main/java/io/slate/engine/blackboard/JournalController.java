package io.slate.engine.blackboard;

import io.slate.blackboard.ActionContext;
import io.slate.blackboard.Activation;
import io.slate.blackboard.ActivationRecord;
import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.blackboard.BlackboardSnapshot;
import io.slate.blackboard.BlackboardState;
import io.slate.blackboard.Change;
import io.slate.blackboard.Controller;
import io.slate.blackboard.KnowledgeSource;
import io.slate.blackboard.Rating;
import io.slate.blackboard.RunResult;
import io.slate.idle.IdleStrategy;
import io.slate.spi.BackendSpace;
import io.slate.engine.blackboard.BlackboardRecords.ChangeSpec;
import io.slate.journal.Op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A controller: a {@link BoardState} fed from the journal whose listener turns entry changes into activations of this
 * controller's knowledge sources (the agenda), and the claim protocol of {@code docs/blackboard.md}:
 * <ol>
 *   <li>append {@code BB_CLAIM} for the best pending activation and read the journal up to it: the claim won when the
 *   activation was still unclaimed at that point of the journal (the first valid claim in journal order wins);</li>
 *   <li>run the action on the blackboard as of the trigger, buffering its changes;</li>
 *   <li>append {@code BB_COMMIT} naming the claim, with the changes (or the failure): the activation ends and its changes
 *   take effect in one record, so they happen exactly once;</li>
 *   <li>a claim whose agent is dead (registry slot and {@code /proc} disagree with the PID and start time in the claim)
 *   is given up with {@code BB_ABANDON}; the activation is then pending again everywhere.</li>
 * </ol>
 * Single-threaded: bound to the first thread that uses it.
 */
public final class JournalController implements Controller, BoardState.Listener {
    /** Minimum time between two liveness checks of the agents holding claims. */
    private static final long LIVENESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int DRAIN_BATCH = 4096;

    /** One activation on the agenda, with its rating (computed once). */
    private static final class Pending {
        final Activation activation;
        final double rating;
        final String key;

        Pending(final Activation activation, final double rating) {
            this.activation = activation;
            this.rating = rating;
            this.key = activation.key();
        }
    }

    /** Best first: higher rating, then earlier triggering change, then knowledge source name. */
    private static final Comparator<Pending> RANK = (a, b) -> {
        final int r = Double.compare(b.rating, a.rating);
        if (r != 0) {
            return r;
        }
        final int c = Long.compare(a.activation.triggerChangeNumber(), b.activation.triggerChangeNumber());
        return c != 0 ? c : a.activation.knowledgeSource().compareTo(b.activation.knowledgeSource());
    };

    private final BackendSpace space;
    private final String name;
    private final Map<String, KnowledgeSource> sources = new LinkedHashMap<>();
    private final Rating rating;
    private final Predicate<BlackboardState> goal;
    private final Supplier<IdleStrategy> idleFactory;
    private final BoardState state;
    private final JournalFeed feed;
    private final TreeSet<Pending> agenda = new TreeSet<>(RANK);
    private final Map<String, Pending> pendingByKey = new HashMap<>();
    private final BlackboardRecords.Writer writer = new BlackboardRecords.Writer();
    private final List<String> executed = new ArrayList<>();
    private RuntimeException failure;
    private Thread owner;
    private volatile boolean stopRequested;
    private long lastLivenessCheck = System.nanoTime() - LIVENESS_CHECK_NANOS;
    private long goalCheckedAt = Long.MIN_VALUE;
    private boolean goalMet;
    private int failedCount;
    private int conflictCount;
    private boolean closed;

    private JournalController(final BackendSpace space, final String name, final List<KnowledgeSource> sources, final Rating rating,
                                final Predicate<BlackboardState> goal, final Supplier<IdleStrategy> idleFactory) {
        this.space = space;
        this.name = name;
        for (KnowledgeSource ks : sources) {
            this.sources.put(ks.name(), ks);
        }
        this.rating = rating;
        this.goal = goal;
        this.idleFactory = idleFactory == null ? space.options().idleStrategy() : idleFactory;
        this.state = new BoardState(name, this);
        this.feed = new JournalFeed(space, name, state, Long.MAX_VALUE);
        final long after = BoardSnapshots.restore(space, name, state);
        if (after >= 0) {
            feed.startAfter(after);
            // the agenda as replaying every change would have left it: claimed activations are skipped by addPending
            for (Change c : state.changesInOrder()) {
                onChange(c);
            }
        }
    }

    /** Made by {@link Controller.Builder#build()}. */
    public static Controller create(final Blackboard blackboard, final List<KnowledgeSource> sources, final Rating rating,
                                    final Predicate<BlackboardState> goal, final Supplier<IdleStrategy> idleFactory) {
        final BackendSpace space = JournalBlackboard.chronicle(blackboard.space());
        return new JournalController(space, blackboard.name(), sources, rating, goal, idleFactory);
    }

    // ------------------------------------------------------------------ the agenda (listener of the state)

    @Override
    public void onChange(final Change change) {
        for (KnowledgeSource ks : sources.values()) {
            try {
                if (ks.trigger().fires(change)) {
                    addPending(new Activation(ks.name(), change));
                }
            } catch (RuntimeException e) {
                fail("the trigger of knowledge source '" + ks.name() + "' threw on " + change, e);
            }
        }
    }

    private void addPending(final Activation a) {
        final String key = a.key();
        if (pendingByKey.containsKey(key) || state.activationState(key) != null && state.activationState(key) != ActivationRecord.State.PENDING) {
            return;
        }
        final double r;
        try {
            r = rating.rate(a);
        } catch (RuntimeException e) {
            fail("the rating function threw on activation " + key, e);
            return;
        }
        if (!Double.isFinite(r)) {
            fail("the rating function returned " + r + " for activation " + key + ": ratings must be finite numbers", null);
            return;
        }
        final Pending p = new Pending(a, r);
        agenda.add(p);
        pendingByKey.put(key, p);
    }

    @Override
    public void onClaimed(final String activationKey, final long claimIndex) {
        final Pending p = pendingByKey.remove(activationKey);
        if (p != null) {
            agenda.remove(p);
        }
    }

    @Override
    public void onAbandoned(final String activationKey, final long entryId, final long entryVersion, final String knowledgeSource) {
        if (sources.containsKey(knowledgeSource)) {
            final Change c = state.changeOf(entryId, entryVersion);
            if (c != null) {
                addPending(new Activation(knowledgeSource, c));
            }
        }
    }

    /** Remembers the first error of a trigger or rating; it is thrown once the record being applied is done. */
    private void fail(final String what, final RuntimeException cause) {
        if (failure == null) {
            failure = new IllegalStateException("controller of blackboard '" + name + "': " + what + (cause == null ? "" : ": " + cause), cause);
        }
    }

    private void throwIfFailed() {
        if (failure != null) {
            throw failure;
        }
    }

    // ------------------------------------------------------------------ work

    private void enter() {
        if (closed) {
            throw new IllegalStateException("controller of blackboard '" + name + "' is closed");
        }
        final Thread t = Thread.currentThread();
        if (owner == null) {
            owner = t;
        } else if (owner != t) {
            throw new IllegalStateException("controller of blackboard '" + name + "' is confined to thread '" + owner.getName()
                    + "', called from '" + t.getName() + "'");
        }
        space.ensureOpen();
        throwIfFailed();
    }

    @Override
    public int doWork() {
        enter();
        int work = feed.drain(DRAIN_BATCH);
        throwIfFailed();
        work += recoverDeadClaims();
        if (goalReached()) {
            return work;
        }
        final Pending best = agenda.isEmpty() ? null : agenda.first();
        if (best != null) {
            claimAndExecute(best);
            work++;
        }
        return work;
    }

    private boolean goalReached() {
        if (goal == null) {
            return false;
        }
        if (goalCheckedAt != state.lastIndex()) {
            goalCheckedAt = state.lastIndex();
            goalMet = goal.test(state);
        }
        return goalMet;
    }

    /** Gives up the claims of agents that died holding them. Returns how many. */
    private int recoverDeadClaims() {
        if (state.runningCount() == 0) {
            return 0;
        }
        final long now = System.nanoTime();
        if (now - lastLivenessCheck < LIVENESS_CHECK_NANOS) {
            return 0;
        }
        lastLivenessCheck = now;
        int n = 0;
        for (BoardState.Claim c : state.runningClaims()) {
            // exact: the claim names the registry slot, PID and start time of its agent; a live agent is never robbed
            if (!space.isLive(c.slot(), c.pid(), c.startTicks())) {
                BlackboardRecords.encodeAbandon(writer, c.index(), c.slot(), c.pid(), c.startTicks());
                final long index = space.log().append(Op.BB_ABANDON, 0, c.index(), name, writer.buffer(), 0, writer.length());
                feed.catchUpTo(index);
                throwIfFailed();
                n++;
            }
        }
        return n;
    }

    private void claimAndExecute(final Pending p) {
        final Activation a = p.activation;
        final BlackboardEntry entry = a.entry();
        BlackboardRecords.encodeClaim(writer, a.knowledgeSource(), entry.id(), entry.version(), space.self().slot(), space.self().id(), space.self().incarnation());
        final long claimIndex = space.log().append(Op.BB_CLAIM, 0, entry.id(), name, writer.buffer(), 0, writer.length());
        feed.catchUpTo(claimIndex);
        throwIfFailed();
        final BoardState.Claim holder = state.holder(p.key);
        if (holder == null || holder.index() != claimIndex) {
            // another instance's claim came first in the journal: it is theirs (the agenda already dropped it)
            agenda.remove(p);
            pendingByKey.remove(p.key);
            return;
        }
        final Context ctx = new Context(a, state.asOf(a.triggerChangeNumber(), a.triggerIndex()));
        String failureText = null;
        Error fatal = null;
        try {
            sources.get(a.knowledgeSource()).action().execute(ctx);
        } catch (Exception e) {
            failureText = e.toString();
        } catch (Error e) {
            failureText = e.toString();
            fatal = e;
        }
        ctx.done = true;
        if (failureText == null) {
            BlackboardRecords.encodeCommit(writer, claimIndex, ctx.changes);
            if (writer.length() > BlackboardRecords.MAX_RECORD_BYTES) {
                failureText = "the action's " + ctx.changes.size() + " changes take " + writer.length() + " bytes, over the limit of "
                        + BlackboardRecords.MAX_RECORD_BYTES;
            }
        }
        if (failureText != null) {
            BlackboardRecords.encodeFailedCommit(writer, claimIndex, failureText);
        }
        final long commitIndex = space.log().append(Op.BB_COMMIT, 0, claimIndex, name, writer.buffer(), 0, writer.length());
        feed.catchUpTo(commitIndex);
        executed.add(p.key);
        final ActivationRecord.State end = state.activationState(p.key);
        if (end == ActivationRecord.State.FAILED) {
            failedCount++;
        } else if (end == ActivationRecord.State.CONFLICT) {
            conflictCount++;
        }
        if (fatal != null) {
            throw fatal;
        }
        throwIfFailed();
    }

    @Override
    public RunResult run(final long timeout, final TimeUnit unit) {
        enter();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        final IdleStrategy idle = idleFactory.get();
        final int executedBefore = executed.size();
        final int failedBefore = failedCount;
        final int conflictsBefore = conflictCount;
        RunResult.StopReason reason;
        while (true) {
            if (stopRequested) {
                stopRequested = false;
                reason = RunResult.StopReason.STOPPED;
                break;
            }
            final int work = doWork();
            if (goalReached()) {
                reason = RunResult.StopReason.GOAL;
                break;
            }
            // no work: the journal is read to its end, the agenda is empty, no claim was recovered
            if (work == 0 && state.runningCount() == 0) {
                reason = RunResult.StopReason.QUIESCENT;
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                reason = RunResult.StopReason.TIMED_OUT;
                break;
            }
            idle.idle(work);
        }
        return new RunResult(reason, executed.size() - executedBefore, failedCount - failedBefore, conflictCount - conflictsBefore,
                state.lastIndex());
    }

    @Override
    public List<Activation> agenda() {
        enter();
        feed.drainAll();
        throwIfFailed();
        final List<Activation> l = new ArrayList<>(agenda.size());
        for (Pending p : agenda) {
            l.add(p.activation);
        }
        return Collections.unmodifiableList(l);
    }

    @Override
    public boolean isQuiescent() {
        enter();
        feed.drainAll();
        throwIfFailed();
        return agenda.isEmpty() && state.runningCount() == 0;
    }

    @Override
    public BlackboardSnapshot snapshot() {
        enter();
        feed.drainAll();
        throwIfFailed();
        return state.snapshot();
    }

    @Override
    public List<String> executed() {
        return Collections.unmodifiableList(new ArrayList<>(executed));
    }

    @Override
    public long lastIndex() {
        return state.lastIndex();
    }

    @Override
    public void requestStop() {
        stopRequested = true;
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
        return "Controller{" + name + ", sources=" + sources.keySet() + ", pending=" + agenda.size() + ", running=" + state.runningCount() + '}';
    }

    /** The context of one action: its activation, the board as of the trigger, and the changes it proposes. */
    private final class Context implements ActionContext {
        private final Activation activation;
        private final BlackboardState board;
        final List<ChangeSpec> changes = new ArrayList<>();
        boolean done;

        Context(final Activation activation, final BlackboardState board) {
            this.activation = activation;
            this.board = board;
        }

        private void open() {
            if (done) {
                throw new IllegalStateException("the action of " + activation.key() + " has returned: its context is closed");
            }
        }

        @Override
        public Activation activation() {
            return activation;
        }

        @Override
        public BlackboardState board() {
            open();
            return board;
        }

        @Override
        public String agentId() {
            return space.agentId();
        }

        @Override
        public void post(final String level, final Attributes attributes, final double confidence) {
            open();
            changes.add(ChangeSpec.post(state.levelOrdinal(level), JournalBlackboard.checkAttributes(attributes),
                    BlackboardRecords.checkConfidence(confidence)));
        }

        @Override
        public void update(final long entryId, final Attributes attributes, final double confidence) {
            update(entryId, -1, attributes, confidence);
        }

        @Override
        public void update(final long entryId, final long expectedVersion, final Attributes attributes, final double confidence) {
            open();
            BlackboardRecords.checkTarget(entryId, expectedVersion);
            changes.add(ChangeSpec.update(entryId, expectedVersion, JournalBlackboard.checkAttributes(attributes),
                    BlackboardRecords.checkConfidence(confidence)));
        }

        @Override
        public void retract(final long entryId) {
            retract(entryId, -1);
        }

        @Override
        public void retract(final long entryId, final long expectedVersion) {
            open();
            BlackboardRecords.checkTarget(entryId, expectedVersion);
            changes.add(ChangeSpec.retract(entryId, expectedVersion));
        }

        @Override
        public int proposed() {
            return changes.size();
        }
    }
}
