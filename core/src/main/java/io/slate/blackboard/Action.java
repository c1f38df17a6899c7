package io.slate.blackboard;

/**
 * What a knowledge source does with an activation. It reads the blackboard as of its trigger
 * ({@link ActionContext#board()}) and proposes changes through the context; the controller then commits them all in
 * one journal record, together with the end of the activation, so they take effect exactly once.
 *
 * <p>An action may run more than once for one activation only when the process running it dies before committing
 * (its claim is then abandoned and another instance runs it): keep side effects outside the blackboard idempotent.
 * An exception ends the activation as {@link ActivationRecord.State#FAILED}; nothing it proposed is applied.
 */
@FunctionalInterface
public interface Action {
    void execute(ActionContext context) throws Exception;
}
