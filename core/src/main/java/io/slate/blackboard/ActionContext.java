package io.slate.blackboard;

/**
 * What an {@link Action} gets: its activation, the blackboard as of the trigger, and a place to propose changes.
 * Proposed changes are buffered and committed together after the action returns: all of them or none (none when
 * an update or retraction names an entry that is gone or an expected version that no longer holds; the
 * activation then ends as {@link ActivationRecord.State#CONFLICT}).
 *
 * <p>Valid only during {@link Action#execute(ActionContext)}, on the controller's thread.
 */
public interface ActionContext {
    /** The activation being executed. */
    Activation activation();

    /**
     * The blackboard exactly as the triggering change left it: every change before it and the change itself, nothing
     * after, whatever has happened since. This is what makes an action's result the same in every run and every
     * process. Valid on the controller's thread during the action.
     */
    BlackboardState board();

    /** The agent id of this process (the executor the journal will name). */
    String agentId();

    /**
     * Proposes a new entry. Its id is assigned when the commit is applied.
     *
     * @throws IllegalArgumentException for an unknown level, null attributes, or a confidence that is NaN or outside [0, 1]
     */
    void post(String level, Attributes attributes, double confidence);

    /** Proposes new attributes and confidence for an entry, whatever its version then. */
    void update(long entryId, Attributes attributes, double confidence);

    /** Proposes new attributes and confidence for an entry, only if it is still at {@code expectedVersion}. */
    void update(long entryId, long expectedVersion, Attributes attributes, double confidence);

    /** Proposes to retract an entry. */
    void retract(long entryId);

    /** Proposes to retract an entry only if it is still at {@code expectedVersion}. */
    void retract(long entryId, long expectedVersion);

    /** How many changes have been proposed so far. */
    int proposed();
}
