package io.slate.demo;

import io.slate.agent.AgentInfo;
import io.slate.blackboard.Blackboard;
import io.slate.internal.JvmFlags;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.space.SpaceStats;
import io.slate.sync.Holder;
import io.slate.sync.Journaling;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.TupleSpace;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The fleet demo: sensor, responder and planner agent JVMs ({@link FleetAgent}) on one fresh space, watched live by
 * this process, which then prints (and with {@code --json FILE} writes) a summary checked against the journal.
 *
 * <p>The monitor counts from the journal itself, the single order of all writes: every {@code tuple-out} of an alert
 * is one produced, the first {@code tuple-ack} of a tuple one consumed, a further ack of the same tuple a duplicate.
 * {@code --chaos} SIGKILLs one responder at a moment it holds something (a JVM responder the drone's mutex and an
 * unacknowledged alert, a Python or Node responder an unacknowledged alert), and measures how long until what it held
 * is taken and acknowledged by others and the drone is taken over.
 *
 * <p>{@code --polyglot ROOT} (the project's directory, holding {@code clients/}) adds a gateway JVM ({@code slate serve})
 * and two responders that join through it: a Python one (python3-redis) and a Node one (npm redis); they take alerts
 * with ack and post hypotheses to the blackboard next to the JVM responders. {@code scripts/demo.sh} passes it when
 * python3-redis and {@code clients/node/node_modules} are there. With it, {@code --chaos} picks the kind of its victim at
 * random (a JVM, the Python or the Node responder, one chance in three each); {@code --chaos-victim jvm|python|node}
 * forces it. A take through the gateway belongs to the gateway's connection, written as the agent the connection is
 * named after; to show the moment they hold one, the foreign responders publish it under {@code fleet/holding/ID} (set
 * right after a take, removed after its ack); the monitor freezes the victim (SIGSTOP) when that key names an alert,
 * checks against the journal that the alert is still taken and unacknowledged, and SIGKILLs it; the gateway sees the
 * connection drop and returns the take.
 *
 * <p>The space may be on etcd ({@code --space etcd://host:port,.../NAME}): the agents get its address, {@code --clean}
 * removes it from etcd, and the default rate is {@value #ETCD_DEFAULT_RATE} alerts/s per sensor (each alert is a handful
 * of etcd commits of about a millisecond each). With {@code --etcd-cluster DIR} (a cluster {@code scripts/etcd-cluster.sh}
 * started there, as {@code scripts/demo.sh --backend etcd} does), {@code --chaos} also SIGKILLs the etcd leader at 60% of
 * the run and reports how long the next write took; the audit shows whether anything acknowledged was lost.
 *
 * <p>Usage: {@code FleetDemo [--agents N] [--duration S] [--rate R] [--space NAME|DIR|ADDRESS] [--clean] [--json FILE] [--chaos] [--etcd-cluster DIR]
 * [--cpu N|auto] [--idle spin|yield|backoff] [--polyglot ROOT] [--chaos-victim jvm|python|node]}; {@code --scenario counter} runs {@link CounterDemo} instead.
 */
public final class FleetDemo {
    /** An etcd space's default: every alert is a handful of etcd commits (~1 ms each), not sub-microsecond writes. */
    static final double ETCD_DEFAULT_RATE = 25;
    private static final String USAGE = "usage: demo.sh [--agents N (>= 3, default 6)] [--duration S (default 20)] "
            + "[--rate R alerts/s per sensor (default 200, on etcd " + (int) ETCD_DEFAULT_RATE + ")] [--space NAME|DIR|etcd://host:port,.../NAME] [--clean] "
            + "[--json FILE] [--chaos] [--etcd-cluster DIR] [--cpu N|auto] [--idle spin|yield|backoff] [--polyglot ROOT] [--chaos-victim jvm|python|node] "
            + "[--scenario fleet|counter]";

    /** What a foreign responder publishes it holds: the id of the alert it took and has not acknowledged yet. */
    static final String HOLDING_PREFIX = "fleet/holding/";
    private static final String[] FOREIGN = {"python-1", "node-1"};

    private static final String HELP = "help";

    private int agents = 6;
    private double duration = 20;
    private double rate = 200;
    private boolean rateGiven;
    static final int AGENT_CONNECT_MILLIS = 30_000;
    /**
     * How long {@code --chaos} waits for a responder to hold something before it kills one anyway (and the run fails):
     * on a loaded 2-core machine an etcd fleet may take an alert only every few seconds.
     */
    static final int CHAOS_WAIT_SECONDS = 30;
    /** The directory of scripts/etcd-cluster.sh's cluster serving the space: --chaos also SIGKILLs its leader. */
    private Path etcdCluster;
    private EtcdMembers etcd;
    private String spaceName = "fleet-" + ProcessHandle.current().pid();
    private boolean clean;
    private Path json;
    private boolean chaos;
    private String cpu;
    private String idle = "backoff";
    private Path polyglot;
    private int gatewayPort = -1;
    /** The gateway's agent id in the space (the journal names it for takes and acks through a connection without a name). */
    private volatile String gatewayAgent;
    /** jvm, python or node; null: picked at random at the moment of the kill. */
    private String chaosVictim;

    private final List<Child> children = new ArrayList<>();
    private final ArrayDeque<String> events = new ArrayDeque<>();
    private volatile boolean interrupted;
    private final boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    private final PrintStream out = System.out;

    private FleetDemo() {
    }

    /** One process of the fleet: an agent JVM, the gateway JVM (no kind), or a Python or Node agent (a responder). */
    private static final class Child {
        final FleetAgent.Kind kind;
        final String id;
        final Process process;
        /** Agent JVMs only: a SIGKILL candidate whose holdings the journal names by its id. */
        final boolean jvm;

        Child(final FleetAgent.Kind kind, final String id, final Process process, final boolean jvm) {
            this.kind = kind;
            this.id = id;
            this.process = process;
            this.jvm = jvm;
        }
    }

    public static void main(final String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i++) {
            if ("--scenario".equals(args[i]) && "counter".equals(args[i + 1])) {
                final List<String> rest = new ArrayList<>(List.of(args));
                rest.remove(i + 1);
                rest.remove(i);
                CounterDemo.main(rest.toArray(new String[0]));
                return;
            }
        }
        final FleetDemo demo = new FleetDemo();
        final String problem = demo.parse(args);
        if (HELP.equals(problem)) {
            System.out.println(USAGE);
            return;
        }
        if (problem != null) {
            System.err.println("demo: " + problem);
            System.err.println(USAGE);
            System.exit(2);
        }
        System.exit(demo.run());
    }

    private String parse(final String[] args) {
        try {
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                if (a.equals("--clean")) {
                    clean = true;
                } else if (a.equals("--chaos")) {
                    chaos = true;
                } else if (a.equals("-h") || a.equals("--help")) {
                    return HELP;
                } else if (i + 1 >= args.length) {
                    return "unknown option or missing value: '" + a + "'";
                } else {
                    final String v = args[++i];
                    switch (a) {
                        case "--agents":
                            agents = Integer.parseInt(v);
                            break;
                        case "--duration":
                            duration = Double.parseDouble(v);
                            break;
                        case "--rate":
                            rate = Double.parseDouble(v);
                            rateGiven = true;
                            break;
                        case "--space":
                            spaceName = v;
                            break;
                        case "--json":
                            json = Paths.get(v);
                            break;
                        case "--cpu":
                            cpu = v;
                            break;
                        case "--idle":
                            idle = v;
                            break;
                        case "--polyglot":
                            polyglot = Paths.get(v).toAbsolutePath();
                            break;
                        case "--etcd-cluster":
                            etcdCluster = Paths.get(v).toAbsolutePath();
                            break;
                        case "--chaos-victim":
                            chaosVictim = v;
                            break;
                        case "--scenario":
                            if (!v.equals("fleet")) {
                                return "unknown scenario '" + v + "': use fleet or counter";
                            }
                            break;
                        default:
                            return "unknown option '" + a + "'";
                    }
                }
            }
        } catch (NumberFormatException e) {
            return "not a number: " + e.getMessage();
        }
        if (agents < (chaos ? 4 : 3) || agents > 20) {
            return "--agents must be " + (chaos ? 4 : 3) + "..20 (one planner, sensors, and responders" + (chaos ? ", two at least for --chaos)" : ")");
        }
        if (!(duration > 0) || !(rate > 0)) {
            return "--duration and --rate must be > 0";
        }
        if (!idle.equals("spin") && !idle.equals("yield") && !idle.equals("backoff")) {
            return "--idle must be spin, yield or backoff";
        }
        if (cpu != null && !cpu.equals("auto") && !cpu.matches("\\d+")) {
            return "--cpu must be a CPU number or auto";
        }
        if (polyglot != null && !Files.isRegularFile(polyglot.resolve("clients/python/fleet_agent.py"))) {
            return "--polyglot " + polyglot + ": no clients/python/fleet_agent.py there (give the project's directory)";
        }
        if (etcdCluster != null) {
            if (!spaceName.startsWith("etcd://")) {
                return "--etcd-cluster needs an etcd space (--space etcd://host:port,.../name), not '" + spaceName + "'";
            }
            try {
                etcd = EtcdMembers.load(etcdCluster);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        if (!rateGiven && spaceName.startsWith("etcd://")) {
            rate = ETCD_DEFAULT_RATE;
        }
        if (chaosVictim != null) {
            if (!chaos) {
                return "--chaos-victim needs --chaos";
            }
            if (!chaosVictim.equals("jvm") && !chaosVictim.equals("python") && !chaosVictim.equals("node")) {
                return "--chaos-victim must be jvm, python or node, not '" + chaosVictim + "'";
            }
            if (!chaosVictim.equals("jvm") && polyglot == null) {
                return "--chaos-victim " + chaosVictim + " needs --polyglot ROOT (without it the fleet has no " + chaosVictim
                        + " agent; scripts/demo.sh adds it when python3-redis, node and clients/node/node_modules are there)";
            }
        }
        return null;
    }

    private int run() throws Exception {
        final SpaceOptions options = SpaceOptions.of(spaceName).agentId("monitor").maxEntries(200_000);
        final String dir = options.address();
        if (Space.exists(dir)) {
            System.err.println("demo: " + dir + " already holds a space; the demo needs a fresh one (pick another --space, or remove it)");
            return 2;
        }
        final int sensors = Math.max(1, agents / 3);
        final int responders = agents - 1 - sensors;
        out.printf("Slate fleet demo: %d agent JVMs (%d sensors at %,.0f alerts/s each, %d responders, 1 planner) for %.0f s in %s%n",
                agents, sensors, rate, responders, duration, dir);
        // Ctrl-C and SIGTERM only raise a flag: the run stops its children and still prints the summary (a JVM
        // shutdown would close the space under it); the hook stops the children on any other way out
        Signals.onStop(() -> interrupted = true);
        final Thread hook = new Thread(this::destroyChildren, "fleet-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final Summary summary = new Summary();
        try (Space space = Space.open(options)) {
            final KeyValue kv = space.kv();
            kv.putLong(FleetAgent.PHASE, FleetAgent.RUN);
            final Sync sync = Sync.of(space);
            // journaled, so the monitor knows from the journal who holds the drone: on etcd a contender is first in the
            // mutex's queue (and shown as its owner) a few round trips before lock() returns its token
            final Mutex drone = sync.mutex(FleetAgent.DRONE, Journaling.ON);
            final Semaphore uplink = sync.semaphore(FleetAgent.UPLINK, FleetAgent.UPLINK_PERMITS);
            final TupleSpace alerts = TupleSpace.of(space, FleetAgent.ALERTS);
            Blackboard.of(space, FleetAgent.BOARD, FleetAgent.LEVELS).close();
            final Auditor auditor = new Auditor(space);
            auditor.start();
            if (polyglot != null) {
                gatewayPort = launchGateway(dir, kv); // before the agent JVMs, which all open the space at once
            }
            final long launched = System.nanoTime();
            launch(dir, FleetAgent.Kind.PLANNER, "planner-1", 0);
            for (int i = 1; i <= responders; i++) {
                launch(dir, FleetAgent.Kind.RESPONDER, "responder-" + i, 0);
            }
            if (polyglot != null) {
                final String port = Integer.toString(gatewayPort);
                launchForeign("python-1", List.of("/usr/bin/python3", "fleet_agent.py", port, "python-1"), polyglot.resolve("clients/python"));
                launchForeign("node-1", List.of("node", "fleet_agent.js", port, "node-1"), polyglot.resolve("clients/node"));
            }
            // the clock starts when every agent has its handles open; sensors wait for the others before the first alert
            awaitReady(kv, FleetAgent.Kind.RESPONDER, launched);
            for (int i = 1; i <= sensors && !interrupted; i++) {
                launch(dir, FleetAgent.Kind.SENSOR, "sensor-" + i, i);
            }
            awaitReady(kv, FleetAgent.Kind.SENSOR, launched);
            final long start = System.nanoTime();
            summary.start = start;
            // the latency histograms leave out the first two seconds (class loading and JIT warm-up of every JVM)
            kv.putLong(FleetAgent.MEASURE_FROM, start + TimeUnit.SECONDS.toNanos(2));
            out.printf(Locale.ROOT, "all %d agent JVMs ready in %.1f s; running for %.0f s%n", agents, (start - launched) / 1e9, duration);
            final long end = start + (long) (duration * 1e9);
            final long chaosAt = start + (long) (duration * 0.4e9);
            final long etcdChaosAt = start + (long) (duration * 0.6e9);
            long lastProduced = 0;
            long lastConsumed = 0;
            long lastView = start;
            while (!interrupted && System.nanoTime() < end) {
                Thread.sleep(terminal ? 500 : 1000);
                if (chaos && summary.killNanos == 0 && System.nanoTime() >= chaosAt) {
                    kill(kv, drone, auditor, summary);
                }
                if (chaos && etcd != null && summary.etcdKillNanos == 0 && System.nanoTime() >= etcdChaosAt) {
                    killEtcdLeader(kv, summary);
                }
                if (summary.killNanos != 0 && summary.recoveryNanos < 0) {
                    checkRecovery(kv, auditor, summary);
                }
                final long now = System.nanoTime();
                final long produced = auditor.produced();
                final long consumed = auditor.consumed();
                final double secs = (now - lastView) / 1e9;
                view(space, drone, uplink, auditor, summary, now - start, (produced - lastProduced) / secs, (consumed - lastConsumed) / secs);
                lastProduced = produced;
                lastConsumed = consumed;
                lastView = now;
            }
            // drain: sensors stop, responders take what is left, then everyone stops
            kv.putLong(FleetAgent.PHASE, FleetAgent.DRAIN);
            event("draining: sensors stop, responders take what is left");
            waitFor(FleetAgent.Kind.SENSOR, 10);
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!interrupted && System.nanoTime() < drainDeadline && (auditor.consumed() < auditor.produced() || auditor.pending() > 0
                    || auditor.behind())) {
                if (summary.killNanos != 0 && summary.recoveryNanos < 0) {
                    checkRecovery(kv, auditor, summary);
                }
                Thread.sleep(20);
            }
            if (summary.killNanos != 0 && summary.recoveryNanos < 0) {
                checkRecovery(kv, auditor, summary);
            }
            kv.putLong(FleetAgent.PHASE, FleetAgent.STOP);
            waitFor(null, 15);
            destroyChildren();
            auditor.finish();
            summary.elapsedNanos = System.nanoTime() - start;
            summary.stats = space.stats();
            summary.remaining = alerts.count(FleetAgent.ALERT);
            summary.histogram = histograms(kv);
            summary.plans = plans(space);
            if (polyglot != null) {
                for (String id : FOREIGN) {
                    final Entry st = kv.get(FleetAgent.STATS_PREFIX + id);
                    if (st != null) {
                        summary.foreignStats.put(id, st.valueAsString());
                    }
                }
            }
            summary.agentStates = space.agents();
            summary.auditor = auditor;
            if (summary.killNanos != 0 && summary.recoveryNanos < 0) {
                checkRecovery(kv, auditor, summary);
            }
            final String replay = "scripts/slate tail --space " + dir + " --from-start --count 40";
            final boolean ok = printSummary(summary, dir, replay);
            if (json != null) {
                writeJson(summary);
            }
            return ok ? 0 : 1;
        } finally {
            destroyChildren();
            if (clean) {
                Space.delete(dir);
                out.println("Space " + dir + " removed (--clean).");
            }
        }
    }

    // ---------------------------------------------------------------- children

    private void launch(final String dir, final FleetAgent.Kind kind, final String id, final long sensorId) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-Xmx128m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1"); // C1 only: on a small host, seven JVMs compiling with C2 at once delay the first seconds
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.addAll(etcdProperties());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FleetAgent.class.getName());
        cmd.add(kind.label());
        cmd.add(dir);
        cmd.add(id);
        cmd.add(Long.toString(sensorId));
        cmd.add(Double.toString(rate));
        cmd.add(idle);
        cmd.add(cpu == null ? "-" : cpu);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        adopt(new Child(kind, id, p, true));
    }

    /**
     * The etcd backend's options given to this JVM ({@code -Dslate.etcd.*}, e.g. the lease TTL), for every agent JVM too;
     * on etcd a connect timeout of {@value #AGENT_CONNECT_MILLIS} ms unless given (every agent JVM starts at once, and
     * on a small, busy host the first answer can take longer than the backend's default).
     */
    private List<String> etcdProperties() {
        final List<String> props = new ArrayList<>();
        if (spaceName.startsWith("etcd://") && System.getProperty("slate.etcd.connectTimeoutMillis") == null) {
            props.add("-Dslate.etcd.connectTimeoutMillis=" + AGENT_CONNECT_MILLIS);
        }
        for (String name : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) {
            if (name.startsWith("slate.etcd.")) {
                props.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        return props;
    }

    private void adopt(final Child child) {
        final Process p = child.process;
        final String id = child.id;
        synchronized (children) {
            children.add(child);
        }
        final Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    event("[" + id + "] " + line);
                }
            } catch (IOException ignored) {
                // the child ended
            }
        }, id + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code slate serve} on a free loopback port in its own JVM (one more agent of the space) and waits for its
     * "listening on" line; returns the port.
     */
    private int launchGateway(final String dir, final KeyValue kv) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.addAll(etcdProperties());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.slate.cli.SlateCli");
        cmd.add("serve");
        cmd.add("--space");
        cmd.add(dir);
        cmd.add("--port");
        cmd.add("0");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        final java.util.concurrent.CompletableFuture<String> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        final String line;
        try {
            line = first.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("the gateway (slate serve) did not start within 60 s: " + e);
        }
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("listening on [^ ]*:(\\d+)").matcher(line == null ? "" : line);
        if (!m.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("the gateway (slate serve) did not start: " + line);
        }
        final Child gw = new Child(null, "gateway", p, false);
        synchronized (children) {
            children.add(gw);
        }
        final Thread pump = new Thread(() -> {
            try {
                String l;
                while ((l = r.readLine()) != null) {
                    event("[gateway] " + l);
                }
            } catch (IOException ignored) {
                // the gateway ended
            }
        }, "gateway-output");
        pump.setDaemon(true);
        pump.start();
        final java.util.regex.Matcher agent = java.util.regex.Pattern.compile(", agent ([^,)\\s]+)").matcher(line);
        if (!agent.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("the gateway (slate serve) did not name its agent: " + line);
        }
        gatewayAgent = agent.group(1);
        kv.putString(FleetAgent.READY_PREFIX + "gateway", line);
        event("gateway: " + line);
        return Integer.parseInt(m.group(1));
    }

    /** A responder in another language, joining through the gateway. */
    private void launchForeign(final String id, final List<String> cmd, final Path workDir) throws IOException {
        final Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        adopt(new Child(FleetAgent.Kind.RESPONDER, id, p, false));
    }

    /** Waits (up to 60 s, or until Ctrl-C) until every launched agent up to this kind has written its ready key. */
    private void awaitReady(final KeyValue kv, final FleetAgent.Kind kind, final long launched) throws InterruptedException {
        final long deadline = launched + TimeUnit.SECONDS.toNanos(60);
        for (Child c : snapshotChildren()) {
            while (!interrupted && kv.get(FleetAgent.READY_PREFIX + c.id) == null) {
                if (!c.process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("agent " + c.id + " did not start" + (c.process.isAlive() ? " within 60 s" : ": its JVM exited"));
                }
                Thread.sleep(10);
            }
        }
    }

    private void event(final String line) {
        synchronized (events) {
            events.addLast(line);
            while (events.size() > 6) {
                events.removeFirst();
            }
        }
        if (!terminal) {
            out.println("  " + line);
        }
    }

    private void waitFor(final FleetAgent.Kind kind, final int seconds) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Child c : snapshotChildren()) {
            if (c.kind != null && (kind == null || c.kind == kind)) {
                c.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
    }

    private List<Child> snapshotChildren() {
        synchronized (children) {
            return new ArrayList<>(children);
        }
    }

    private void destroyChildren() {
        for (Child c : snapshotChildren()) {
            c.process.destroy();
        }
        for (Child c : snapshotChildren()) {
            try {
                if (!c.process.waitFor(5, TimeUnit.SECONDS)) {
                    c.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                c.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- chaos

    /**
     * SIGKILLs a responder at a moment it holds something. The kind of victim is {@code --chaos-victim}, or without it,
     * with {@code --polyglot}, one of jvm, python and node at random (one chance in three each); without
     * {@code --polyglot} always a responder JVM.
     */
    private void kill(final KeyValue kv, final Mutex drone, final Auditor auditor, final Summary summary) {
        String kind = chaosVictim;
        if (kind == null) {
            kind = polyglot == null ? "jvm" : new String[] {"jvm", "python", "node"}[new java.util.SplittableRandom().nextInt(3)];
            if (polyglot != null) {
                event("chaos: picked a " + kind + " victim at random (--chaos-victim jvm|python|node forces the kind)");
            }
        }
        summary.killedKind = kind;
        if (kind.equals("jvm")) {
            killJvm(drone, auditor, summary);
            return;
        }
        for (Child c : snapshotChildren()) {
            if (!c.jvm && c.id.equals(kind + "-1") && c.process.isAlive()) {
                killForeign(kv, c, auditor, summary);
                return;
            }
        }
        event("chaos: no live " + kind + " responder to kill");
    }

    /**
     * SIGKILLs a responder JVM at a moment it holds something: it waits (up to {@value #CHAOS_WAIT_SECONDS} s) until one of the live responder JVMs
     * owns the drone, which it only does between taking an alert with ack and acknowledging it, so the victim dies
     * holding the drone's mutex and an unacknowledged alert, and every run shows a recovery. Frozen, the victim must be
     * the mutex's owner and the journal must show its lock (on etcd a contender is first in the queue a few round trips
     * before its lock() returns; killed there, it held nothing yet).
     */
    private void killJvm(final Mutex drone, final Auditor auditor, final Summary summary) {
        final List<Child> candidates = new ArrayList<>();
        for (Child c : snapshotChildren()) {
            if (c.jvm && c.kind == FleetAgent.Kind.RESPONDER && c.process.isAlive()) {
                candidates.add(c);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        Child victim = null;
        boolean confirmed = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHAOS_WAIT_SECONDS);
        while (victim == null && System.nanoTime() < deadline && !interrupted) {
            final Holder h = drone.owner();
            Child seen = null;
            if (h != null && h.isAlive()) {
                for (Child c : candidates) {
                    if (h.agentId().equals(c.id)) {
                        seen = c;
                        break;
                    }
                }
            }
            if (seen == null) {
                Thread.onSpinWait();
                continue;
            }
            // a responder holds the drone for about a millisecond, and this thread may be descheduled longer than that
            // between looking and killing: freeze it first (SIGSTOP), then look again; a frozen process cannot let go
            if (signal(seen, "STOP") && awaitStopped(seen)) {
                final Holder now = drone.owner();
                if (now != null && now.agentId().equals(seen.id)) {
                    // and its lock() has returned: the journal records the lock only then
                    final long caughtUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (auditor.behind() && System.nanoTime() < caughtUp) {
                        Thread.onSpinWait();
                    }
                    if (seen.id.equals(auditor.droneHolder())) {
                        victim = seen;
                        confirmed = true;
                        break;
                    }
                }
            }
            signal(seen, "CONT"); // it had let go already (or did not stop): let it run and wait for the next flight
        }
        if (victim == null) {
            victim = candidates.get(0);
            event("chaos: no responder JVM took the drone within " + CHAOS_WAIT_SECONDS + " s; killing " + victim.id + " anyway");
        }
        victim.process.destroyForcibly(); // SIGKILL: no shutdown hook, no close, its takes and locks stay behind
        summary.killNanos = System.nanoTime();
        summary.killedId = victim.id;
        try {
            victim.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final long caughtUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (auditor.behind() && System.nanoTime() < caughtUp) {
            Thread.onSpinWait();
        }
        // a frozen victim the journal showed holding the drone died holding it; one killed anyway, if the journal says so
        final boolean holdsDrone = confirmed || victim.id.equals(auditor.droneHolder());
        summary.killedHeldDrone = holdsDrone;
        summary.killedPending = auditor.heldBy(victim.id);
        event(String.format(Locale.ROOT, "chaos: SIGKILLed %s (pid %d)%s, holding %d unacknowledged alert(s)", victim.id, victim.process.pid(),
                holdsDrone ? " while it held the drone" : "", summary.killedPending.size()));
    }

    /**
     * SIGKILLs a Python or Node responder at a moment it holds an unacknowledged alert. Its take belongs to its gateway
     * connection (the journal names the connection's agent: the responder's id); to catch the moment it holds one, the
     * monitor goes by what the agent publishes under {@link #HOLDING_PREFIX}{@code ID} (set right after a take, removed
     * after the ack), and checks it against the journal: it waits (up to {@value #CHAOS_WAIT_SECONDS} s) until the key names an alert, freezes
     * the agent (SIGSTOP), lets whatever command it had sent reach the gateway and the journal (100 ms, then until the
     * auditor has read the journal to its end), and kills it only if that alert is still taken by that agent and not
     * acknowledged; else it lets the agent run on (SIGCONT) and waits for its next take. The gateway then sees the connection drop and returns the
     * take ({@code TUPLE_RETURN}), and another responder takes and acknowledges it.
     */
    private void killForeign(final KeyValue kv, final Child victim, final Auditor auditor, final Summary summary) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHAOS_WAIT_SECONDS);
        long held = -1;
        while (held < 0 && System.nanoTime() < deadline && !interrupted && victim.process.isAlive()) {
            if (holding(kv, victim.id) < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                continue;
            }
            if (signal(victim, "STOP") && awaitStopped(victim)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                final long caughtUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (auditor.behind() && System.nanoTime() < caughtUp) {
                    Thread.onSpinWait();
                }
                final long id = holding(kv, victim.id);
                if (id >= 0 && takenThroughGateway(auditor.takerOf(id), victim.id)) {
                    held = id;
                    break;
                }
            }
            signal(victim, "CONT"); // it had acknowledged already (or did not stop): let it run and wait for its next take
        }
        if (held < 0) {
            event("chaos: " + victim.id + " held no unacknowledged alert whenever looked at within " + CHAOS_WAIT_SECONDS + " s; killing it anyway");
        }
        victim.process.destroyForcibly(); // SIGKILL (a stopped process dies too): its sockets close, the gateway returns its take
        summary.killNanos = System.nanoTime();
        summary.killedId = victim.id;
        summary.foreignVictim = true;
        try {
            victim.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        summary.killedPending = held < 0 ? Set.of() : Set.of(held);
        event(String.format(Locale.ROOT, "chaos: SIGKILLed %s (pid %d)%s", victim.id, victim.process.pid(),
                held < 0 ? ", holding nothing" : " holding alert " + held + " unacknowledged (taken through the gateway)"));
    }

    /**
     * SIGKILLs the etcd leader (the member the live members agree leads; a member if none is agreed within 5 s) and
     * measures how long until the monitor's next write is committed: the election of a new leader and jetcd finding it.
     * The agents carry on on their own; the audit at the end shows whether anything acknowledged was lost.
     */
    private void killEtcdLeader(final KeyValue kv, final Summary summary) throws InterruptedException {
        final java.util.Optional<EtcdMembers.Member> leader = etcd.leader(TimeUnit.SECONDS.toNanos(5));
        EtcdMembers.Member victim = leader.orElse(null);
        if (victim == null) {
            for (EtcdMembers.Member m : etcd.members()) {
                if (m.isAlive()) {
                    victim = m;
                    break;
                }
            }
        }
        if (victim == null) {
            event("chaos: no live etcd member to kill");
            return;
        }
        final long killed = System.nanoTime();
        EtcdMembers.kill(victim);
        summary.etcdKillNanos = killed;
        summary.etcdKilled = victim.name;
        summary.etcdKilledWasLeader = leader.isPresent();
        int left = 0;
        for (EtcdMembers.Member m : etcd.members()) {
            left += m.isAlive() ? 1 : 0;
        }
        summary.etcdMembersLeft = left;
        event(String.format(Locale.ROOT, "chaos: SIGKILLed etcd member %s (%s, pid %d, %s)", victim.name, leader.isPresent() ? "the leader" : "not known to lead",
                victim.pid, victim.endpoint()));
        kv.putLong("fleet/etcd-probe", killed);
        summary.etcdStallNanos = System.nanoTime() - killed;
        event(String.format(Locale.ROOT, "chaos: the next write after the etcd kill committed in %.0f ms", summary.etcdStallNanos / 1e6));
    }

    /** The alert id a foreign responder says it holds, or -1. */
    /**
     * Whether a take's agent is the foreign responder {@code id}'s: its named connection's agent ({@code id}, or
     * {@code id#N} when the name was in use), or the gateway's agent for a connection without a name.
     */
    private boolean takenThroughGateway(final String taker, final String id) {
        return taker != null && (taker.equals(gatewayAgent) || taker.equals(id) || taker.startsWith(id + "#"));
    }

    private static long holding(final KeyValue kv, final String id) {
        final Entry e = kv.get(HOLDING_PREFIX + id);
        if (e == null || e.isRemoved()) {
            return -1;
        }
        try {
            return Long.parseLong(e.valueAsString().trim());
        } catch (NumberFormatException ex) {
            return -1;
        }
    }

    /** Sends {@code kill -SIGNAL} to the child; false when it could not be sent. */
    private static boolean signal(final Child c, final String signal) {
        try {
            final Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(c.process.pid())).redirectErrorStream(true).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits (at most a second) until /proc shows the child stopped. */
    private static boolean awaitStopped(final Child c) {
        final Path stat = Paths.get("/proc", Long.toString(c.process.pid()), "stat");
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < until) {
            try {
                final String s = Files.readString(stat);
                final int close = s.lastIndexOf(')');
                if (close > 0 && close + 2 < s.length() && (s.charAt(close + 2) == 'T' || s.charAt(close + 2) == 't')) {
                    return true;
                }
            } catch (IOException e) {
                return false;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Recovery ends when the victim's alerts are acknowledged by others and (if it held it) the drone was taken over. */
    private void checkRecovery(final KeyValue kv, final Auditor auditor, final Summary summary) {
        long last = summary.killNanos;
        if (summary.foreignVictim) {
            // an ack the victim had sent before it froze, reaching the journal only after the look: it held nothing
            final Set<Long> held = new HashSet<>(summary.killedPending);
            held.removeIf(auditor::ackedWithoutReturn);
            summary.killedPending = held;
        } else {
            summary.killedPending = auditor.heldBy(summary.killedId);
        }
        if (summary.killedPending.isEmpty() && !summary.killedHeldDrone) {
            return; // it died holding nothing: there is nothing to recover, and no recovery time to report
        }
        for (long id : summary.killedPending) {
            final long acked = auditor.ackedAfterReturnNanos(id);
            if (acked == 0) {
                return;
            }
            last = Math.max(last, acked);
        }
        if (summary.killedHeldDrone) {
            final Entry e = kv.get(FleetAgent.DRONE_RECOVERED);
            if (e == null || e.valueAsLong() < summary.killNanos) {
                return;
            }
            last = Math.max(last, e.valueAsLong());
        }
        summary.recoveryNanos = last - summary.killNanos;
        event(String.format(Locale.ROOT, "chaos: recovered in %.1f ms (%d alert(s) returned and acknowledged by %s%s)", summary.recoveryNanos / 1e6,
                summary.killedPending.size(), ackers(auditor, summary), summary.killedHeldDrone ? ", drone taken over" : ""));
    }

    /** Who acknowledged the victim's alerts after they were returned, by agent (a foreign responder by its own id). */
    private String ackers(final Auditor auditor, final Summary summary) {
        final Set<String> by = new java.util.TreeSet<>();
        for (long id : summary.killedPending) {
            by.add(auditor.ackerAfterReturn(id, gatewayAgent));
        }
        return by.isEmpty() ? "-" : String.join(", ", by);
    }

    // ---------------------------------------------------------------- view

    private void view(final Space space, final Mutex drone, final Semaphore uplink, final Auditor auditor, final Summary summary,
            final long elapsed, final double producedPerSec, final double consumedPerSec) {
        final StringBuilder sb = new StringBuilder(1024);
        final Histogram h = histograms(space.kv());
        int alive = 0;
        int dead = 0;
        final StringBuilder names = new StringBuilder();
        for (AgentInfo a : space.agents()) {
            if (a.id().equals("monitor")) {
                continue;
            }
            if (a.isAlive()) {
                alive++;
            } else if (a.state() == AgentInfo.State.DEAD) {
                dead++;
            }
            names.append(' ').append(a.id()).append(a.isAlive() ? "" : "(" + a.state().name().toLowerCase(Locale.ROOT) + ")");
        }
        final SpaceStats stats = space.stats();
        final Holder holder = drone.owner();
        if (terminal) {
            sb.append("\033[H\033[2J");
            sb.append(String.format(Locale.ROOT, "Slate fleet  %s   t=%5.1fs of %.0fs   idle=%s cpu=%s%n", space.address(), elapsed / 1e9, duration, idle,
                    cpu == null ? "-" : cpu));
            sb.append(String.format(Locale.ROOT, "agents    %d alive, %d dead:%s%n", alive, dead, names));
            sb.append(String.format(Locale.ROOT, "alerts    produced %,9d (%,7.0f/s)   consumed %,9d (%,7.0f/s)   in flight %,d%n", auditor.produced(),
                    producedPerSec, auditor.consumed(), consumedPerSec, auditor.pending()));
            sb.append(String.format(Locale.ROOT, "handoff   p50 %s   p99 %s   p99.9 %s   (%,d samples)%n", micros(h, 50), micros(h, 99), micros(h, 99.9),
                    h.getTotalCount()));
            sb.append(String.format(Locale.ROOT, "journal   index %x   %,d records   %,.1f MiB%n", stats.lastIndex(), stats.journalRecords(),
                    stats.journalBytes() / 1048576.0));
            sb.append(String.format(Locale.ROOT, "locks     drone: %s (token %d)   uplink: %d of %d permits free%n", holder == null ? "free" : holder,
                    drone.lastToken(), uplink.availablePermits(), uplink.permits()));
            sb.append(String.format(Locale.ROOT, "chaos     %s%n", chaosLine(summary)));
            sb.append("events\n");
            synchronized (events) {
                for (String e : events) {
                    sb.append("  ").append(e).append('\n');
                }
            }
        } else {
            sb.append(String.format(Locale.ROOT,
                    "  t=%5.1fs agents %d alive %d dead | alerts %,d produced (%,.0f/s) %,d consumed (%,.0f/s) | handoff p50 %s p99 %s p99.9 %s"
                            + " | journal %x %,.1f MiB | drone %s%n",
                    elapsed / 1e9, alive, dead, auditor.produced(), producedPerSec, auditor.consumed(), consumedPerSec, micros(h, 50), micros(h, 99),
                    micros(h, 99.9), stats.lastIndex(), stats.journalBytes() / 1048576.0, holder == null ? "free" : holder.agentId()));
        }
        out.print(sb);
        out.flush();
    }

    private static String chaosLine(final Summary s) {
        if (s.killNanos == 0) {
            return "-";
        }
        return "killed " + s.killedId + (s.recoveryNanos < 0 ? ", recovering..."
                : String.format(Locale.ROOT, ", recovered in %.1f ms", s.recoveryNanos / 1e6));
    }

    private static String micros(final Histogram h, final double percentile) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f us", h.getValueAtPercentile(percentile) / 1e3);
    }

    /**
     * The sum of the responders' histograms. Reads each by its key rather than with {@code KeyValue.forEach}, which
     * locks every segment of the map in turn and so would stall on any segment lock a SIGKILLed agent left behind
     * (core does not take those over yet), not only on the segments of the keys it needs.
     */
    private Histogram histograms(final KeyValue kv) {
        final Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (Child c : snapshotChildren()) {
            if (c.kind != FleetAgent.Kind.RESPONDER) {
                continue;
            }
            final Entry e = kv.get(FleetAgent.HIST_PREFIX + c.id);
            if (e != null && !e.isRemoved()) {
                try {
                    total.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(e.value()), 0));
                } catch (java.util.zip.DataFormatException ex) {
                    throw new IllegalStateException("histogram under " + e.key() + " is not readable", ex);
                }
            }
        }
        return total;
    }

    private static long plans(final Space space) {
        try (Blackboard bb = Blackboard.of(space, FleetAgent.BOARD)) {
            return bb.count("plan");
        }
    }

    // ---------------------------------------------------------------- summary

    /** What the run produced, gathered at the end. */
    private static final class Summary {
        long start;
        long elapsedNanos;
        long killNanos;
        String killedId;
        /** jvm, python or node. */
        String killedKind;
        /** A Python or Node responder: its holdings are what it published and the journal confirmed, not the journal's by its id. */
        boolean foreignVictim;
        boolean killedHeldDrone;
        final Map<String, String> foreignStats = new HashMap<>();
        Set<Long> killedPending = Set.of();
        long recoveryNanos = -1;
        SpaceStats stats;
        long remaining;
        Histogram histogram;
        long plans;
        List<AgentInfo> agentStates = List.of();
        Auditor auditor;
        /** The etcd member SIGKILLed by --chaos, or null. */
        String etcdKilled;
        boolean etcdKilledWasLeader;
        long etcdKillNanos;
        /** From the etcd member's kill until the monitor's next write was committed. */
        long etcdStallNanos = -1;
        int etcdMembersLeft;
    }

    private boolean printSummary(final Summary s, final String dir, final String replay) {
        final Auditor a = s.auditor;
        final long lost = a.produced() - a.consumed() - s.remaining;
        final Histogram h = s.histogram;
        out.println();
        out.println(interrupted ? "Summary (interrupted)" : "Summary");
        out.printf(Locale.ROOT, "  alerts           %,d produced, %,d consumed%s%n", a.produced(), a.consumed(),
                a.produced() == a.consumed() ? " (produced = consumed)" : lost == 0 ? " (the rest is still in the space)" : "  <-- MISMATCH");
        out.printf(Locale.ROOT, "  duplicates       %,d   lost %,d   still in the space %,d   returned by dead takers %,d%n", a.duplicates(), lost,
                s.remaining, a.returnedDead());
        if (a.voidAcks() > 0) {
            out.printf(Locale.ROOT, "  void acks        %,d: acks of takes already returned because their taker was seen dead (on etcd: its lease expired"
                    + " while it lived), which count for nothing; those alerts were taken again and acknowledged once%n", a.voidAcks());
        }
        out.printf(Locale.ROOT, "  plans            %,d made by the planner from the responders' hypotheses%n", s.plans);
        out.printf(Locale.ROOT, "  journal records  %,d (%,.1f MiB); every alert, take, ack, hypothesis, plan, CAS and lock%n",
                s.stats.journalRecords(), s.stats.journalBytes() / 1048576.0);
        out.printf(Locale.ROOT, "  handoff latency  p50 %s  p99 %s  p99.9 %s  max %s  (%,d alerts, sensor out -> responder take)%n", micros(h, 50),
                micros(h, 99), micros(h, 99.9), micros(h, 100), h.getTotalCount());
        if (s.killNanos != 0) {
            out.printf(Locale.ROOT, "  chaos            SIGKILLed %s (%s) at t=%.1fs%s holding %d unacknowledged alert(s)%s; %s%n", s.killedId,
                    s.foreignVictim ? s.killedKind + ", through the gateway" : "JVM", (s.killNanos - s.start) / 1e9,
                    s.killedHeldDrone ? " while flying the drone," : "", s.killedPending.size(),
                    s.killedPending.isEmpty() ? "" : " " + new java.util.TreeSet<>(s.killedPending),
                    s.killedPending.isEmpty() && !s.killedHeldDrone ? "it held nothing, so nothing to recover (NOT a chaos test)"
                            : s.recoveryNanos < 0 ? "NOT recovered"
                            : String.format(Locale.ROOT, "recovered in %.1f ms (acknowledged by %s)", s.recoveryNanos / 1e6, ackers(a, s)));
        } else {
            out.println("  chaos            off (--chaos kills a responder mid-run)");
        }
        if (s.etcdKilled != null) {
            out.printf(Locale.ROOT, "  etcd chaos       SIGKILLed etcd member %s (%s) at t=%.1fs; the monitor's next write committed %.0f ms after the kill;"
                    + " %d of %d members carried on%n", s.etcdKilled, s.etcdKilledWasLeader ? "the leader" : "no leader was agreed, a member",
                    (s.etcdKillNanos - s.start) / 1e9, s.etcdStallNanos / 1e6, s.etcdMembersLeft, etcd.members().size());
        } else if (etcd != null) {
            out.println("  etcd chaos       off (--chaos also SIGKILLs the etcd leader mid-run)");
        }
        out.printf(Locale.ROOT, "  elapsed          %.1f s%n", s.elapsedNanos / 1e9);
        for (AgentInfo info : s.agentStates) {
            out.printf(Locale.ROOT, "  agent %-14s pid %-8d %s%n", info.id(), info.pid(), info.state().name().toLowerCase(Locale.ROOT));
        }
        if (!clean) {
            out.println();
            out.println("Replay it:   " + replay);
            out.println("Check it:    scripts/slate verify --space " + dir);
            if (!dir.contains("://")) {
                out.println("Remove it:   rm -rf " + dir);
            }
        } else {
            out.println("Replay it (before --clean removes it): " + replay);
        }
        return lost == 0 && a.duplicates() == 0 && (interrupted || a.produced() == a.consumed())
                && (interrupted || s.killNanos == 0 || s.recoveryNanos >= 0);
    }

    /** What a Python or Node responder reported acknowledging (its stats key), or -1. */
    private static long foreignAcks(final Summary s, final String id) {
        final String v = s.foreignStats.get(id);
        return v == null || !v.startsWith("acked=") ? -1 : Long.parseLong(v.substring(6).trim());
    }

    private void writeJson(final Summary s) throws IOException {
        final Auditor a = s.auditor;
        final Histogram h = s.histogram;
        final StringBuilder sb = new StringBuilder(256);
        sb.append("{\"agents\":").append(agents);
        sb.append(",\"produced\":").append(a.produced());
        sb.append(",\"consumed\":").append(a.consumed());
        sb.append(",\"duplicates\":").append(a.duplicates());
        sb.append(",\"voidAcks\":").append(a.voidAcks());
        sb.append(",\"lost\":").append(a.produced() - a.consumed() - s.remaining);
        sb.append(",\"plans\":").append(s.plans);
        sb.append(",\"journalRecords\":").append(s.stats.journalRecords());
        sb.append(",\"killed\":[");
        if (s.killedId != null) {
            sb.append('"').append(s.killedId).append('"');
        }
        sb.append("],\"killedKind\":").append(s.killedKind == null ? "null" : "\"" + s.killedKind + "\"");
        sb.append(",\"killedHeldDrone\":").append(s.killedHeldDrone);
        sb.append(",\"killedUnacknowledged\":").append(s.killedPending.size());
        // each alert the victim held when killed: returned (by the survivors or the gateway), then acknowledged by whom
        sb.append(",\"killedAlerts\":[");
        String sep = "";
        for (long id : new java.util.TreeSet<>(s.killedPending)) {
            final String by = a.ackerAfterReturn(id, gatewayAgent);
            sb.append(sep).append("{\"id\":").append(id).append(",\"acks\":").append(a.acks(id)).append(",\"ackedAfterReturnBy\":").append(by == null ? "null" : "\"" + by + "\"").append('}');
            sep = ",";
        }
        sb.append(']');
        if (etcd != null) {
            sb.append(",\"etcdKilled\":").append(s.etcdKilled == null ? "null" : "\"" + s.etcdKilled + "\"");
            sb.append(",\"etcdKilledWasLeader\":").append(s.etcdKilledWasLeader);
            sb.append(",\"etcdStallMillis\":").append(s.etcdStallNanos < 0 ? -1 : Math.round(s.etcdStallNanos / 1e6 * 1000) / 1000.0);
            sb.append(",\"etcdMembersLeft\":").append(s.etcdMembersLeft);
        }
        sb.append(",\"recoveryMillis\":").append(s.recoveryNanos < 0 ? -1 : Math.round(s.recoveryNanos / 1e6 * 1000) / 1000.0);
        if (polyglot != null) {
            sb.append(",\"gatewayAcks\":{\"python-1\":").append(foreignAcks(s, "python-1")).append(",\"node-1\":").append(foreignAcks(s, "node-1")).append('}');
        }
        sb.append(",\"handoffNanos\":{\"p50\":").append(h.getValueAtPercentile(50));
        sb.append(",\"p99\":").append(h.getValueAtPercentile(99));
        sb.append(",\"p999\":").append(h.getValueAtPercentile(99.9)).append("}}\n");
        Files.writeString(json, sb.toString(), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- auditor

    /**
     * Follows the journal on its own thread and keeps the books of the alerts tuple space: outs, takes, acks and
     * returns, each decided by the journal's order, not by what the agents say.
     */
    private static final class Auditor extends Thread {
        /** Where an ACK's or RETURN's value names the take it ends (io.slate.engine.tuple.TupleRecordDescriptor). */
        private static final int END_TAKE_INDEX_OFFSET = 12;
        private final Space space;
        private final Map<Long, String> pendingTakes = new HashMap<>();
        private final Set<Long> acked = new HashSet<>();
        private final Set<Long> returned = new HashSet<>();
        private final Map<Long, Long> ackedAfterReturn = new LinkedHashMap<>();
        /** For each returned alert acknowledged since: the agent the journal names for the ack. */
        private final Map<Long, String> ackedAfterReturnBy = new HashMap<>();
        /** For each returned alert: the foreign responder that last published it holds it (fleet/holding/ID). */
        private final Map<Long, String> foreignTakerAfterReturn = new HashMap<>();
        private final Map<String, Set<Long>> returnedFromDead = new HashMap<>();
        /** Alerts acknowledged more than once: how many acks beyond the first. */
        private final Map<Long, Integer> extraAcks = new HashMap<>();
        /** For each taken, unacknowledged alert: the journal index of its live take. */
        private final Map<Long, Long> takeIndex = new HashMap<>();
        /** For each acknowledged alert: the take its ack ended. */
        private final Map<Long, Long> ackedTakes = new HashMap<>();
        private long voidAcks;
        private long produced;
        private long duplicates;
        private long returnedDead;
        private long lastIndex = -1;
        /** The agent the journal last shows locking the drone without unlocking it, or null. */
        private String droneHolder;
        private volatile boolean stop;

        Auditor(final Space space) {
            super("fleet-auditor");
            setDaemon(true);
            this.space = space;
        }

        @Override
        public void run() {
            try (Tailer t = space.journal().tailerFromStart()) {
                while (true) {
                    final JournalRecord r = t.next(20, TimeUnit.MILLISECONDS);
                    if (r == null) {
                        if (stop) {
                            return;
                        }
                        continue;
                    }
                    apply(r);
                }
            }
        }

        private synchronized void apply(final JournalRecord r) {
            lastIndex = r.index();
            if (r.op() == Op.PUT && r.key().length() > HOLDING_PREFIX.length() && HOLDING_PREFIX.contentEquals(r.key().subSequence(0,
                    HOLDING_PREFIX.length()))) {
                // a foreign responder's take is journaled under its connection's agent (its name), or the gateway's agent for a
                // connection without a name; its holding key says whose it is
                try {
                    final long id = Long.parseLong(r.valueAsString().trim());
                    if (returned.contains(id)) {
                        foreignTakerAfterReturn.put(id, r.key().subSequence(HOLDING_PREFIX.length(), r.key().length()).toString());
                    }
                } catch (NumberFormatException ignored) {
                    // not an alert id: says nothing
                }
                return;
            }
            if (r.keyEquals(FleetAgent.DRONE)) {
                if (r.op() == Op.LOCK || r.op() == Op.LOCK_RECOVERED) {
                    droneHolder = r.agent().toString();
                } else if (r.op() == Op.UNLOCK) {
                    droneHolder = null;
                }
                return;
            }
            if (!r.keyEquals(FleetAgent.ALERTS)) {
                return;
            }
            final Op op = r.op();
            final long id = r.version();
            if (op == Op.TUPLE_OUT) {
                produced++;
            } else if (op == Op.TUPLE_TAKE) {
                // a take of a tuple already taken (by a faster agent) or gone is void: the first one in journal order wins
                if (!acked.contains(id) && !pendingTakes.containsKey(id)) {
                    pendingTakes.put(id, r.agent().toString());
                    takeIndex.put(id, r.index());
                }
            } else if (op == Op.TUPLE_ACK) {
                // an ack ends the take it names, if that take is still the tuple's live one (docs/tuples.md): an ack of a
                // take that was returned meanwhile (its taker was seen dead: on etcd, its lease expired) counts for nothing
                final long ended = endedTake(r);
                final Long live = takeIndex.get(id);
                final Long ackedTake = ackedTakes.get(id);
                if (ackedTake != null ? ackedTake != ended : live == null || live != ended) {
                    voidAcks++;
                    return;
                }
                pendingTakes.remove(id);
                takeIndex.remove(id);
                ackedTakes.put(id, ended);
                if (!acked.add(id)) {
                    duplicates++;
                    extraAcks.merge(id, 1, Integer::sum);
                } else if (returned.contains(id)) {
                    ackedAfterReturn.put(id, System.nanoTime());
                    ackedAfterReturnBy.put(id, r.agent().toString());
                }
            } else if (op == Op.TUPLE_RETURN) {
                final Long live = takeIndex.get(id);
                if (live == null || live != endedTake(r)) {
                    return; // a second return of the same take, or of a take already ended: void
                }
                takeIndex.remove(id);
                final String taker = pendingTakes.remove(id);
                if (taker != null) {
                    returned.add(id);
                    if ((r.valueBuffer()[1] & 1) != 0) { // flags: the taker died (docs/tuples.md, TUPLE_RETURN)
                        returnedDead++;
                        returnedFromDead.computeIfAbsent(taker, k -> new HashSet<>()).add(id);
                    }
                }
            }
        }

        /** The agent the journal shows holding the drone (locked, not unlocked), or null. */
        synchronized String droneHolder() {
            return droneHolder;
        }

        /** The index of the TUPLE_TAKE record an ACK or RETURN names (docs/tuples.md). */
        private static long endedTake(final JournalRecord r) {
            return ByteBuffer.wrap(r.valueBuffer(), 0, r.valueLength()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(END_TAKE_INDEX_OFFSET);
        }

        /** Acks of a take already returned: void by the journal's rules, not counted as consumed or duplicated. */
        synchronized long voidAcks() {
            return voidAcks;
        }

        synchronized long produced() {
            return produced;
        }

        synchronized long consumed() {
            return acked.size();
        }

        synchronized long duplicates() {
            return duplicates;
        }

        synchronized long returnedDead() {
            return returnedDead;
        }

        synchronized int pending() {
            return pendingTakes.size();
        }

        /** The alerts {@code agent} took and had not acknowledged: still pending, or returned after it died. */
        synchronized Set<Long> heldBy(final String agent) {
            final Set<Long> ids = new HashSet<>(returnedFromDead.getOrDefault(agent, Set.of()));
            pendingTakes.forEach((id, taker) -> {
                if (taker.equals(agent)) {
                    ids.add(id);
                }
            });
            return ids;
        }

        /** How many times the journal acknowledges this alert. */
        synchronized int acks(final long id) {
            return acked.contains(id) ? 1 + extraAcks.getOrDefault(id, 0) : 0;
        }

        /** The agent the journal names for the pending take of this alert, or null when it is not taken. */
        synchronized String takerOf(final long id) {
            return pendingTakes.get(id);
        }

        /** True when this alert was acknowledged and never returned (its taker acknowledged it itself). */
        synchronized boolean ackedWithoutReturn(final long id) {
            return acked.contains(id) && !returned.contains(id);
        }

        /**
         * Who acknowledged this alert after it was returned: the agent the journal names, or, for an ack through the
         * gateway (whose agent the journal names), the foreign responder that published it held it; null when not yet.
         */
        synchronized String ackerAfterReturn(final long id, final String gateway) {
            final String by = ackedAfterReturnBy.get(id);
            if (by != null && by.equals(gateway)) {
                final String foreign = foreignTakerAfterReturn.get(id);
                return foreign == null ? by + " (a gateway connection)" : foreign;
            }
            return by;
        }

        synchronized long ackedAfterReturnNanos(final long id) {
            final Long t = ackedAfterReturn.get(id);
            return t == null ? 0 : t;
        }

        /** True while the auditor has not read the journal up to its end. */
        synchronized boolean behind() {
            return lastIndex < space.journal().lastIndex();
        }

        /** Reads the journal to its end, then stops. */
        void finish() throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (behind() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            stop = true;
            join(5_000);
        }
    }
}
