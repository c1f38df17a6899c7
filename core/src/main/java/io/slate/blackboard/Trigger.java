package io.slate.blackboard;

import io.slate.engine.blackboard.Names;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * When a knowledge source wants to act: a change of an entry at one level, of the kinds listed, for which the
 * predicate holds. Immutable and thread-safe (if the predicate is).
 *
 * <p>The predicate must be a pure function of the {@link Change}: every process running a controller evaluates it on
 * the same changes and must reach the same answer, so that all agendas agree.
 *
 * <pre>{@code
 * Trigger.onPosted("signal").when(c -> c.entry().getDouble("value") > 5.0)
 * Trigger.on("hypothesis", ChangeKind.POSTED, ChangeKind.UPDATED)
 * }</pre>
 */
public final class Trigger {
    private final String level;
    private final Set<ChangeKind> kinds;
    private final Predicate<Change> predicate;

    private Trigger(final String level, final Set<ChangeKind> kinds, final Predicate<Change> predicate) {
        this.level = level;
        this.kinds = kinds;
        this.predicate = predicate;
    }

    /**
     * Fires on changes of these kinds at this level.
     *
     * @throws IllegalArgumentException for an empty level name or no kinds
     */
    public static Trigger on(final String level, final ChangeKind... kinds) {
        Names.check(level, "trigger level", Blackboard.MAX_NAME_BYTES);
        if (kinds == null || kinds.length == 0) {
            throw new IllegalArgumentException("trigger on level '" + level + "' needs at least one change kind");
        }
        final EnumSet<ChangeKind> set = EnumSet.noneOf(ChangeKind.class);
        for (ChangeKind k : kinds) {
            set.add(Objects.requireNonNull(k, "change kind"));
        }
        return new Trigger(level, set, c -> true);
    }

    /** Fires on posts at this level. */
    public static Trigger onPosted(final String level) {
        return on(level, ChangeKind.POSTED);
    }

    /** Fires on posts and updates at this level. */
    public static Trigger onPostedOrUpdated(final String level) {
        return on(level, ChangeKind.POSTED, ChangeKind.UPDATED);
    }

    /** A trigger that also requires {@code condition} (and any condition this one already had). */
    public Trigger when(final Predicate<Change> condition) {
        Objects.requireNonNull(condition, "trigger condition");
        final Predicate<Change> before = predicate;
        return new Trigger(level, kinds, c -> before.test(c) && condition.test(c));
    }

    public String level() {
        return level;
    }

    public Set<ChangeKind> kinds() {
        return EnumSet.copyOf(kinds);
    }

    /** True when this trigger fires for {@code change}. */
    public boolean fires(final Change change) {
        return change.level().equals(level) && kinds.contains(change.kind()) && predicate.test(change);
    }

    @Override
    public String toString() {
        return "on " + kinds + " at '" + level + "'";
    }
}
