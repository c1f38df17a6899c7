package io.slate.blackboard;

import java.util.List;

/**
 * Read access to a blackboard's levels and entries at one point of its history: the live state of a
 * {@link Blackboard} handle (caught up with the journal before each read), an immutable {@link BlackboardSnapshot},
 * or the state a knowledge source's action sees (the blackboard as of its trigger).
 *
 * <p>Whether an instance is thread-safe depends on where it comes from: snapshots are; the others are confined to
 * the thread that owns them (see each).
 */
public interface BlackboardState {
    /** The blackboard's name. */
    String name();

    /** The levels, in the order they were defined. */
    List<String> levels();

    /**
     * The entries at this level that are not retracted, in id (= posting) order. Immutable.
     *
     * @throws IllegalArgumentException when the blackboard has no such level
     */
    List<BlackboardEntry> entries(String level);

    /** The entry with this id (a retracted one too, see {@link BlackboardEntry#isRetracted()}), or {@code null}. */
    BlackboardEntry entry(long id);

    /** The journal index of the last record of this blackboard in this state, or -1 when there is none. */
    long lastIndex();

    /** The number of the last change in this state (0 when nothing has been posted). */
    long lastChangeNumber();

    /** Shorthand for {@code entries(level).size()}. */
    default int count(final String level) {
        return entries(level).size();
    }
}
