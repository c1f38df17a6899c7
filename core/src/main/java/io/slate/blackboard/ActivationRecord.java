package io.slate.blackboard;

import java.util.List;
import java.util.Objects;

/**
 * What the journal says about one claimed activation: who holds or held it, how it ended, and which claims were
 * abandoned because their agent died. Immutable and thread-safe. Listed by {@link BlackboardSnapshot#activations()}.
 *
 * <p>Only activations that were claimed appear: activations nobody has claimed yet exist only in the agendas of the
 * controllers whose knowledge sources they belong to.
 */
public final class ActivationRecord {
    /** Where an activation is. */
    public enum State {
        /** Its claim was abandoned (the claimer died) and nobody has claimed it again yet: it is back on the agenda. */
        PENDING,
        /** Claimed by a live (or not yet recognized as dead) agent, not finished. */
        RUNNING,
        /** Finished; its changes were applied. */
        COMMITTED,
        /** Finished; its action threw (see {@link #failure()}), nothing was applied. */
        FAILED,
        /** Finished; its changes could not all be applied (an expected version did not hold), so none were. */
        CONFLICT
    }

    private final String knowledgeSource;
    private final long entryId;
    private final long entryVersion;
    private final State state;
    private final long claimIndex;
    private final String executor;
    private final long commitIndex;
    private final String failure;
    private final List<String> abandonedBy;

    /** For the implementation. */
    public ActivationRecord(final String knowledgeSource, final long entryId, final long entryVersion, final State state, final long claimIndex,
                            final String executor, final long commitIndex, final String failure, final List<String> abandonedBy) {
        this.knowledgeSource = knowledgeSource;
        this.entryId = entryId;
        this.entryVersion = entryVersion;
        this.state = state;
        this.claimIndex = claimIndex;
        this.executor = executor;
        this.commitIndex = commitIndex;
        this.failure = failure;
        this.abandonedBy = List.copyOf(abandonedBy);
    }

    /** The knowledge source's name. */
    public String knowledgeSource() {
        return knowledgeSource;
    }

    /** The id of the entry whose change triggered the activation. */
    public long entryId() {
        return entryId;
    }

    /** The version of that entry the change made. */
    public long entryVersion() {
        return entryVersion;
    }

    /** The activation's key, {@code knowledgeSource@entryId.version}: the same as {@link Activation#key()}. */
    public String key() {
        return Activation.key(knowledgeSource, entryId, entryVersion);
    }

    public State state() {
        return state;
    }

    /** The journal index of the claim that holds (or held, when finished) the activation; -1 when abandoned and not claimed again. */
    public long claimIndex() {
        return claimIndex;
    }

    /** The agent id of that claim's agent: the one that runs or ran the action; {@code null} when unclaimed. */
    public String executor() {
        return executor;
    }

    /** The journal index of the commit that finished it, or -1 while running or unclaimed. */
    public long commitIndex() {
        return commitIndex;
    }

    /** For {@link State#FAILED}: the exception the action threw, as text; otherwise {@code null}. */
    public String failure() {
        return failure;
    }

    /** The agents whose claims on this activation were abandoned because they died holding them, in journal order. */
    public List<String> abandonedBy() {
        return abandonedBy;
    }

    /** True once committed, failed or in conflict. */
    public boolean isFinished() {
        return state != State.RUNNING && state != State.PENDING;
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof ActivationRecord)) {
            return false;
        }
        final ActivationRecord a = (ActivationRecord) o;
        return entryId == a.entryId && entryVersion == a.entryVersion && claimIndex == a.claimIndex && commitIndex == a.commitIndex
                && state == a.state && knowledgeSource.equals(a.knowledgeSource) && Objects.equals(executor, a.executor)
                && Objects.equals(failure, a.failure) && abandonedBy.equals(a.abandonedBy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(knowledgeSource, entryId, entryVersion);
    }

    @Override
    public String toString() {
        return key() + " " + state.name().toLowerCase(java.util.Locale.ROOT) + (executor == null ? "" : " by " + executor)
                + (abandonedBy.isEmpty() ? "" : ", abandoned by " + abandonedBy) + (failure == null ? "" : ": " + failure);
    }
}
