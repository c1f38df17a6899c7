package io.slate.bench;

import io.slate.internal.JvmFlags;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.spi.BackendSpace;
import io.slate.spi.SnapshotStore;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Open time of a tuple space with 10,000 live tuples after a long history (not a JMH benchmark: each measurement is
 * a fresh JVM opening the space, which is what an agent joining late does). One space, default options (bounded
 * journal, snapshot duty), written in steps to each requested history length: 48 key/value writes and a tuple
 * {@code out} + {@code inp} pair per 50 records (so the tuple space's own records run all through the history). After each step
 * the writer waits until the snapshot duty has caught up (its newest snapshot within
 * {@code SnapshotDuty.RECORDS_BETWEEN_SNAPSHOTS} records of the end, or 60 s), then starts
 * {@value #OPENS} JVMs that each time {@code Space.open} and {@code TupleSpace.of} (the first open in that JVM, cold,
 * and a second, warm) and count the live tuples.
 *
 * <pre>
 * scripts/bench-open.sh [--tuples N] [--dir PARENT] RECORDS...      e.g. 1000000 10000000 50000000
 * </pre>
 */
public final class OpenAfterHistory {
    private static final int OPENS = 5;
    private static final Template LIVE = Template.of("live", Template.ANY_LONG);

    private OpenAfterHistory() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--open")) {
            open(Paths.get(args[1]));
            return;
        }
        int tuples = 10_000;
        Path parent = Paths.get("/dev/shm");
        final List<Long> steps = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tuples":
                    tuples = Integer.parseInt(args[++i]);
                    break;
                case "--dir":
                    parent = Paths.get(args[++i]);
                    break;
                default:
                    steps.add(Long.parseLong(args[i].replace("_", "")));
            }
        }
        if (steps.isEmpty()) {
            steps.addAll(Arrays.asList(1_000_000L, 10_000_000L, 50_000_000L));
        }
        final Path dir = parent.resolve("slate-open-bench-" + ProcessHandle.current().pid());
        // one-second cycles, so retention keeps the journal within its (default) budget while the history is written fast
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("writer").rollCycle(io.slate.space.JournalRollCycle.SECONDLY));
             TupleSpace ts = TupleSpace.of(space, "jobs")) {
            for (int i = 0; i < tuples; i++) {
                ts.out(Tuple.of("live", (long) i));
            }
            System.out.printf(Locale.ROOT, "space %s, %,d live tuples, options %s%n", dir, tuples, space.options());
            System.out.println("records,written_s,first_retained,journal_mib,snapshot_index_behind,space_open_ms,cold_tuple_open_ms,warm_tuple_open_ms,live_seen");
            final byte[] value = new byte[48];
            final String[] keys = new String[48];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = "k" + k;
            }
            final TupleBuffer scratch = new TupleBuffer();
            final Template churn = Template.of("churn", Template.ANY_LONG);
            long written = space.journal().lastIndex() < 0 ? 0 : tuples;
            long n = 0;
            for (long target : steps) {
                final long t0 = System.nanoTime();
                while (written < target) {
                    for (int k = 0; k < 48; k++) {
                        space.kv().put(keys[k], value);
                    }
                    ts.out(Tuple.of("churn", n));
                    ts.inp(churn, scratch);
                    written += 50;
                    n++;
                }
                final double writeSeconds = (System.nanoTime() - t0) / 1e9;
                final BackendSpace b = BackendSpace.of(space, "bench");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long behind;
                while (true) {
                    final SnapshotStore.Snapshot s = b.snapshots().newest("tuples/jobs");
                    behind = s == null ? Long.MAX_VALUE : Math.max(0, space.journal().lastIndex() - s.index());
                    if (behind <= io.slate.engine.SnapshotDuty.RECORDS_BETWEEN_SNAPSHOTS || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(100);
                }
                final double[] spaceMs = new double[OPENS];
                final double[] coldMs = new double[OPENS];
                final double[] warmMs = new double[OPENS];
                long seen = -1;
                for (int i = 0; i < OPENS; i++) {
                    final String[] r = runOpen(dir).split(" ");
                    spaceMs[i] = Double.parseDouble(r[0]);
                    coldMs[i] = Double.parseDouble(r[1]);
                    warmMs[i] = Double.parseDouble(r[2]);
                    seen = Long.parseLong(r[3]);
                }
                System.out.printf(Locale.ROOT, "%d,%.1f,%d,%.1f,%d,%.1f,%.1f,%.1f,%d%n", written, writeSeconds, space.journal().firstIndex(),
                        space.stats().journalBytes() / 1048576.0, behind, median(spaceMs), median(coldMs), median(warmMs), seen);
            }
        } finally {
            Space.delete(dir);
        }
    }

    private static double median(final double[] v) {
        final double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** Runs one opener JVM; returns its line "spaceMs coldMs warmMs liveTuples". */
    private static String runOpen(final Path dir) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.addAll(Arrays.asList("-cp", System.getProperty("java.class.path"), OpenAfterHistory.class.getName(), "--open", dir.toString()));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        final StringBuilder all = new StringBuilder();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String l;
            while ((l = r.readLine()) != null) {
                all.append(l).append('\n');
                if (l.startsWith("OPEN ")) {
                    result = l.substring(5);
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException("opener failed:\n" + all);
        }
        return result;
    }

    private static void open(final Path dir) {
        final long t0 = System.nanoTime();
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("opener-" + ProcessHandle.current().pid()))) {
            final long t1 = System.nanoTime();
            final long live;
            try (TupleSpace ts = TupleSpace.of(s, "jobs")) {
                live = ts.count(LIVE);
            }
            final long t2 = System.nanoTime();
            try (TupleSpace ts = TupleSpace.of(s, "jobs")) {
                ts.count(LIVE);
            }
            final long t3 = System.nanoTime();
            System.out.printf(Locale.ROOT, "OPEN %.3f %.3f %.3f %d%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, live);
        }
    }
}
