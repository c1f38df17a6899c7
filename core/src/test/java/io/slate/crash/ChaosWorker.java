package io.slate.crash;

import io.slate.shm.FaultPoints;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One agent of the chaos test: a tight loop of puts, a contended compare-and-set counter, a tuple out and a take with
 * ack, a mutex-guarded compare-and-set (which would conflict if two agents were ever inside at once) and a semaphore.
 *
 * <p>args: {@code dir agent survivor|victim seed [stopChance]}. Survivors pace themselves (a short sleep per round) and print
 * {@code P round nanoTime} after each round, so the test sees when they make progress; they stop when the file
 * {@code dir/chaos.stop} appears. A victim runs flat out and prints {@code A key version} for each write it saw
 * acknowledged; with fault points on, now and then it stops for a while inside one (printing {@code INSIDE point},
 * then {@code OUT point}), so that the test can kill it exactly there. A victim opens everything, prints
 * {@code READY} and waits for the file {@code dir/go-<agent>} before it starts (so it can be started ahead of its turn). Any exception is printed as {@code ERROR} and
 * ends the process with status 3.
 */
public final class ChaosWorker {
    static final String STOP_FILE = "chaos.stop";
    static final Template JOBS = Template.of("job", Template.ANY_STRING, Template.ANY_LONG);
    /** Chance per fault point reached that a victim stops there (when it is to be killed inside one). */
    static final double STOP_CHANCE = 0.01;
    private static final long STOP_MILLIS = 150;

    private ChaosWorker() {
    }

    public static void main(final String[] args) {
        final Path dir = Paths.get(args[0]);
        final String agent = args[1];
        final boolean victim = args[2].equals("victim");
        final Random random = new Random(Long.parseLong(args[3]));
        final double stopChance = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        if (victim && stopChance > 0) {
            Victims.enableFaultPoints();
            FaultPoints.install(point -> {
                if (random.nextDouble() < stopChance) {
                    System.out.println("INSIDE " + point);
                    sleep(STOP_MILLIS);
                    System.out.println("OUT " + point);
                }
            });
        }
        try (Space space = Space.open(SpaceOptions.at(dir).agentId(agent).retainCycles(0))) {
            run(space, dir, agent, victim, random);
        } catch (Throwable t) {
            System.out.println("ERROR " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(3);
        }
    }

    private static void run(final Space space, final Path dir, final String agent, final boolean victim, final Random random) throws Exception {
        final KeyValue kv = space.kv();
        final TupleSpace jobs = TupleSpace.of(space, "jobs");
        final Sync sync = Sync.of(space);
        final Mutex mutex = sync.mutex("chaos");
        final Semaphore semaphore = sync.semaphore("chaos-permits", 2);
        final EntryBuffer buf = new EntryBuffer();
        final byte[] digits = new byte[20];
        final Path stop = dir.resolve(STOP_FILE);
        System.out.println("READY");
        if (victim) {
            // started ahead of its turn (while the previous victim is killed and checked): wait for it
            final Path go = dir.resolve("go-" + agent);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("never told to go: " + go);
                }
                sleep(1);
            }
        }
        for (long round = 1; ; round++) {
            // 1. a put of one of this agent's keys
            final String key = "w/" + agent + "/" + (round % 32);
            final byte[] value = ("round " + round).getBytes(StandardCharsets.UTF_8);
            final long v = kv.put(key, value);
            acked(victim, key, v);
            // 2. the shared counter, by compare-and-set
            while (true) {
                final long cv = kv.get("counter", buf);
                final long next = (cv == KeyValue.ABSENT ? 0 : buf.valueAsLong()) + 1;
                final int n = io.slate.kv.Values.writeDecimal(next, digits, 0);
                final long nv = kv.compareAndSet("counter", cv, digits, 0, n);
                if (nv > 0) {
                    acked(victim, "counter", nv);
                    break;
                }
            }
            // 3. a job out, and a job (anyone's) taken with ack
            jobs.out(Tuple.of("job", agent, round));
            final Taken taken = jobs.inWithAck(JOBS, 1, TimeUnit.SECONDS);
            if (taken != null) {
                taken.ack();
            }
            // 4. the mutex: inside it, a compare-and-set that fails only if someone else is inside too
            mutex.lock();
            try {
                final long gv = kv.get("guarded", buf);
                final long nv = kv.compareAndSet("guarded", gv, value, 0, value.length);
                if (nv < 0) {
                    throw new IllegalStateException("mutual exclusion violated: 'guarded' changed under the mutex (expected version " + gv + ")");
                }
                acked(victim, "guarded", nv);
            } finally {
                mutex.unlock();
            }
            // 5. a semaphore permit
            semaphore.acquire();
            semaphore.release();
            if (!victim) {
                System.out.println("P " + round + " " + System.nanoTime());
                if (Files.exists(stop)) {
                    System.out.println("STOPPED " + round);
                    return;
                }
                sleep(5 + random.nextInt(5));
            }
        }
    }

    private static void acked(final boolean victim, final String key, final long version) {
        if (victim) {
            System.out.println("A " + key + " " + version);
        }
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
