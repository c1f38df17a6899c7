package io.slate.blackboard;

import io.slate.idle.IdleStrategy;
import io.slate.engine.blackboard.JournalController;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs knowledge sources on a blackboard: keeps the agenda of their activations, ranked by a {@link Rating}, claims
 * the best one, executes its action and commits the result; stops on the goal, on quiescence or at a time limit.
 *
 * <p>Any number of controllers, in any processes, may run on one blackboard. Their agendas agree because every
 * activation is derived from the journal by the triggers; each activation is given to exactly one of them by a claim
 * record in the journal (the first valid claim in journal order wins). A claim held by an agent that died is
 * abandoned by any survivor, exactly (by PID and process start time, never by a timeout), and the activation goes back
 * on the agenda; an action's changes are committed in the same record that ends its activation, so they take effect
 * exactly once. The protocol is in {@code docs/blackboard.md}.
 *
 * <p>For the agendas to agree, every process that runs a controller on a blackboard should register the same
 * knowledge sources (names, triggers and ratings): a process sees pending activations only of its own knowledge
 * sources (and running ones of all), so its quiescence is relative to them.
 *
 * <p>Single-threaded: a controller owns a journal tailer and a local view; use it from one thread (it binds to the
 * first thread that calls {@link #doWork()}, {@link #run}, {@link #agenda()} or {@link #isQuiescent()}). Only
 * {@link #requestStop()} may be called from other threads. Actions run on that thread.
 *
 * <pre>{@code
 * try (Controller c = bb.controller().register(detector).register(combiner)
 *         .goal(s -> s.count("plan") == 3).build()) {
 *     RunResult r = c.run(60, TimeUnit.SECONDS);
 * }
 * }</pre>
 */
public interface Controller extends AutoCloseable {
    /**
     * One unit of work: applies the journal records that have arrived (firing triggers), gives up claims of agents that
     * died, and claims and executes at most one activation. For an agent loop of your own.
     *
     * @return how much work was done (0: nothing to do right now)
     */
    int doWork();

    /**
     * Works until the goal holds, the blackboard is quiescent, {@link #requestStop()} is called or the time is up,
     * idling with the space's idle strategy when there is nothing to do.
     */
    RunResult run(long timeout, TimeUnit unit);

    /** The pending activations of this controller's knowledge sources, best first, after applying what has arrived. */
    List<Activation> agenda();

    /** True when, after applying what has arrived, nothing is pending here and nothing is running anywhere. */
    boolean isQuiescent();

    /** An immutable copy of this controller's view of the blackboard, after applying what has arrived. */
    BlackboardSnapshot snapshot();

    /** The keys of the activations this controller finished, in the order it finished them. */
    List<String> executed();

    /** The journal index this controller's view has reached (-1 before the first record). */
    long lastIndex();

    /** Makes {@link #run} return ({@link RunResult.StopReason#STOPPED}) after its current step. Thread-safe. */
    void requestStop();

    /** Releases the view and its tailer. Never leaves a claim behind: claims are committed within {@link #doWork()}. */
    @Override
    void close();

    /** Builds a controller for one blackboard. Not thread-safe. */
    final class Builder {
        private final Blackboard blackboard;
        private final List<KnowledgeSource> sources = new ArrayList<>();
        private Rating rating = Rating.CONFIDENCE;
        private Predicate<BlackboardState> goal;
        private Supplier<IdleStrategy> idleStrategy;

        Builder(final Blackboard blackboard) {
            this.blackboard = blackboard;
        }

        /**
         * Adds a knowledge source this controller may run.
         *
         * @throws IllegalArgumentException when another one has the same name, or its trigger names a level the blackboard lacks
         */
        public Builder register(final KnowledgeSource source) {
            if (source == null) {
                throw new IllegalArgumentException("knowledge source must not be null");
            }
            for (KnowledgeSource s : sources) {
                if (s.name().equals(source.name())) {
                    throw new IllegalArgumentException("knowledge source '" + source.name() + "' is already registered");
                }
            }
            if (!blackboard.levels().contains(source.trigger().level())) {
                throw new IllegalArgumentException("knowledge source '" + source.name() + "' triggers on level '" + source.trigger().level()
                        + "', which blackboard '" + blackboard.name() + "' does not have (levels: " + blackboard.levels() + ")");
            }
            sources.add(source);
            return this;
        }

        /** How activations are ranked (default {@link Rating#CONFIDENCE}). */
        public Builder rating(final Rating r) {
            if (r == null) {
                throw new IllegalArgumentException("rating must not be null");
            }
            this.rating = r;
            return this;
        }

        /**
         * Stop as soon as this holds (checked on the controller's view whenever it has applied new records; the state
         * passed is that live view, valid during the call). Without a goal the controller stops on quiescence only.
         */
        public Builder goal(final Predicate<BlackboardState> condition) {
            this.goal = condition;
            return this;
        }

        /** How {@link Controller#run} waits when there is nothing to do (default: the space's). */
        public Builder idleStrategy(final Supplier<IdleStrategy> factory) {
            this.idleStrategy = factory;
            return this;
        }

        /** @throws IllegalStateException when no knowledge source is registered */
        public Controller build() {
            if (sources.isEmpty()) {
                throw new IllegalStateException("a controller needs at least one knowledge source");
            }
            return JournalController.create(blackboard, List.copyOf(sources), rating, goal, idleStrategy);
        }
    }
}
