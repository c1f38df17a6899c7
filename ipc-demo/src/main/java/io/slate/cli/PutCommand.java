package io.slate.cli;

import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slate put KEY VALUE}: writes unconditionally and prints the new version. */
@Command(name = "put", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Writes VALUE under KEY, whatever is there, and prints the key's new version (1 for a new key).",
            "Creates the space if it does not exist.",
        })
final class PutCommand extends SpaceCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8, at most the space's maxKeyBytes, 256 by default).")
    private String key;

    @Parameters(index = "1", paramLabel = "VALUE", description = "UTF-8 text, or b64:BASE64 for arbitrary bytes.")
    private String value;

    @Override
    int execute() {
        requireKey(key);
        final byte[] bytes = Text.parseValue(value);
        try (Space s = openOrCreate()) {
            checkKey(s, key);
            out().println(s.kv().put(key, bytes));
        }
        return SlateCli.EXIT_OK;
    }
}
