package io.slate.cli;

import io.slate.tuple.TupleWords;
import io.slate.space.Space;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code rd}, {@code in}, {@code rdp} and {@code inp}: find the oldest tuple matching a template and print it. */
abstract class MatchCommand extends TupleCommand {
    @Parameters(arity = "1..*", paramLabel = "TEMPLATE", description = "The template's fields, in order.")
    private List<String> template;

    /** The match, or {@code null} when there is none (exit code 1). */
    abstract Tuple match(TupleSpace ts, Template t);

    /** True when the command removes what it matches (in, inp); rd and rdp open the space as an observer. */
    abstract boolean takes();

    @Override
    final int execute() {
        final Template t = TupleWords.template(template);
        try (Space s = takes() ? openExisting() : observe(); TupleSpace ts = tupleSpace(s)) {
            final Tuple found = match(ts, t);
            if (found == null) {
                throw noMatch(t);
            }
            out().println(found);
        }
        return SlateCli.EXIT_OK;
    }

    /** {@code rd} and {@code in}: wait for a match, at most {@code --timeout}. */
    abstract static class Waiting extends MatchCommand {
        @Option(names = "--timeout", paramLabel = "DURATION", description = "Wait at most this long: e.g. 500ms, 2s, 1m or PT1.5S (a bare "
                + "number is seconds; 0: do not wait). Default: until a tuple matches, or Ctrl-C.")
        private String timeout;

        /** True to take the tuple, false to read it. */
        abstract boolean take();

        @Override
        final boolean takes() {
            return take();
        }

        @Override
        final Tuple match(final TupleSpace ts, final Template t) {
            return await(ts, t, timeout == null ? null : TupleText.durationNanos(timeout, "--timeout"), take());
        }
    }
}
