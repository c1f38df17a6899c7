package io.slate.blackboard;

/**
 * One change of one entry, as a {@link Trigger} sees it: what happened, the entry as the change left it, and the
 * version before. Immutable and thread-safe.
 */
public final class Change {
    private final ChangeKind kind;
    private final BlackboardEntry entry;
    private final BlackboardEntry previous;

    /** For the implementation. */
    public Change(final ChangeKind kind, final BlackboardEntry entry, final BlackboardEntry previous) {
        this.kind = kind;
        this.entry = entry;
        this.previous = previous;
    }

    public ChangeKind kind() {
        return kind;
    }

    /** The entry as this change left it (for a retraction: the retracted version). */
    public BlackboardEntry entry() {
        return entry;
    }

    /** The version before this change; {@code null} for a post. */
    public BlackboardEntry previous() {
        return previous;
    }

    /** Shorthand for {@code entry().level()}. */
    public String level() {
        return entry.level();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + entry;
    }
}
