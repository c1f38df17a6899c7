package io.slate.blackboard;

/**
 * Ranks the activations on a controller's agenda: higher runs first; ties go to the earlier triggering change, then
 * to the knowledge source name. Must be a pure function of the activation (every process ranks the same way) and
 * return a finite number; it is called once per activation, when the activation enters the agenda. A rating that
 * throws or returns NaN or an infinity is a programming error: the controller stops with an
 * {@link IllegalStateException} naming the activation (as it does when a trigger's condition throws).
 */
@FunctionalInterface
public interface Rating {
    /** The default: the confidence of the entry whose change fired the trigger. */
    Rating CONFIDENCE = a -> a.entry().confidence();

    double rate(Activation activation);
}
