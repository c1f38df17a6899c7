package io.slate.cli;

import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import picocli.CommandLine.Command;

/** {@code slate rdp --name T TEMPLATE...}. */
@Command(name = "rdp", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Reads the oldest tuple of the tuple space NAME that matches TEMPLATE, without removing it, and prints it as one JSON array.",
            "Does not wait: exits with 1 when nothing matches now.",
            "A TEMPLATE field is a FIELD as for 'slate out' (that exact value), ?string, ?long, ?double, ?boolean or ?bytes (any field "
                + "of that type) or * (any field). A template matches tuples of exactly its number of fields.",
        })
final class RdpCommand extends MatchCommand {
    @Override
    Tuple match(final TupleSpace ts, final Template t) {
        return ts.rdp(t);
    }

    @Override
    boolean takes() {
        return false;
    }
}
