package io.slate.demo;

import io.slate.agent.AgentInfo;
import io.slate.internal.JvmFlags;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.kv.Values;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The quick-start demo: several agent JVMs share one space. Each agent increments a shared counter with
 * compare-and-set and publishes its progress under its own key; one more agent follows the journal live. At the
 * end the parent checks that nothing was lost (counter = agents x increments, one journal record per successful
 * write, map = replay of the journal) and says how to replay what happened.
 *
 * <p>Usage: {@code CounterDemo [--agents N] [--increments N] [--space NAME|DIR] [--clean]}.
 */
public final class CounterDemo {
    private CounterDemo() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && "agent".equals(args[0])) {
            runAgent(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        if (args.length > 0 && "follower".equals(args[0])) {
            runFollower(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
            return;
        }
        int agents = 4;
        int increments = 20_000;
        String spaceName = "demo-" + ProcessHandle.current().pid();
        boolean clean = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agents":
                    agents = Integer.parseInt(args[++i]);
                    break;
                case "--increments":
                    increments = Integer.parseInt(args[++i]);
                    break;
                case "--space":
                    spaceName = args[++i];
                    break;
                case "--clean":
                    clean = true;
                    break;
                default:
                    System.err.println("demo: unknown option '" + args[i] + "'; use --agents N --increments N --space NAME --clean");
                    System.exit(2);
            }
        }
        if (agents < 1 || agents > 64 || increments < 1) {
            System.err.println("demo: --agents must be 1..64 and --increments >= 1");
            System.exit(2);
        }
        run(agents, increments, spaceName, clean);
    }

    private static void run(final int agents, final int increments, final String spaceName, final boolean clean) throws Exception {
        final SpaceOptions options = SpaceOptions.of(spaceName).agentId("demo-parent");
        final Path dir = options.directory();
        final long expected = (long) agents * increments;
        System.out.printf("Slate demo: %d agent JVMs x %,d compare-and-set increments of one shared counter in %s%n", agents, increments, dir);
        final List<Process> children = new ArrayList<>();
        final Thread killer = new Thread(() -> children.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(killer);
        try (Space space = Space.open(options)) {
            final long before = space.journal().lastIndex();
            // the follower reads from the index this run starts at, so it misses nothing however fast the agents are
            children.add(launch("follower", dir.toString(), Long.toString(expected), Long.toString(before)));
            for (int i = 0; i < agents; i++) {
                children.add(launch("agent", dir.toString(), "counter-agent-" + i, Integer.toString(increments)));
            }
            final long start = System.nanoTime();
            final KeyValue kv = space.kv();
            final EntryBuffer buf = new EntryBuffer();
            while (children.stream().anyMatch(Process::isAlive)) {
                Thread.sleep(250);
                final long v = kv.get("counter", buf);
                final long value = v == KeyValue.ABSENT ? 0 : buf.valueAsLong();
                int alive = 0;
                for (AgentInfo a : space.agents()) {
                    alive += a.isAlive() ? 1 : 0;
                }
                System.out.printf("  t=%5.1fs counter=%,9d  journal index=%s  agents alive=%d%n", (System.nanoTime() - start) / 1e9, value,
                        Long.toHexString(space.journal().lastIndex()), alive);
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(5)) {
                    System.err.println("demo: agents did not finish within 5 minutes");
                    break;
                }
            }
            int failed = 0;
            for (Process p : children) {
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    failed++;
                }
            }
            final long counter = kv.get("counter").valueAsLong();
            final VerifyReport report = space.journal().verify();
            long records = 0;
            try (Tailer t = before < 0 ? space.journal().tailerFromStart() : space.journal().tailerFromIndex(before + 1)) {
                while (t.poll(r -> { })) {
                    records++;
                }
            }
            final double secs = (System.nanoTime() - start) / 1e9;
            System.out.println();
            System.out.println("Summary");
            System.out.printf("  counter          %,d (expected %,d)%s%n", counter, expected, counter == expected ? "" : "  <-- MISMATCH");
            System.out.printf("  journal records  %,d written by this run (one per successful write)%n", records);
            System.out.printf("  verify           %s%n", report.ok() ? "OK: the map equals a replay of the journal" : report);
            System.out.printf("  elapsed          %.1f s, %,.0f successful shared writes/s across JVMs%n", secs, records / secs);
            for (AgentInfo a : space.agents()) {
                System.out.printf("  agent %-18s pid %-8d %s%n", a.id(), a.pid(), a.state().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (!clean) {
                System.out.println();
                System.out.println("Replay it:   scripts/slate tail --space " + dir + " --from-start --count 20");
                System.out.println("Check it:    scripts/slate verify --space " + dir);
                System.out.println("Remove it:   rm -rf " + dir);
            }
            if (counter != expected || !report.ok() || failed > 0) {
                System.exit(1);
            }
        } finally {
            children.forEach(Process::destroyForcibly);
            if (clean) {
                Space.delete(dir);
                System.out.println("Space " + dir + " removed (--clean).");
            }
        }
    }

    private static Process launch(final String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-Xmx128m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CounterDemo.class.getName());
        for (String a : args) {
            cmd.add(a);
        }
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println("  [" + args[0] + (args.length > 2 && args[0].equals("agent") ? " " + args[2] : "") + "] " + line);
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    /** One agent JVM: compare-and-set increments of "counter", then its own progress key. */
    private static void runAgent(final String dir, final String id, final int increments) {
        try (Space space = Space.open(SpaceOptions.at(Paths.get(dir)).agentId(id))) {
            final KeyValue kv = space.kv();
            final EntryBuffer buf = new EntryBuffer();
            final byte[] digits = new byte[20];
            long conflicts = 0;
            for (int i = 0; i < increments; i++) {
                while (true) {
                    final long v = kv.get("counter", buf);
                    final long value = v == KeyValue.ABSENT ? 0 : buf.valueAsLong();
                    final int n = Values.writeDecimal(value + 1, digits, 0);
                    if (kv.compareAndSet("counter", v, digits, 0, n) > 0) {
                        break;
                    }
                    conflicts++;
                }
            }
            kv.putLong("done/" + id, increments);
            System.out.printf("done: %,d increments, %,d CAS conflicts retried%n", increments, conflicts);
        }
    }

    /** The follower JVM: tails the journal live until the counter reaches the expected value. */
    private static void runFollower(final String dir, final long expected, final long afterIndex) {
        try (Space space = Space.open(SpaceOptions.at(Paths.get(dir)).agentId("follower-" + ProcessHandle.current().pid()));
             Tailer t = afterIndex < 0 ? space.journal().tailerFromStart() : space.journal().tailerFromIndex(afterIndex)) {
            if (afterIndex >= 0) {
                t.next(1, TimeUnit.SECONDS); // the last record before this run
            }
            long seen = 0;
            long lastCounter = 0;
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (lastCounter < expected && System.nanoTime() < deadline) {
                final JournalRecord r = t.next(100, TimeUnit.MILLISECONDS);
                if (r == null) {
                    continue;
                }
                seen++;
                if (r.keyEquals("counter")) {
                    lastCounter = r.version();
                }
            }
            System.out.printf("followed %,d journal records live; last counter version %,d%n", seen, lastCounter);
        }
    }
}
