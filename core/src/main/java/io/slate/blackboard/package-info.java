/**
 * The blackboard: levels of entries (hypotheses, partial solutions) shared by agents in separate processes, knowledge
 * sources with triggers and actions, and controllers that keep a ranked agenda of activations and give each one to
 * exactly one knowledge source instance across all processes.
 *
 * <p>Start at {@link io.slate.blackboard.Blackboard#of(io.slate.space.Space, String, String...)}. Everything a
 * blackboard is lives in the space's journal, so {@link io.slate.blackboard.Blackboard#replay} rebuilds it as it was at
 * any journal index. The record formats, the claim protocol and time travel are described in
 * {@code docs/blackboard.md}.
 *
 * <p>Thread safety, by type: {@code Blackboard} handles and {@code Controller}s are single-threaded (each owns a
 * journal tailer); {@code Attributes}, {@code BlackboardEntry}, {@code BlackboardSnapshot}, {@code Change},
 * {@code Activation}, {@code ActivationRecord}, {@code RunResult}, {@code Trigger} and {@code KnowledgeSource} are
 * immutable and thread-safe; an {@code ActionContext} and the state it shows are valid only during the action.
 */
package io.slate.blackboard;
