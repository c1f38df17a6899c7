package io.slate.bench.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --compare DIR}: a previous run's figures beside this run's, case by case. The previous run is read from its
 * {@code results.json} (the file {@link Report} writes; nothing else is read from it), so any earlier run directory
 * works, from this build or an older one.
 */
final class Comparison {
    /** One previous figure: a latency case's p50 and p99, or a throughput kind's ops/s. */
    static final class Figure {
        final String name;
        final String mode;
        final int payloadBytes;
        final int writers;
        final double p50Nanos;
        final double p99Nanos;
        final double opsPerSec;

        Figure(final String name, final String mode, final int payloadBytes, final int writers, final double p50Nanos,
               final double p99Nanos, final double opsPerSec) {
            this.name = name;
            this.mode = mode;
            this.payloadBytes = payloadBytes;
            this.writers = writers;
            this.p50Nanos = p50Nanos;
            this.p99Nanos = p99Nanos;
            this.opsPerSec = opsPerSec;
        }

        String key() {
            return key(name, mode, payloadBytes, writers);
        }

        static String key(final String name, final String mode, final int payloadBytes, final int writers) {
            return name + "|" + mode + "|" + ("throughput".equals(mode) ? payloadBytes + "|" + writers : "");
        }
    }

    private final Path dir;
    private final String load;
    private final Map<String, Figure> figures;

    private Comparison(final Path dir, final String load, final Map<String, Figure> figures) {
        this.dir = dir;
        this.load = load;
        this.figures = figures;
    }

    /**
     * Reads {@code dir/results.json}. A missing directory or file, or a file that is not a run's results, is an
     * {@link IllegalArgumentException} naming the path and the problem (the run does not start).
     */
    static Comparison read(final Path dir) {
        final Path file = dir.resolve("results.json");
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--compare " + dir + ": no results.json there (give the directory of a previous bench-ipc run)");
        } catch (IOException e) {
            throw new IllegalArgumentException("--compare " + dir + ": cannot read " + file + ": " + e.getMessage());
        }
        final Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--compare " + dir + ": " + file + " is not JSON: " + e.getMessage());
        }
        if (!(root instanceof Map) || !(((Map<?, ?>) root).get("cases") instanceof List)) {
            throw new IllegalArgumentException("--compare " + dir + ": " + file + " is not a bench-ipc results file (no \"cases\" list)");
        }
        final Map<?, ?> r = (Map<?, ?>) root;
        final Map<String, Figure> figures = new LinkedHashMap<>();
        for (final Object o : (List<?>) r.get("cases")) {
            if (!(o instanceof Map)) {
                continue;
            }
            final Map<?, ?> c = (Map<?, ?>) o;
            final Figure f = new Figure(String.valueOf(c.get("name")), String.valueOf(c.get("mode")), (int) number(c.get("payloadBytes")),
                    (int) number(c.get("writers")), number(c.get("p50Nanos")), number(c.get("p99Nanos")), number(c.get("opsPerSec")));
            figures.put(f.key(), f);
        }
        String load = "";
        if (r.get("machine") instanceof Map) {
            final Object before = ((Map<?, ?>) r.get("machine")).get("load1Before");
            final Object after = ((Map<?, ?>) r.get("machine")).get("load1After");
            load = "load " + before + " → " + after;
        }
        return new Comparison(dir, load, figures);
    }

    private static double number(final Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
    }

    /** The Markdown section: every case of this run with the previous figure beside it, and the ratio now ÷ then. */
    String markdown(final List<CaseResult> now) {
        final StringBuilder sb = new StringBuilder();
        sb.append("\n## Compared with ").append(dir).append(load.isEmpty() ? "" : " (" + load + ")").append("\n\n");
        sb.append("Latency: p50 and p99 then and now, and now ÷ then (below 1: faster now).\n\n");
        sb.append("| case | mode | p50 then | p50 now | ÷ | p99 then | p99 now | ÷ |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        final List<CaseResult> throughput = new ArrayList<>();
        for (final CaseResult r : now) {
            if ("throughput".equals(r.mode)) {
                throughput.add(r);
                continue;
            }
            if (r.histogram == null) {
                continue;
            }
            final Figure f = figures.get(Figure.key(r.name, r.mode, r.payloadBytes, r.writers));
            final double p50 = r.percentile(50);
            final double p99 = r.percentile(99);
            sb.append("| ").append(r.name).append(" | ").append(r.mode)
                    .append(" | ").append(f == null ? "-" : Report.micros((long) f.p50Nanos)).append(" | ").append(Report.micros((long) p50))
                    .append(" | ").append(f == null ? "-" : ratio(p50, f.p50Nanos))
                    .append(" | ").append(f == null ? "-" : Report.micros((long) f.p99Nanos)).append(" | ").append(Report.micros((long) p99))
                    .append(" | ").append(f == null ? "-" : ratio(p99, f.p99Nanos)).append(" |\n");
        }
        if (!throughput.isEmpty()) {
            sb.append("\nThroughput: ops/s then and now, and now ÷ then (above 1: more now).\n\n");
            sb.append("| kind | payload | writers | then | now | ÷ |\n|---|---:|---:|---:|---:|---:|\n");
            for (final CaseResult r : throughput) {
                final Figure f = figures.get(Figure.key(r.name, r.mode, r.payloadBytes, r.writers));
                sb.append("| ").append(r.name).append(" | ").append(r.payloadBytes).append(" B | ").append(r.writers)
                        .append(" | ").append(f == null ? "-" : String.format(Locale.ROOT, "%,.0f", f.opsPerSec))
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f", r.opsPerSec))
                        .append(" | ").append(f == null ? "-" : ratio(r.opsPerSec, f.opsPerSec)).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String ratio(final double now, final double then) {
        return then > 0 && !Double.isNaN(now) ? String.format(Locale.ROOT, "%.2f", now / then) : "-";
    }
}
