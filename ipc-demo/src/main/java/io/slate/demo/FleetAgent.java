package io.slate.demo;

import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.blackboard.Controller;
import io.slate.blackboard.KnowledgeSource;
import io.slate.blackboard.Trigger;
import io.slate.idle.IdleStrategies;
import io.slate.idle.IdleStrategy;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.kv.Values;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import net.openhft.affinity.AffinityLock;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;

/**
 * One agent of the fleet scenario, run in its own JVM (by {@link FleetDemo} or {@code slate agent KIND}).
 *
 * <ul>
 *   <li>{@link Kind#SENSOR} writes alert tuples {@code ("alert", sensorId, value, sentNanos)} to the tuple space
 *       {@value #ALERTS} at a fixed rate;</li>
 *   <li>{@link Kind#RESPONDER} takes each alert exactly once with {@code inWithAck}, records the handoff latency
 *       ({@code nanoTime() - sentNanos}) in an HdrHistogram, posts a hypothesis to the blackboard {@value #BOARD},
 *       dispatches the one drone (a fenced mutex) for alerts of value {@code >= 0.8}, and only then acknowledges;</li>
 *   <li>{@link Kind#PLANNER} runs a blackboard controller with the knowledge source {@code planner}: every hypothesis
 *       of value {@code >= 0.9} is combined with the latest hypotheses of the same sensor into a plan.</li>
 * </ul>
 * Every agent keeps the shared world model under {@code fleet/world/} with compare-and-set, reports its counters
 * under {@code fleet/stats/ID} (and a responder its histogram, compressed, under {@code fleet/hist/ID}) through the
 * space, and stops when {@value #PHASE} says so (sensors on drain, the others on stop) or when asked.
 *
 * <p>Each agent runs on the thread that calls {@link #run()}; {@link #requestStop()} may be called from any thread.
 */
public final class FleetAgent implements Runnable {
    /** The tuple space of alerts. */
    public static final String ALERTS = "alerts";
    /** The blackboard of hypotheses and plans. */
    public static final String BOARD = "incident";
    /** The levels of {@link #BOARD}. */
    static final String[] LEVELS = {"hypothesis", "plan"};
    /** The key the monitor drives the fleet with: {@link #RUN}, {@link #DRAIN}, {@link #STOP} (absent: run). */
    public static final String PHASE = "fleet/phase";
    static final long RUN = 0;
    static final long DRAIN = 1;
    static final long STOP = 2;
    /** The scarce resource: one drone, a fenced mutex. */
    public static final String DRONE = "fleet/drone";
    /** The uplink sensors and planners report over: a semaphore of {@value #UPLINK_PERMITS} permits. */
    public static final String UPLINK = "fleet/uplink";
    static final int UPLINK_PERMITS = 2;
    /** The template of alerts. */
    public static final Template ALERT = Template.of("alert", Template.ANY_LONG, Template.ANY_DOUBLE, Template.ANY_LONG);
    static final String STATS_PREFIX = "fleet/stats/";
    static final String HIST_PREFIX = "fleet/hist/";
    /** Written by each agent once its handles are open and it starts working. */
    static final String READY_PREFIX = "fleet/ready/";
    /** System.nanoTime from which responders record handoff latency (absent: from the start). */
    static final String MEASURE_FROM = "fleet/measure-from";
    /** Written (System.nanoTime) by the responder that takes the drone over from a dead holder. */
    static final String DRONE_RECOVERED = "fleet/recovered/drone";
    static final String DRONE_TOKEN = "fleet/world/drone-token";
    static final double DISPATCH_THRESHOLD = 0.8;
    static final double PLAN_THRESHOLD = 0.9;
    private static final long REPORT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** The kinds of agent. */
    public enum Kind {
        SENSOR, RESPONDER, PLANNER;

        /** The kind's name as the command line writes it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for an unknown kind */
        public static Kind parse(final String s) {
            for (Kind k : values()) {
                if (k.label().equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown agent kind '" + s + "': use sensor, responder or planner");
        }
    }

    private final Kind kind;
    /** The space: a directory, or an address scheme://... of another backend. */
    private final String space;
    private final String id;
    private final long sensorId;
    private final double rate;
    private final String idle;
    private final String cpu;
    private volatile boolean stopRequested;
    private long casConflicts;

    /**
     * @param kind      what the agent does
     * @param space     the space's directory or address ({@code etcd://...}); created if missing
     * @param id        the agent id (unique in the space)
     * @param sensorId  for a sensor: the id written in its alerts
     * @param rate      for a sensor: alerts per second
     * @param idle      idle strategy: spin, yield or backoff
     * @param cpu       {@code null} (no pinning), {@code auto} or a CPU number to pin the agent's thread to
     */
    public FleetAgent(final Kind kind, final String space, final String id, final long sensorId, final double rate, final String idle,
            final String cpu) {
        IdleStrategies.named(idle);
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be > 0, got " + rate);
        }
        this.kind = kind;
        this.space = space;
        this.id = id;
        this.sensorId = sensorId;
        this.rate = rate;
        this.idle = idle;
        this.cpu = cpu;
    }

    /** Child JVM entry: {@code KIND DIR|ADDRESS ID SENSOR_ID RATE IDLE CPU|-}; stops cleanly on SIGTERM or SIGINT. */
    public static void main(final String[] args) {
        final FleetAgent agent = new FleetAgent(Kind.parse(args[0]), args[1], args[2], Long.parseLong(args[3]),
                Double.parseDouble(args[4]), args[5], "-".equals(args[6]) ? null : args[6]);
        agent.runUntilShutdown();
    }

    /** Runs the agent on this thread; Ctrl-C or SIGTERM stops it, and it closes its space before returning. */
    public void runUntilShutdown() {
        Signals.onStop(this::requestStop);
        run();
    }

    /** Asks the agent to stop; thread-safe. */
    public void requestStop() {
        stopRequested = true;
    }

    @Override
    public void run() {
        final AffinityLock pin = pin();
        try (Space space = Space.open(SpaceOptions.of(this.space).agentId(id).idleStrategy(IdleStrategies.named(idle)))) {
            System.out.println(kind.label() + " " + id + " started, pid " + ProcessHandle.current().pid()
                    + (pin == null ? "" : ", pinned to cpu " + pin.cpuId()));
            switch (kind) {
                case SENSOR:
                    runSensor(space);
                    break;
                case RESPONDER:
                    runResponder(space);
                    break;
                default:
                    runPlanner(space);
                    break;
            }
        } finally {
            if (pin != null) {
                pin.release();
            }
        }
    }

    private AffinityLock pin() {
        if (cpu == null) {
            return null;
        }
        try {
            return "auto".equals(cpu) ? AffinityLock.acquireLock() : AffinityLock.acquireLock(Integer.parseInt(cpu));
        } catch (RuntimeException | Error e) {
            System.out.println("cannot pin to cpu " + cpu + ": " + e + "; running unpinned");
            return null;
        }
    }

    // ---------------------------------------------------------------- sensor

    private void runSensor(final Space space) {
        final KeyValue kv = space.kv();
        final EntryBuffer buf = new EntryBuffer();
        final TupleSpace alerts = TupleSpace.of(space, ALERTS);
        final Semaphore uplink = Sync.of(space).semaphore(UPLINK, UPLINK_PERMITS);
        final SplittableRandom random = new SplittableRandom(sensorId * 7919 + System.nanoTime());
        final long interval = (long) (1e9 / rate);
        ready(kv);
        long produced = 0;
        long next = System.nanoTime();
        long nextReport = next + REPORT_NANOS;
        while (!stopRequested && phase(kv, buf) == RUN) {
            final long now = System.nanoTime();
            if (now >= nextReport) {
                report(kv, uplink, "produced=" + produced);
                nextReport = now + REPORT_NANOS;
            }
            if (now < next) {
                LockSupport.parkNanos(Math.min(next - now, TimeUnit.MILLISECONDS.toNanos(1)));
                continue;
            }
            final double value = random.nextDouble();
            alerts.out(Tuple.of("alert", sensorId, value, System.nanoTime()));
            produced++;
            casUpdate(kv, buf, "fleet/world/alerts-raised", v -> v + 1);
            next = Math.max(next + interval, now - TimeUnit.SECONDS.toNanos(1));
        }
        report(kv, uplink, "produced=" + produced);
        System.out.printf("%s: produced %,d alerts, %,d CAS conflicts retried%n", id, produced, casConflicts);
    }

    // ---------------------------------------------------------------- responder

    private void runResponder(final Space space) {
        final KeyValue kv = space.kv();
        final EntryBuffer buf = new EntryBuffer();
        final TupleSpace alerts = TupleSpace.of(space, ALERTS);
        final Mutex drone = Sync.of(space).mutex(DRONE);
        final Histogram handoff = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long acked = 0;
        long dispatches = 0;
        long staleTokens = 0;
        long measureFrom = Long.MAX_VALUE;
        long nextReport = System.nanoTime() + REPORT_NANOS;
        try (Blackboard bb = Blackboard.of(space, BOARD, LEVELS)) {
            ready(kv);
            while (!stopRequested && phase(kv, buf) != STOP) {
                if (System.nanoTime() >= nextReport) {
                    reportResponder(kv, handoff, acked, dispatches, staleTokens);
                    nextReport = System.nanoTime() + REPORT_NANOS;
                    measureFrom = kv.get(MEASURE_FROM, buf) == KeyValue.ABSENT ? Long.MAX_VALUE : buf.valueAsLong();
                }
                try (Taken taken = alerts.inWithAck(ALERT, 20, TimeUnit.MILLISECONDS)) {
                    if (taken == null) {
                        continue;
                    }
                    final Tuple alert = taken.tuple();
                    final long sent = alert.getLong(3);
                    if (sent >= measureFrom) {
                        handoff.recordValue(Math.min(Math.max(0, System.nanoTime() - sent), handoff.getHighestTrackableValue()));
                    }
                    final long sensor = alert.getLong(1);
                    final double value = alert.getDouble(2);
                    bb.post("hypothesis", Attributes.of("sensor", sensor, "value", value, "alert", taken.id()), value);
                    casUpdate(kv, buf, "fleet/world/sector/" + sensor, v -> v + 1);
                    if (value >= DISPATCH_THRESHOLD) {
                        final long token = drone.lock();
                        try {
                            if (drone.lastRecoveredToken() == token) {
                                kv.putLong(DRONE_RECOVERED, System.nanoTime());
                                System.out.println(id + ": took the drone over from a dead holder, fencing token " + token);
                            }
                            // the fenced resource: it accepts only a token above every token it has seen
                            if (casUpdate(kv, buf, DRONE_TOKEN, v -> Math.max(v, token)) != token) {
                                staleTokens++;
                            }
                            dispatches++;
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the drone flies
                        } finally {
                            drone.unlock();
                        }
                    }
                    if (taken.ack()) {
                        acked++;
                    }
                }
            }
        }
        reportResponder(kv, handoff, acked, dispatches, staleTokens);
        System.out.printf("%s: acknowledged %,d alerts, %,d drone dispatches, %,d CAS conflicts retried%n", id, acked, dispatches, casConflicts);
    }

    private void reportResponder(final KeyValue kv, final Histogram handoff, final long acked, final long dispatches, final long staleTokens) {
        final ByteBuffer bytes = ByteBuffer.allocate(handoff.getNeededByteBufferCapacity());
        final int n = handoff.encodeIntoCompressedByteBuffer(bytes);
        kv.put(HIST_PREFIX + id, bytes.array(), 0, n);
        kv.putString(STATS_PREFIX + id, "acked=" + acked + " dispatches=" + dispatches + " staleTokens=" + staleTokens + " casConflicts=" + casConflicts);
    }

    // ---------------------------------------------------------------- planner

    private void runPlanner(final Space space) {
        final KeyValue kv = space.kv();
        final EntryBuffer buf = new EntryBuffer();
        final Semaphore uplink = Sync.of(space).semaphore(UPLINK, UPLINK_PERMITS);
        final IdleStrategy idler = IdleStrategies.named(idle).get();
        final KnowledgeSource planner = KnowledgeSource.of("planner",
                Trigger.onPosted("hypothesis").when(c -> c.entry().getDouble("value") >= PLAN_THRESHOLD),
                ctx -> {
                    final BlackboardEntry trigger = ctx.activation().entry();
                    final long sensor = trigger.getLong("sensor");
                    final List<BlackboardEntry> hypotheses = ctx.board().entries("hypothesis");
                    int combined = 0;
                    double sum = 0;
                    for (int i = hypotheses.size() - 1; i >= 0 && combined < 5; i--) {
                        final BlackboardEntry h = hypotheses.get(i);
                        if (h.getLong("sensor") == sensor) {
                            sum += h.getDouble("value");
                            combined++;
                        }
                    }
                    ctx.post("plan", Attributes.of("sensor", sensor, "hypotheses", (long) combined, "meanValue", sum / combined),
                            Math.min(1.0, sum / combined));
                });
        long plans = 0;
        long nextReport = System.nanoTime() + REPORT_NANOS;
        try (Blackboard bb = Blackboard.of(space, BOARD, LEVELS);
             Controller controller = bb.controller().register(planner).build()) {
            ready(kv);
            while (!stopRequested) {
                final int work = controller.doWork();
                if (work > 0) {
                    final long executed = controller.executed().size();
                    if (executed > plans) {
                        final long delta = executed - plans;
                        casUpdate(kv, buf, "fleet/world/plans", v -> v + delta);
                        plans = executed;
                    }
                } else if (phase(kv, buf) == STOP && controller.isQuiescent()) {
                    break;
                }
                if (System.nanoTime() >= nextReport) {
                    report(kv, uplink, "plans=" + plans);
                    nextReport = System.nanoTime() + REPORT_NANOS;
                }
                idler.idle(work);
            }
        }
        report(kv, uplink, "plans=" + plans);
        System.out.printf("%s: made %,d plans, %,d CAS conflicts retried%n", id, plans, casConflicts);
    }

    // ---------------------------------------------------------------- shared

    /** Reports counters over the uplink: a permit of the shared semaphore, then a write under fleet/stats/ID. */
    private void report(final KeyValue kv, final Semaphore uplink, final String counters) {
        if (uplink.tryAcquire(1, 50, TimeUnit.MILLISECONDS)) {
            try {
                kv.putString(STATS_PREFIX + id, counters + " casConflicts=" + casConflicts);
            } finally {
                uplink.release();
            }
        }
    }

    /** Compare-and-set update of a decimal long in the world model, retried on conflict; returns the value written. */
    private long casUpdate(final KeyValue kv, final EntryBuffer buf, final String key, final LongUnaryOperator fn) {
        final byte[] digits = new byte[20];
        while (true) {
            final long version = kv.get(key, buf);
            final long old = version == KeyValue.ABSENT ? 0 : buf.valueAsLong();
            final long value = fn.applyAsLong(old);
            final int n = Values.writeDecimal(value, digits, 0);
            if (kv.compareAndSet(key, version, digits, 0, n) > 0) {
                return value;
            }
            casConflicts++;
        }
    }

    private void ready(final KeyValue kv) {
        kv.putLong(READY_PREFIX + id, ProcessHandle.current().pid());
    }

    static long phase(final KeyValue kv, final EntryBuffer buf) {
        return kv.get(PHASE, buf) == KeyValue.ABSENT ? RUN : buf.valueAsLong();
    }
}
