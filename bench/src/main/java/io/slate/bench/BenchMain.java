package io.slate.bench;

import io.slate.internal.JvmFlags;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the JMH benchmarks of this module and summarizes them.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar [--quick] [--out DIR] [--no-gc] [--jvm-arg ARG]... [--param NAME=V1,V2...]... [REGEX]...
 * </pre>
 *
 * <ul>
 *   <li>{@code REGEX}: run only benchmarks matching it (JMH include; default: every benchmark in this package);</li>
 *   <li>{@code --quick}: 1 fork, 2 warmup and 3 measurement iterations of 1 s (default: 2 forks, 3 x 2 s warmup,
 *       5 x 2 s measurement);</li>
 *   <li>{@code --out DIR}: where {@code results.json} (JMH JSON) and {@code results.md} (the summary table) go
 *       (default: {@code bench/results/jmh-<timestamp>});</li>
 *   <li>{@code --no-gc}: without JMH's GC profiler (on by default, for the bytes allocated per operation);</li>
 *   <li>{@code --jvm-arg ARG}: appended to the forked JVMs' command line (e.g. to record JFR);</li>
 *   <li>{@code --param NAME=V1,V2}: runs the benchmarks with these values of their {@code @Param} field {@code NAME}
 *       (JMH's {@code -p}), e.g. {@code --param pinned=false,true JournalAppendBench}.</li>
 * </ul>
 *
 * <p>JMH's forked JVMs do not get the jar manifest's {@code Add-Opens}, so the flags Chronicle needs are passed to
 * them from {@link JvmFlags#arguments()}. Benchmark spaces are created under one directory per run in
 * {@code /dev/shm}, removed when the run ends.
 */
public final class BenchMain {
    private static final String PACKAGE = BenchMain.class.getPackageName() + ".";
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private BenchMain() {
    }

    /** Entry point; exits non-zero on bad arguments or a failed run. */
    public static void main(final String[] args) throws RunnerException {
        final Arguments a;
        try {
            a = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (a.help) {
            System.out.println(usage());
            return;
        }
        final Path out = a.out.toAbsolutePath().normalize();
        final Path spaces = Paths.get("/dev/shm", "slate-bench-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        final List<String> jvmArgs = new ArrayList<>(JvmFlags.arguments());
        jvmArgs.add("-D" + SpaceState.ROOT_PROPERTY + "=" + spaces);
        // Chronicle's start-up INFO lines would land in the middle of JMH's iteration output
        jvmArgs.add("-Dorg.slf4j.simpleLogger.log.net.openhft=warn");
        jvmArgs.addAll(a.jvmArgs);

        final ChainedOptionsBuilder opts = new OptionsBuilder()
                .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("results.json").toString());
        a.params.forEach(opts::param);
        if (a.filters.isEmpty()) {
            opts.include("^" + PACKAGE.replace(".", "\\.") + ".*");
        } else {
            for (final String f : a.filters) {
                opts.include(f);
            }
        }
        if (a.quick) {
            opts.forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        } else {
            opts.forks(2).warmupIterations(3).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2));
        }
        if (a.gc) {
            opts.addProfiler(GCProfiler.class);
        }

        final Collection<RunResult> results;
        try {
            results = new Runner(opts.build()).run();
        } finally {
            SpaceState.deleteTree(spaces, "bench");
        }
        final String table = table(results, a);
        System.out.println();
        System.out.println(table);
        try {
            Files.writeString(out.resolve("results.md"), table, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve("results.md"), e);
        }
        System.out.println("Results: " + out.resolve("results.json") + " and " + out.resolve("results.md"));
    }

    /** The summary as a Markdown table, with a header saying how it was run. */
    static String table(final Collection<RunResult> results, final Arguments a) {
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Benchmark", "Mode", "Cnt", "Score", "Error", "Units", "B/op"});
        for (final RunResult r : results) {
            final Result<?> primary = r.getAggregatedResult().getPrimaryResult();
            final Result<?> alloc = allocation(r.getAggregatedResult().getSecondaryResults());
            String name = r.getParams().getBenchmark();
            if (name.startsWith(PACKAGE)) {
                name = name.substring(PACKAGE.length());
            }
            final StringBuilder params = new StringBuilder();
            for (final String key : r.getParams().getParamsKeys()) {
                params.append(params.length() == 0 ? " (" : ", ").append(key).append('=').append(r.getParams().getParam(key));
            }
            if (params.length() > 0) {
                name += params.append(')');
            }
            rows.add(new String[] {
                name,
                r.getParams().getMode().shortLabel(),
                Long.toString(primary.getSampleCount()),
                number(primary.getScore()),
                "± " + number(primary.getScoreError()),
                primary.getScoreUnit(),
                alloc == null ? "n/a" : number(alloc.getScore()),
            });
        }
        final int[] widths = new int[rows.get(0).length];
        for (final String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("# Slate JMH results\n\n");
        sb.append(String.format(Locale.ROOT, "- when: %s%n", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)));
        sb.append(String.format(Locale.ROOT, "- run: %s%s%n", a.quick
                ? "--quick (1 fork, 2 x 1 s warmup, 3 x 1 s measurement)"
                : "default (2 forks, 3 x 2 s warmup, 5 x 2 s measurement)",
                a.filters.isEmpty() ? "" : ", filter " + String.join(" ", a.filters)));
        sb.append(String.format(Locale.ROOT, "- JVM: %s %s, %d CPUs%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), Runtime.getRuntime().availableProcessors()));
        sb.append("- B/op: gc.alloc.rate.norm from JMH's GC profiler (bytes allocated per operation)\n\n");
        for (int r = 0; r < rows.size(); r++) {
            final String[] row = rows.get(r);
            sb.append('|');
            for (int i = 0; i < row.length; i++) {
                final boolean left = i < 2;
                sb.append(' ').append(pad(row[i], widths[i], left)).append(" |");
            }
            sb.append('\n');
            if (r == 0) {
                sb.append('|');
                for (int i = 0; i < row.length; i++) {
                    final boolean left = i < 2;
                    sb.append(left ? ":" : "-").append("-".repeat(widths[i])).append(left ? "-|" : ":|");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** The GC profiler's normalized allocation rate; JMH 1.37 names it {@code gc.alloc.rate.norm}, older ones prefix a '·'. */
    private static Result<?> allocation(final Map<String, ?> secondary) {
        for (final Map.Entry<String, ?> e : secondary.entrySet()) {
            if (e.getKey().equals(ALLOC_NORM) || e.getKey().endsWith("\u00b7" + ALLOC_NORM)) {
                return (Result<?>) e.getValue();
            }
        }
        return null;
    }

    private static String number(final double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "n/a";
        }
        final double abs = Math.abs(d);
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        if (abs >= 0.001 || d == 0) {
            return String.format(Locale.ROOT, "%.3f", d);
        }
        return String.format(Locale.ROOT, "%.1e", d);
    }

    private static String pad(final String s, final int width, final boolean left) {
        final String fill = " ".repeat(width - s.length());
        return left ? s + fill : fill + s;
    }

    private static String usage() {
        return "usage: java -jar benchmarks.jar [--quick] [--out DIR] [--no-gc] [--jvm-arg ARG]... [--param NAME=V1,V2...]... [REGEX]...";
    }

    /** The command line, parsed. */
    static final class Arguments {
        boolean quick;
        boolean gc = true;
        boolean help;
        Path out;
        final List<String> filters = new ArrayList<>();
        final List<String> jvmArgs = new ArrayList<>();
        final java.util.Map<String, String[]> params = new java.util.LinkedHashMap<>();

        static Arguments parse(final String[] args) {
            final Arguments a = new Arguments();
            for (int i = 0; i < args.length; i++) {
                final String arg = args[i];
                switch (arg) {
                    case "--quick":
                        a.quick = true;
                        break;
                    case "--no-gc":
                        a.gc = false;
                        break;
                    case "-h":
                    case "--help":
                        a.help = true;
                        break;
                    case "-o":
                    case "--out":
                        a.out = Paths.get(value(args, ++i, arg));
                        break;
                    case "--jvm-arg":
                        a.jvmArgs.add(value(args, ++i, arg));
                        break;
                    case "--param":
                        a.param(value(args, ++i, arg));
                        break;
                    default:
                        if (arg.startsWith("--out=")) {
                            a.out = Paths.get(arg.substring("--out=".length()));
                        } else if (arg.startsWith("--jvm-arg=")) {
                            a.jvmArgs.add(arg.substring("--jvm-arg=".length()));
                        } else if (arg.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        } else {
                            a.filters.add(arg);
                        }
                }
            }
            if (a.out == null) {
                final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                final Path base = Files.isDirectory(Paths.get("bench")) ? Paths.get("bench", "results") : Paths.get("results");
                a.out = base.resolve("jmh-" + stamp);
            }
            return a;
        }

        private void param(final String spec) {
            final int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("--param needs NAME=VALUE[,VALUE...], got '" + spec + "'");
            }
            params.put(spec.substring(0, eq), spec.substring(eq + 1).split(","));
        }

        private static String value(final String[] args, final int i, final String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
