package io.slate.blackboard;

import io.slate.engine.blackboard.JournalBlackboard;
import io.slate.space.Space;

import java.util.List;

/**
 * A blackboard: a structured workspace of levels (named by you, for example {@code signal}, {@code hypothesis},
 * {@code plan}) holding entries with attributes, a confidence and an author, which knowledge sources in any process
 * read and extend under a {@link Controller}.
 *
 * <p>The blackboard's state <em>is</em> its records in the space's journal (operations {@code bb-*}, keyed by the
 * blackboard's name): definition, changes, claims, commits. A handle keeps a local view of that state, caught up with
 * the journal before every read and after every write, so a handle reads its own writes and every write that was
 * committed before the read began. Replaying the journal up to any index gives the blackboard as it was then
 * ({@link #replay(Space, String, long)}).
 *
 * <p>Single-threaded: a handle owns a journal tailer and its view; open one per thread (opening replays the
 * blackboard's records from the start of the journal). Entries, snapshots and attributes it returns are immutable
 * and may be shared.
 *
 * <p>Writes return outcomes as values: {@link #post} the new entry's id, {@link #update} and {@link #retract} the new
 * version, or {@link #CONFLICT} / {@link #NOT_FOUND}. Exceptions are for bad input ({@link IllegalArgumentException}:
 * unknown level, empty or too long names, NaN or out-of-range confidence...).
 *
 * <pre>{@code
 * try (Space space = Space.open("robots");
 *      Blackboard bb = Blackboard.of(space, "sonar", "signal", "hypothesis", "plan")) {
 *     long id = bb.post("signal", Attributes.of("sensor", 3, "value", 7.5), 1.0);
 *     List<BlackboardEntry> signals = bb.entries("signal");
 * }
 * }</pre>
 */
public interface Blackboard extends BlackboardState, AutoCloseable {
    /** Returned when an expected version did not hold: nothing was written. */
    long CONFLICT = -1;
    /** Returned when the entry does not exist or is retracted: nothing was written. */
    long NOT_FOUND = -2;
    /** Largest blackboard, level or knowledge source name, in UTF-8 bytes (a blackboard's name is also bounded by the space's maxKeyBytes). */
    int MAX_NAME_BYTES = 255;
    /** Most levels a blackboard may have. */
    int MAX_LEVELS = 64;

    /**
     * Opens a blackboard defined before (by any process).
     *
     * @throws IllegalArgumentException for a bad name
     * @throws IllegalStateException when the space's journal holds no blackboard of this name
     */
    static Blackboard of(final Space space, final String name) {
        return JournalBlackboard.open(space, name, null);
    }

    /**
     * Opens the blackboard with this name, defining it with these levels (in order) if it does not exist yet. Two
     * processes defining one blackboard at the same moment share the first definition in journal order.
     *
     * @throws IllegalArgumentException for a bad name, no levels, a repeated or bad level, or when the blackboard exists
     *                                  with other levels
     */
    static Blackboard of(final Space space, final String name, final String... levels) {
        if (levels == null || levels.length == 0) {
            throw new IllegalArgumentException("blackboard '" + name + "': give at least one level");
        }
        return JournalBlackboard.open(space, name, List.of(levels));
    }

    /**
     * Time travel: the blackboard as it was right after the journal record at {@code toIndex} (or after the last record
     * before it), rebuilt from the journal alone in a new in-memory snapshot. {@code Long.MAX_VALUE} replays everything.
     *
     * @throws IllegalArgumentException for a negative index, or when the blackboard was not defined by then
     */
    static BlackboardSnapshot replay(final Space space, final String name, final long toIndex) {
        return JournalBlackboard.replay(space, name, toIndex);
    }

    /**
     * Posts a new entry and returns its id.
     *
     * @throws IllegalArgumentException for an unknown level, null attributes, or a confidence that is NaN or outside [0, 1]
     */
    long post(String level, Attributes attributes, double confidence);

    /** Replaces an entry's attributes and confidence; returns the new version or {@link #NOT_FOUND}. */
    long update(long entryId, Attributes attributes, double confidence);

    /** Like {@link #update(long, Attributes, double)}, only if the entry is at {@code expectedVersion}; else {@link #CONFLICT}. */
    long update(long entryId, long expectedVersion, Attributes attributes, double confidence);

    /** Retracts an entry; returns the retraction's version or {@link #NOT_FOUND}. */
    long retract(long entryId);

    /** Like {@link #retract(long)}, only if the entry is at {@code expectedVersion}; else {@link #CONFLICT}. */
    long retract(long entryId, long expectedVersion);

    /** An immutable copy of the blackboard now (after catching up with the journal). */
    BlackboardSnapshot snapshot();

    /** The space this blackboard lives in. */
    Space space();

    /** A builder for a controller running knowledge sources on this blackboard. */
    default Controller.Builder controller() {
        return new Controller.Builder(this);
    }

    /** Releases the handle's tailer and view. Idempotent. */
    @Override
    void close();
}
