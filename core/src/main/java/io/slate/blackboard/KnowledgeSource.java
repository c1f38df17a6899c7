package io.slate.blackboard;

import io.slate.engine.blackboard.Names;

import java.util.Objects;

/**
 * An expert: a name, a {@link Trigger} and an {@link Action}. Register it with a controller in every process that
 * should be able to run it; the name identifies it across processes, so an activation is claimed by
 * (knowledge source name, entry version) and runs in exactly one of them. Immutable and thread-safe (if its trigger
 * and action are).
 *
 * <pre>{@code
 * KnowledgeSource detector = KnowledgeSource.of("detector",
 *         Trigger.onPosted("signal").when(c -> c.entry().getDouble("value") > 5.0),
 *         ctx -> ctx.post("hypothesis", Attributes.of("sensor", ctx.activation().entry().getLong("sensor")), 0.7));
 * }</pre>
 */
public final class KnowledgeSource {
    private final String name;
    private final Trigger trigger;
    private final Action action;

    private KnowledgeSource(final String name, final Trigger trigger, final Action action) {
        this.name = name;
        this.trigger = trigger;
        this.action = action;
    }

    /**
     * @param name 1 to {@value Blackboard#MAX_NAME_BYTES} UTF-8 bytes, no control characters
     * @throws IllegalArgumentException for a bad name or a null trigger or action
     */
    public static KnowledgeSource of(final String name, final Trigger trigger, final Action action) {
        Names.check(name, "knowledge source name", Blackboard.MAX_NAME_BYTES);
        if (trigger == null || action == null) {
            throw new IllegalArgumentException("knowledge source '" + name + "' needs a trigger and an action");
        }
        return new KnowledgeSource(name, trigger, action);
    }

    public String name() {
        return name;
    }

    public Trigger trigger() {
        return trigger;
    }

    public Action action() {
        return action;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof KnowledgeSource && ((KnowledgeSource) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return "KnowledgeSource{" + name + ", " + trigger + '}';
    }
}
