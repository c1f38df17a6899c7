package io.slate.cli;

import picocli.CommandLine.Command;

/** {@code slate rd --name T TEMPLATE...}. */
@Command(name = "rd", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Reads the oldest tuple of the tuple space NAME that matches TEMPLATE, without removing it, and prints it as one JSON array.",
            "Waits until one is written (or Ctrl-C), at most --timeout; exits with 1 when none came.",
            "A TEMPLATE field is a FIELD as for 'slate out' (that exact value), ?string, ?long, ?double, ?boolean or ?bytes (any field "
                + "of that type) or * (any field). A template matches tuples of exactly its number of fields.",
        })
final class RdCommand extends MatchCommand.Waiting {
    @Override
    boolean take() {
        return false;
    }
}
