package io.slate.blackboard;

/**
 * A knowledge source's trigger fired for one change of one entry: the unit of work on a controller's agenda, given
 * to exactly one instance of that knowledge source across all processes. Immutable and thread-safe.
 *
 * <p>Its {@linkplain #key() key}, {@code knowledgeSource@entryId.version}, names it the same way in every process:
 * each entry version comes from exactly one change, so a knowledge source has at most one activation per entry version.
 */
public final class Activation {
    private final String knowledgeSource;
    private final Change change;

    /** For the implementation. */
    public Activation(final String knowledgeSource, final Change change) {
        this.knowledgeSource = knowledgeSource;
        this.change = change;
    }

    /** The {@linkplain #key() key} of the activation of {@code knowledgeSource} for this entry version. */
    public static String key(final String knowledgeSource, final long entryId, final long entryVersion) {
        return knowledgeSource + "@" + entryId + "." + entryVersion;
    }

    /** The knowledge source's name. */
    public String knowledgeSource() {
        return knowledgeSource;
    }

    /** The change that fired the trigger. */
    public Change change() {
        return change;
    }

    /** The entry as the triggering change left it. */
    public BlackboardEntry entry() {
        return change.entry();
    }

    /** The journal index of the triggering change's record. */
    public long triggerIndex() {
        return change.entry().index();
    }

    /** The change number of the triggering change: the action sees the blackboard as of this change. */
    public long triggerChangeNumber() {
        return change.entry().changeNumber();
    }

    /** {@code knowledgeSource@entryId.version}. */
    public String key() {
        return key(knowledgeSource, change.entry().id(), change.entry().version());
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Activation && ((Activation) o).key().equals(key());
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return key() + " (" + change + ")";
    }
}
