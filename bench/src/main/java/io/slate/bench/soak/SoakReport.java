package io.slate.bench.soak;

import io.slate.internal.JsonText;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's verdict and files: {@code soak.csv} (one row per interval), {@code summary.json}, {@code summary.txt}
 * (also printed) and {@code soak.png}.
 */
final class SoakReport {
    private static final double MIB = 1024 * 1024;
    /** Memory is flat when the last quarter's mean is within this fraction (plus {@link #RSS_SLACK_MIB}) of the first's. */
    static final double RSS_GROWTH = 0.10;
    static final double RSS_SLACK_MIB = 16;
    static final double SHM_GROWTH = 0.25;
    static final double SHM_SLACK_MIB = 8;

    private SoakReport() {
    }

    /** Writes everything; returns the verdict (true: no errors, memory flat, /dev/shm bounded). */
    static boolean write(final Soak soak, final Path out) throws IOException {
        final List<Soak.Sample> all = soak.samples();
        final List<Soak.Agent> agents = soak.agents();
        final List<String> lines = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        for (Soak.Agent a : agents) {
            for (String e : a.errors) {
                problems.add(a.name + ": " + e);
            }
        }
        problems.addAll(soak.endProblems());
        final List<Soak.Sample> steady = afterWarmUp(all, soak.durationSeconds());
        lines.add(String.format(Locale.ROOT, "Slate soak: %d agents, %.0f tasks/s per producer, %.0f s sampled (%d intervals), default space options (%s)",
                agents.size(), soak.rate(), all.isEmpty() ? 0 : all.get(all.size() - 1).seconds, all.size(), soak.spaceOptions()));
        lines.add(String.format(Locale.ROOT, "  warm-up ends at %.0f s%s", steady.isEmpty() ? 0 : steady.get(0).seconds,
                retiredAt(all) < 0 ? " (retention never retired a cycle in this run)" : String.format(Locale.ROOT, " (retention first retired a cycle at %.0f s)",
                        retiredAt(all))));
        if (steady.size() < 4) {
            problems.add("too few samples after the warm-up to judge flatness (" + steady.size() + "); run longer");
        } else {
            for (int i = 0; i < agents.size(); i++) {
                final int agent = i;
                final Flatness f = flatness(steady, s -> s.rssBytes[agent] / MIB, RSS_GROWTH, RSS_SLACK_MIB);
                lines.add(String.format(Locale.ROOT, "  memory %-12s %s", agents.get(i).name, f));
                if (!f.flat) {
                    problems.add("memory of " + agents.get(i).name + " grew: " + f);
                }
            }
            final Flatness shm = peakFlatness(steady, s -> s.shmBytes / MIB, SHM_GROWTH, SHM_SLACK_MIB);
            lines.add("  /dev/shm            " + shm);
            if (!shm.flat) {
                problems.add("/dev/shm use grew: " + shm);
            }
        }
        long handoffs = 0;
        long produced = 0;
        for (Soak.Agent a : agents) {
            if (a.producer) {
                produced += a.ops;
            } else {
                handoffs += a.ops;
            }
        }
        long worstP999 = 0;
        long worstMax = 0;
        for (Soak.Sample s : steady) {
            worstP999 = Math.max(worstP999, s.p999Nanos);
            worstMax = Math.max(worstMax, s.maxNanos);
        }
        lines.add(String.format(Locale.ROOT, "  tasks produced %,d, handed off %,d; after warm-up, worst interval p99.9 %s, worst max %s",
                produced, handoffs, Soak.micros(worstP999), Soak.micros(worstMax)));
        if (produced == 0 || handoffs == 0) {
            problems.add("no tasks were handed off");
        }
        lines.addAll(soak.endLines());
        lines.add(problems.isEmpty() ? "  verdict: OK (no errors; memory flat; /dev/shm bounded)" : "  verdict: FAILED");
        for (String p : problems) {
            lines.add("    " + p);
        }
        final String text = String.join("\n", lines) + "\n";
        System.out.print(text);
        Files.writeString(out.resolve("summary.txt"), text, StandardCharsets.UTF_8);
        writeCsv(all, agents, out.resolve("soak.csv"));
        writeJson(soak, all, produced, handoffs, worstP999, worstMax, problems, out.resolve("summary.json"));
        SoakPlot.write(all, agents, out.resolve("soak.png"));
        return problems.isEmpty();
    }

    /** When retention first retired a journal cycle (the first sample whose first index moved), or -1. */
    static double retiredAt(final List<Soak.Sample> all) {
        for (Soak.Sample s : all) {
            if (s.firstIndex > all.get(0).firstIndex && all.get(0).firstIndex >= 0) {
                return s.seconds;
            }
        }
        return -1;
    }

    /**
     * The samples after the warm-up: the first fifth of the run, at least 60 s when the run is 5 minutes or more, and
     * not before retention first retired a cycle (until then the journal grows towards its budget by design).
     */
    static List<Soak.Sample> afterWarmUp(final List<Soak.Sample> all, final int durationSeconds) {
        final double warmUp = Math.max(durationSeconds >= 300 ? Math.max(60, durationSeconds / 5.0) : durationSeconds / 5.0, retiredAt(all));
        final List<Soak.Sample> steady = new ArrayList<>();
        for (Soak.Sample s : all) {
            if (s.seconds >= warmUp) {
                steady.add(s);
            }
        }
        return steady;
    }

    /** First-quarter vs last-quarter means of a series. */
    static final class Flatness {
        final double first;
        final double last;
        final double min;
        final double max;
        final boolean flat;
        final String firstName;
        final String lastName;

        Flatness(final double first, final double last, final double min, final double max, final boolean flat, final String firstName,
                 final String lastName) {
            this.firstName = firstName;
            this.lastName = lastName;
            this.first = first;
            this.last = last;
            this.min = min;
            this.max = max;
            this.flat = flat;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.1f MiB, %s %.1f MiB (min %.1f, max %.1f): %s", firstName, first, lastName, last, min, max,
                    flat ? "flat" : "GREW");
        }
    }

    /** Peak of the first half vs peak of the second half: for a sawtooth (retention frees a cycle at a time). */
    static Flatness peakFlatness(final List<Soak.Sample> steady, final ToDoubleFunction<Soak.Sample> value, final double growth, final double slack) {
        final int half = steady.size() / 2;
        double first = 0;
        double last = 0;
        double min = Double.MAX_VALUE;
        for (int i = 0; i < steady.size(); i++) {
            final double v = value.applyAsDouble(steady.get(i));
            min = Math.min(min, v);
            if (i < half) {
                first = Math.max(first, v);
            } else {
                last = Math.max(last, v);
            }
        }
        return new Flatness(first, last, min, Math.max(first, last), last <= first * (1 + growth) + slack, "peak of the first half", "peak of the second half");
    }

    static Flatness flatness(final List<Soak.Sample> steady, final ToDoubleFunction<Soak.Sample> value, final double growth, final double slack) {
        final int q = Math.max(1, steady.size() / 4);
        double first = 0;
        double last = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int i = 0; i < steady.size(); i++) {
            final double v = value.applyAsDouble(steady.get(i));
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (i < q) {
                first += v / q;
            }
            if (i >= steady.size() - q) {
                last += v / q;
            }
        }
        return new Flatness(first, last, min, max, last <= first * (1 + growth) + slack, "first quarter", "last quarter");
    }

    private static void writeCsv(final List<Soak.Sample> all, final List<Soak.Agent> agents, final Path file) throws IOException {
        final StringBuilder sb = new StringBuilder("seconds,handoffs,p999_nanos,max_nanos,shm_bytes,first_index");
        for (Soak.Agent a : agents) {
            sb.append(",rss_bytes_").append(a.name);
        }
        sb.append('\n');
        for (Soak.Sample s : all) {
            sb.append(String.format(Locale.ROOT, "%.3f,%d,%d,%d,%d,%d", s.seconds, s.handoffs, s.p999Nanos, s.maxNanos, s.shmBytes, s.firstIndex));
            for (long r : s.rssBytes) {
                sb.append(',').append(r);
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private static void writeJson(final Soak soak, final List<Soak.Sample> all, final long produced, final long handoffs, final long worstP999,
                                  final long worstMax, final List<String> problems, final Path file) throws IOException {
        final StringBuilder sb = new StringBuilder("{");
        sb.append(String.format(Locale.ROOT, "\"durationSeconds\":%d,\"agents\":%d,\"ratePerProducer\":%.1f,",
                soak.durationSeconds(), soak.agents().size(), soak.rate()));
        sb.append("\"spaceOptions\":");
        JsonText.quote(soak.spaceOptions(), sb);
        sb.append(',');
        sb.append(String.format(Locale.ROOT, "\"produced\":%d,\"handoffs\":%d,\"worstP999Nanos\":%d,\"worstMaxNanos\":%d,\"samples\":%d,",
                produced, handoffs, worstP999, worstMax, all.size()));
        sb.append("\"ok\":").append(problems.isEmpty()).append(",\"problems\":[");
        for (int i = 0; i < problems.size(); i++) {
            sb.append(i == 0 ? "" : ",");
            JsonText.quote(problems.get(i), sb);
        }
        sb.append("]}\n");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }
}
