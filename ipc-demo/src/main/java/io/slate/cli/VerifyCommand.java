package io.slate.cli;

import io.slate.journal.VerifyReport;
import io.slate.space.Space;
import picocli.CommandLine.Command;

/** {@code slate verify}: checks the map against a replay of the journal. */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Replays the journal and compares the result with the key/value map. Prints OK or MISMATCH with the numbers, "
                + "then one line per difference (at most 100).",
            "Exits with 0 when they agree, 1 when they do not.",
        })
final class VerifyCommand extends SpaceCommand {
    @Override
    int execute() {
        try (Space s = observe()) {
            final VerifyReport r = s.journal().verify();
            out().println((r.ok() ? "OK" : "MISMATCH") + ": " + r.recordsReplayed() + " records replayed, " + r.keysChecked()
                    + " keys checked" + (r.journalComplete() ? "" : " (early journal cycles removed by retention: keys written only "
                    + "before them were not checked)"));
            for (String m : r.mismatches()) {
                out().println(m);
            }
            if (!r.ok()) {
                throw CliFailure.failed(s.address() + ": the key/value map and the journal disagree ("
                        + r.mismatchCount() + " differences)");
            }
        }
        return SlateCli.EXIT_OK;
    }
}
