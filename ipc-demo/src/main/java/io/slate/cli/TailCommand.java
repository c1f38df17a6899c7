package io.slate.cli;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/** {@code slate tail}: prints journal records, optionally following new ones. */
@Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prints the journal: every write to the space, in commit order, one line per record.",
            "",
            "Where it starts: without --follow, at the first record (as --from-start); with --follow alone, at the end, so only "
                + "records written from now on are printed. --from-start and --from INDEX choose explicitly.",
            "Without --follow it stops at the last record; with --follow it keeps printing new records until Ctrl-C or --count.",
            "",
            "Text lines: INDEX OP KEY@VERSION AGENT TIME VALUE (TIME in ISO-8601 UTC; line breaks shown as \\n; "
                + "values that are not text as b64:BASE64).",
            "JSON lines: {\"index\",\"op\" (put|remove|revert),\"key\",\"version\",\"agent\",\"time\" (epoch nanoseconds),\"iso\","
                + "\"value\"}; \"removed\":true on records that remove the key, \"reverted\":INDEX on revert records, and "
                + "\"encoding\":\"base64\" when the value is not UTF-8 text and is given base64-encoded.",
        })
final class TailCommand extends SpaceCommand {
    /** How often a follow loop wakes up to check Ctrl-C and a closed stdout when no records come. */
    private static final long FOLLOW_POLL_MILLIS = 200;
    /** Without --follow, check for a closed stdout every this many records. */
    private static final int CHECK_EVERY = 1024;

    @Option(names = "--from-start", description = "Start at the first record of the journal (the default without --follow).")
    private boolean fromStart;

    @Option(names = "--from", paramLabel = "INDEX", converter = IndexConverter.class,
            description = "Start at the record with this journal index (decimal, or hex with 0x), or the first after it.")
    private Long fromIndex;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new records as they are written, until Ctrl-C or --count.")
    private boolean follow;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N records.")
    private Long count;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format: text (default) or json.")
    private OutputFormat format;

    @Override
    int execute() {
        if (fromStart && fromIndex != null) {
            throw CliFailure.usage("--from-start and --from INDEX cannot be given together");
        }
        if (count != null && count < 0) {
            throw CliFailure.usage("--count must be >= 0, got " + count);
        }
        final long limit = count == null ? Long.MAX_VALUE : count;
        final PrintStream out = out();
        try (Space s = observe(); Tailer t = tailer(s)) {
            long printed = 0;
            while (printed < limit && !stopRequested()) {
                final JournalRecord r = follow ? t.next(FOLLOW_POLL_MILLIS, TimeUnit.MILLISECONDS) : t.next(0, TimeUnit.NANOSECONDS);
                if (r == null) {
                    if (!follow || out.checkError()) {
                        break;
                    }
                    continue;
                }
                out.println(format == OutputFormat.JSON ? json(r) : text(r));
                printed++;
                if ((follow || printed % CHECK_EVERY == 0) && out.checkError()) {
                    break; // stdout closed (e.g. piped into head): stop quietly
                }
            }
        }
        return SlateCli.EXIT_OK;
    }

    private Tailer tailer(final Space s) {
        if (fromIndex != null) {
            return s.journal().tailerFromIndex(fromIndex);
        }
        if (fromStart || !follow) {
            return s.journal().tailerFromStart();
        }
        return s.journal().tailerFromEnd();
    }

    /** One record as a JSON object. */
    static String json(final JournalRecord r) {
        if (TupleText.isTuple(r)) {
            return TupleText.json(r); // tuple records: the tuple, or the take they are about (docs/tuples.md)
        }
        final Json j = new Json()
                .field("index", r.index())
                .field("op", r.op().label())
                .field("key", r.key())
                .field("version", r.version())
                .field("agent", r.agent())
                .field("time", r.timestampNanos())
                .field("iso", Text.isoNanos(r.timestampNanos()));
        if (r.removed()) {
            j.field("removed", true);
        }
        if (r.op() == Op.REVERT) {
            j.field("reverted", r.revertedIndex());
        }
        return j.value("value", r.valueBuffer(), r.valueLength()).toString();
    }

    /** One record as a readable line. */
    static String text(final JournalRecord r) {
        final StringBuilder sb = new StringBuilder(128)
                .append(r.index()).append(' ')
                .append(r.op().label()).append(' ')
                .append(Text.oneLine(r.key())).append('@').append(r.version()).append(' ')
                .append(r.agent().length() == 0 ? "-" : Text.oneLine(r.agent())).append(' ')
                .append(Text.isoNanos(r.timestampNanos()));
        if (r.op() == Op.REVERT) {
            sb.append(" (undoes ").append(r.revertedIndex()).append(r.removed() ? "; key removed)" : ")");
        }
        if (TupleText.isTuple(r)) {
            sb.append(' ').append(TupleText.describe(r));
        } else if (!r.removed()) {
            sb.append(' ').append(Text.displayOneLine(r.valueBuffer(), r.valueLength()));
        }
        return sb.toString();
    }

    /** Journal indices in decimal or {@code 0x} hex. */
    static final class IndexConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(final String value) {
            final String v = value.strip();
            try {
                final long index = v.startsWith("0x") || v.startsWith("0X") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
                if (index < 0) {
                    throw new TypeConversionException("journal index must be >= 0, got " + value);
                }
                return index;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a journal index (decimal, or hex with 0x)");
            }
        }
    }
}
