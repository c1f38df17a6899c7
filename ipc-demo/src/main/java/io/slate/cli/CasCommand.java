package io.slate.cli;

import io.slate.kv.KeyValue;
import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slate cas KEY VERSION VALUE}: compare-and-set. */
@Command(name = "cas", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Writes VALUE under KEY only if the key is at VERSION (0: only if the key does not exist), and prints the new version.",
            "Exits with 1, writing nothing, when the key is at another version. Creates the space if it does not exist.",
        })
final class CasCommand extends SpaceCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    @Parameters(index = "1", paramLabel = "VERSION", description = "The version the key must be at; 0 means absent.")
    private long expected;

    @Parameters(index = "2", paramLabel = "VALUE", description = "UTF-8 text, or b64:BASE64 for arbitrary bytes.")
    private String value;

    @Override
    int execute() {
        requireKey(key);
        if (expected < 0) {
            throw new IllegalArgumentException("VERSION must be >= 0 (0: the key must not exist), got " + expected);
        }
        final byte[] bytes = Text.parseValue(value);
        try (Space s = openOrCreate()) {
            checkKey(s, key);
            final long v = s.kv().compareAndSet(key, expected, bytes);
            if (v == KeyValue.CONFLICT) {
                final long current = s.kv().version(key);
                throw CliFailure.failed("version conflict on key " + quoteKey(key) + ": expected "
                        + (expected == KeyValue.ABSENT ? "no key" : "version " + expected) + ", but "
                        + (current == KeyValue.ABSENT ? "the key does not exist" : "it is at version " + current) + "; nothing written");
            }
            out().println(v);
        }
        return SlateCli.EXIT_OK;
    }
}
