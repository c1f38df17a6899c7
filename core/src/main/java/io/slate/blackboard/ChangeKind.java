package io.slate.blackboard;

/** What a change did to an entry. A {@link Trigger} fires on the kinds it lists. */
public enum ChangeKind {
    /** A new entry (version 1). */
    POSTED,
    /** New attributes and confidence for an entry (version + 1). */
    UPDATED,
    /** The entry was withdrawn (version + 1); it no longer appears among its level's entries. */
    RETRACTED
}
