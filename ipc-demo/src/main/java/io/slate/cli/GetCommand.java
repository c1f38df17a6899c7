package io.slate.cli;

import io.slate.kv.Entry;
import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slate get KEY}: prints the value, or the whole entry as JSON. */
@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prints the value under KEY: the text itself, or b64:BASE64 when the value is not UTF-8 text.",
            "With --format json prints {\"key\",\"version\",\"writer\",\"time\" (epoch nanoseconds),\"iso\",\"index\" (journal index),"
                + "\"value\"}, the value base64-encoded with \"encoding\":\"base64\" when it is not text.",
            "Exits with 1 when the key does not exist (never written, or removed).",
        })
final class GetCommand extends SpaceCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format: text (default) or json.")
    private OutputFormat format;

    @Override
    int execute() {
        requireKey(key);
        try (Space s = observe()) {
            checkKey(s, key);
            final Entry e = s.kv().get(key);
            if (e == null) {
                throw CliFailure.failed("key " + quoteKey(key) + " not found in " + s.address());
            }
            final byte[] v = e.value();
            if (format == OutputFormat.JSON) {
                out().println(new Json()
                        .field("key", e.key())
                        .field("version", e.version())
                        .field("writer", e.writer())
                        .field("time", e.timestampNanos())
                        .field("iso", Text.isoNanos(e.timestampNanos()))
                        .field("index", e.journalIndex())
                        .value("value", v, v.length));
            } else {
                out().println(Text.display(v, v.length));
            }
        }
        return SlateCli.EXIT_OK;
    }
}
