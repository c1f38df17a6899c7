/**
 * Linda tuple spaces across the processes of one host: {@link io.slate.tuple.TupleSpace#of(io.slate.space.Space, String)}
 * names one inside a space; agents {@code out} {@link io.slate.tuple.Tuple}s and read or take them by
 * {@link io.slate.tuple.Template}, oldest match first; {@link io.slate.tuple.Taken} is a take that returns to the space
 * if its taker dies before acknowledging it; {@link io.slate.tuple.TupleWatch} follows the tuples written, durably.
 *
 * <p>The space's journal is the only shared state: every write, take, acknowledgement and return is a record, and the
 * first valid take of a tuple in journal order wins, by rules every process applies alike. A dead taker is recognized by
 * PID and process start time, never by a timeout. Record formats, the rules and the crash behaviour are in
 * {@code docs/tuples.md}.
 */
package io.slate.tuple;
