package io.slate.cli;

import io.slate.space.Space;
import io.slate.tuple.Template;
import io.slate.tuple.TupleSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code slate rd --name T TEMPLATE...}. */
@Command(name = "rd", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Reads the oldest tuple of the tuple space NAME that matches TEMPLATE, without removing it, and prints it as one JSON array.",
            "Waits until one is written (or Ctrl-C), at most --timeout; exits with 1 when none came.",
            "A TEMPLATE field is a FIELD as for 'slate out' (that exact value), ?string, ?long, ?double, ?boolean or ?bytes (any field "
                + "of that type) or * (any field). A template matches tuples of exactly its number of fields.",
        })
final class RdCommand extends TupleCommand {
    @Parameters(arity = "1..*", paramLabel = "TEMPLATE", description = "The template's fields, in order.")
    private List<String> template;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Wait at most this long: e.g. 500ms, 2s, 1m or PT1.5S (a bare "
            + "number is seconds; 0: do not wait). Default: until a tuple matches, or Ctrl-C.")
    private String timeout;

    @Override
    int execute() {
        final Template t = TupleText.template(template);
        final Long timeoutNanos = timeout == null ? null : TupleText.durationNanos(timeout, "--timeout");
        try (Space s = openExisting(); TupleSpace ts = tupleSpace(s)) {
            out().println(await(ts, t, timeoutNanos, false));
        }
        return SlateCli.EXIT_OK;
    }
}
