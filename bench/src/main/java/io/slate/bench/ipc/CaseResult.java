package io.slate.bench.ipc;

import org.HdrHistogram.Histogram;

/**
 * One line of the results: a case in one mode ({@code rtt}, {@code oneway} or {@code throughput}). Latency modes
 * carry their full histogram; a throughput result has none (its percentiles are absent) and says how many writer JVMs
 * ran.
 */
final class CaseResult {
    final String name;
    final String mode;
    final Histogram histogram;
    final long samples;
    final double opsPerSec;
    final int payloadBytes;
    final int writers;
    final double allocatedBytesPerOp;
    final String pinning;
    final String note;

    CaseResult(final String name, final String mode, final Histogram histogram, final long samples, final double opsPerSec,
               final int payloadBytes, final int writers, final double allocatedBytesPerOp, final String pinning, final String note) {
        this.name = name;
        this.mode = mode;
        this.histogram = histogram;
        this.samples = samples;
        this.opsPerSec = opsPerSec;
        this.payloadBytes = payloadBytes;
        this.writers = writers;
        this.allocatedBytesPerOp = allocatedBytesPerOp;
        this.pinning = pinning;
        this.note = note;
    }

    /** The latency at {@code percentile}, in ns; -1 for a throughput result. */
    long percentile(final double percentile) {
        return histogram == null ? -1 : histogram.getValueAtPercentile(percentile);
    }

    long max() {
        return histogram == null ? -1 : histogram.getMaxValue();
    }
}
