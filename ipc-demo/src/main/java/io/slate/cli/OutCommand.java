package io.slate.cli;

import io.slate.tuple.TupleWords;
import io.slate.space.Space;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code slate out --name T FIELD...}: writes a tuple. */
@Command(name = "out", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Writes a tuple to the tuple space NAME and prints its id (the journal index of the write).",
            "A FIELD is true or false (boolean), an integer (long), a decimal number with a '.' or an exponent (double), b64:BASE64 "
                + "(bytes), text in quotes (a string: '\"42\"' is the string 42), or any other word (a string).",
            "With --ttl the tuple is gone for everyone once the time to live has passed. Creates the space if it does not exist.",
        })
final class OutCommand extends TupleCommand {
    @Parameters(arity = "1..*", paramLabel = "FIELD", description = "The tuple's fields, in order.")
    private List<String> fields;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "Time to live: e.g. 500ms, 30s, 5m, 1h or PT1.5S (a bare number is seconds).")
    private String ttl;

    @Override
    int execute() {
        final Tuple tuple = TupleWords.tuple(fields);
        final long ttlNanos = ttl == null ? 0 : TupleText.durationNanos(ttl, "--ttl");
        if (ttl != null && ttlNanos <= 0) {
            throw CliFailure.usage("--ttl must be > 0, got " + ttl);
        }
        try (Space s = openOrCreate(); TupleSpace ts = tupleSpace(s)) {
            out().println(ttl == null ? ts.out(tuple) : ts.out(tuple, ttlNanos, TimeUnit.NANOSECONDS));
        }
        return SlateCli.EXIT_OK;
    }
}
