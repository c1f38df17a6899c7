package io.slate.cli;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.tuple.TupleRecord;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Durations as the command line writes them, and tuple records as {@code tail} shows them. Tuples and templates are
 * written as {@link io.slate.tuple.TupleWords} reads them (the gateway's {@code SLATE.*} commands read the same words).
 */
final class TupleText {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|h)?");

    private TupleText() {
    }

    /** A duration: a number with a unit (ns, us, ms, s, m, h; none means seconds) or ISO-8601 ({@code PT1.5S}); in nanoseconds. */
    static long durationNanos(final String s, final String option) {
        final String v = s.strip();
        if (v.startsWith("P") || v.startsWith("p")) {
            try {
                final Duration d = Duration.parse(v.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw CliFailure.usage(option + " must not be negative, got " + s);
                }
                return d.toNanos();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw CliFailure.usage(option + " '" + s + "' is not a duration");
            }
        }
        final java.util.regex.Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw CliFailure.usage(option + " '" + s + "' is not a duration: use e.g. 500ms, 2s, 1.5m, 1h or PT2S");
        }
        final double n = Double.parseDouble(m.group(1));
        final String unit = m.group(2) == null ? "s" : m.group(2);
        final double nanos;
        switch (unit) {
            case "ns":
                nanos = n;
                break;
            case "us":
            case "µs":
                nanos = n * 1e3;
                break;
            case "ms":
                nanos = n * 1e6;
                break;
            case "m":
                nanos = n * 60e9;
                break;
            case "h":
                nanos = n * 3600e9;
                break;
            default:
                nanos = n * 1e9;
                break;
        }
        if (nanos >= Long.MAX_VALUE) {
            throw CliFailure.usage(option + " '" + s + "' is too long");
        }
        return (long) nanos;
    }

    /** A duration for a message: {@code 2s}, {@code 500ms}. */
    static String describe(final long nanos) {
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        return TimeUnit.NANOSECONDS.toMicros(nanos) + "us";
    }

    // ---------------------------------------------------------------- tail

    /** True for the records of tuple spaces. */
    static boolean isTuple(final JournalRecord r) {
        return TupleRecord.isTupleOp(r.op());
    }

    /** The value part of a {@code tail} text line for a tuple record. */
    static String describe(final JournalRecord r) {
        try {
            return TupleRecord.of(r).toString();
        } catch (IllegalArgumentException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * A tuple record as one JSON object: index, op, key (the tuple space), version, agent, time, iso as for every record;
     * then {@code "tuple":[...]} and {@code "ttl_ns"} for an out; {@code "tuple_id"}, {@code "take"} and
     * {@code "final"}/{@code "taker_pid"} (take) or {@code "taker_died"} (return) for the others.
     */
    static String json(final JournalRecord r) {
        final StringBuilder sb = new StringBuilder(160);
        sb.append("{\"index\":").append(r.index()).append(",\"op\":");
        Json.quote(r.op().label(), sb);
        sb.append(",\"key\":");
        Json.quote(r.key(), sb);
        sb.append(",\"version\":").append(r.version()).append(",\"agent\":");
        Json.quote(r.agent(), sb);
        sb.append(",\"time\":").append(r.timestampNanos()).append(",\"iso\":");
        Json.quote(Text.isoNanos(r.timestampNanos()), sb);
        final TupleRecord t;
        try {
            t = TupleRecord.of(r);
        } catch (IllegalArgumentException e) {
            sb.append(",\"error\":");
            Json.quote(e.getMessage(), sb);
            return sb.append('}').toString();
        }
        if (r.op() == Op.TUPLE_OUT) {
            sb.append(",\"tuple\":").append(t.tuple());
            if (t.ttlNanos() > 0) {
                sb.append(",\"ttl_ns\":").append(t.ttlNanos());
            }
        } else {
            sb.append(",\"tuple_id\":").append(t.tupleId()).append(",\"take\":").append(t.takeIndex());
            if (r.op() == Op.TUPLE_TAKE) {
                sb.append(",\"final\":").append(t.isFinal()).append(",\"taker_pid\":").append(t.takerPid());
            } else if (r.op() == Op.TUPLE_RETURN) {
                sb.append(",\"taker_died\":").append(t.takerDied());
            }
        }
        return sb.append('}').toString();
    }
}
