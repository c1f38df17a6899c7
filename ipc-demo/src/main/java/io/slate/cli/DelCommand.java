package io.slate.cli;

import io.slate.kv.KeyValue;
import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slate del KEY}: removes a key, printing the tombstone's version. */
@Command(name = "del", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Removes KEY and prints the version of the tombstone it leaves (versions keep counting if the key is written again).",
            "Exits with 1 when the key does not exist.",
        })
final class DelCommand extends SpaceCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    @Override
    int execute() {
        requireKey(key);
        try (Space s = openOrCreate()) {
            checkKey(s, key);
            final long v = s.kv().remove(key);
            if (v == KeyValue.NOT_FOUND) {
                throw CliFailure.failed("key " + quoteKey(key) + " not found in " + s.address() + "; nothing removed");
            }
            out().println(v);
        }
        return SlateCli.EXIT_OK;
    }
}
