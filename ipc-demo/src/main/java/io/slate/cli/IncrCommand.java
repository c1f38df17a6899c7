package io.slate.cli;

import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slate incr KEY [--by N]}: atomic add to a decimal counter. */
@Command(name = "incr", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Atomically adds N (default 1; may be negative) to the decimal number stored under KEY (a missing key counts as 0) "
                + "and prints the result.",
            "Exits with 2 when the stored value is not a decimal long or the sum overflows. Creates the space if it does not exist.",
        })
final class IncrCommand extends SpaceCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    @Option(names = "--by", paramLabel = "N", defaultValue = "1", description = "The amount to add (default: ${DEFAULT-VALUE}).")
    private long delta;

    @Override
    int execute() {
        requireKey(key);
        try (Space s = openOrCreate()) {
            checkKey(s, key);
            try {
                out().println(s.kv().increment(key, delta));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("adding " + delta + " to key " + quoteKey(key) + " overflows a long; nothing written", e);
            }
        }
        return SlateCli.EXIT_OK;
    }
}
