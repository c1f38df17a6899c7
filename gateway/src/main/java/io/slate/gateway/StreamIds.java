package io.slate.gateway;

/**
 * Stream ids of the journal stream: the record at journal index {@code i} is the entry {@code i-0}. Parses the ids
 * XRANGE, XREVRANGE and XREAD take ({@code -}, {@code +}, {@code $}, {@code ms}, {@code ms-seq}, and {@code (} for an
 * exclusive bound) into inclusive journal index bounds.
 */
final class StreamIds {
    static final String INVALID = "ERR Invalid stream ID specified as stream command argument";

    private StreamIds() {
    }

    /** The smallest journal index at or after this start id. */
    static long startIndex(final String id) {
        if (id.equals("-")) {
            return 0;
        }
        if (id.equals("+")) {
            return Long.MAX_VALUE;
        }
        final boolean exclusive = id.startsWith("(");
        final long[] ms = parse(exclusive ? id.substring(1) : id);
        if (exclusive) {
            return ms[0] == Long.MAX_VALUE ? Long.MAX_VALUE : ms[0] + 1;
        }
        return ms[1] > 0 ? (ms[0] == Long.MAX_VALUE ? Long.MAX_VALUE : ms[0] + 1) : ms[0];
    }

    /** The largest journal index at or before this end id (may be -1: nothing). */
    static long endIndex(final String id) {
        if (id.equals("+")) {
            return Long.MAX_VALUE;
        }
        if (id.equals("-")) {
            return -1;
        }
        final boolean exclusive = id.startsWith("(");
        final String body = exclusive ? id.substring(1) : id;
        final long[] ms = parse(body);
        if (exclusive) {
            final boolean seqGiven = body.indexOf('-') >= 0;
            return seqGiven && ms[1] > 0 ? ms[0] : ms[0] - 1;
        }
        return ms[0];
    }

    /** The first journal index after the id given to XREAD (entries strictly after it). */
    static long afterIndex(final String id) {
        final long[] ms = parse(id);
        return ms[0] == Long.MAX_VALUE ? Long.MAX_VALUE : ms[0] + 1;
    }

    /** {ms, seq}; seq is 0 when absent. */
    static long[] parse(final String id) {
        final int dash = id.indexOf('-');
        try {
            if (dash < 0) {
                return new long[] {Long.parseUnsignedLong(id) < 0 ? Long.MAX_VALUE : Long.parseUnsignedLong(id), 0};
            }
            final long ms = Long.parseUnsignedLong(id.substring(0, dash));
            final long seq = Long.parseUnsignedLong(id.substring(dash + 1));
            return new long[] {ms < 0 ? Long.MAX_VALUE : ms, seq < 0 ? Long.MAX_VALUE : seq};
        } catch (NumberFormatException e) {
            throw new GatewayError(INVALID);
        }
    }

    static String of(final long index) {
        return index + "-0";
    }
}
