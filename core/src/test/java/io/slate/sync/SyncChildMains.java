package io.slate.sync;

import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** Programs the multi-JVM sync tests run in child JVMs. Each prints what it did on stdout, one line at a time. */
final class SyncChildMains {
    /** Every wait in a child is bounded by this, so a broken protocol fails the test instead of hanging it. */
    static final long CHILD_WAIT_SECONDS = 60;

    private SyncChildMains() {
    }

    static Space open(final String dir, final String agent) {
        return Space.open(SpaceOptions.at(Paths.get(dir)).agentId(agent));
    }

    /** Waits until the wall clock reaches {@code startAtMillis}, so several JVMs start a step together. */
    static void startAt(final long startAtMillis) throws InterruptedException {
        while (System.currentTimeMillis() < startAtMillis) {
            Thread.sleep(1);
        }
    }

    /**
     * args: dir agentId iterations startAtMillis — locks mutex "m" (journaled) {@code iterations} times. Inside, it
     * claims the shared marker counter "inside" (0 to 1 by CAS, must succeed) and increments key "plain" with a
     * non-atomic read then write; it releases the marker (1 to 0) before unlocking. Prints "TOKENS t1 t2 ..." and
     * "DONE violations".
     */
    static final class MutexHammer {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final int n = Integer.parseInt(args[2]);
                final Sync sync = Sync.of(space);
                final Mutex m = sync.mutex("m", Journaling.ON);
                final AtomicCounter inside = sync.counter("inside");
                final KeyValue kv = space.kv();
                final EntryBuffer buf = new EntryBuffer();
                final long[] tokens = new long[n];
                int violations = 0;
                System.out.println("READY");
                startAt(Long.parseLong(args[3]));
                for (int i = 0; i < n; i++) {
                    final long token = m.tryLock(CHILD_WAIT_SECONDS, TimeUnit.SECONDS);
                    if (token <= 0) {
                        System.out.println("TIMEOUT at " + i);
                        return;
                    }
                    if (!inside.compareAndSet(0, 1)) {
                        violations++;
                    }
                    final long v = kv.get("plain", buf);
                    kv.putLong("plain", v == KeyValue.ABSENT ? 1 : buf.valueAsLong() + 1); // not atomic: the mutex makes it so
                    tokens[i] = token;
                    if (!inside.compareAndSet(1, 0)) {
                        violations++;
                    }
                    m.unlock();
                }
                final StringBuilder sb = new StringBuilder("TOKENS");
                for (long t : tokens) {
                    sb.append(' ').append(t);
                }
                System.out.println(sb);
                System.out.println("DONE " + violations);
            }
        }
    }

    /**
     * args: dir agentId — locks mutex "m" and acquires 2 of the 3 permits of semaphore "s" (both journaled), prints
     * "READY token" and sleeps until killed.
     */
    static final class HoldAndSleep {
        public static void main(final String[] args) throws Exception {
            final Space space = open(args[0], args[1]);
            final Sync sync = Sync.of(space);
            final long token = sync.mutex("m", Journaling.ON).lock();
            sync.semaphore("s", 3, Journaling.ON).acquire(2);
            System.out.println("READY " + token);
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            space.close();
        }
    }

    /**
     * args: dir agentId — prints READY, waits up to 60 s for mutex "m"; holding it, claims the marker "inside" for
     * 100 ms; prints "GOT token recovered|normal violations" (or "TIMEOUT").
     */
    static final class Survivor {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final Sync sync = Sync.of(space);
                final Mutex m = sync.mutex("m");
                final AtomicCounter inside = sync.counter("inside");
                System.out.println("READY");
                final long token = m.tryLock(CHILD_WAIT_SECONDS, TimeUnit.SECONDS);
                if (token <= 0) {
                    System.out.println("TIMEOUT");
                    return;
                }
                final boolean recovered = m.lastRecoveredToken() == token;
                int violations = inside.compareAndSet(0, 1) ? 0 : 1;
                Thread.sleep(100);
                violations += inside.compareAndSet(1, 0) ? 0 : 1;
                m.unlock();
                System.out.println("GOT " + token + (recovered ? " recovered " : " normal ") + violations);
            }
        }
    }

    /**
     * args: dir agentId iterations startAtMillis — acquires 1 of the 2 permits of semaphore "s" {@code iterations}
     * times; inside, adds 1 to counter "inUse" (must stay at most 2) and removes it again; adds {@code i % 7 + 1} to
     * counter "sum" every iteration. Prints "DONE violations maxInUse mySum".
     */
    static final class SemaphoreHammer {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final int n = Integer.parseInt(args[2]);
                final Sync sync = Sync.of(space);
                final Semaphore s = sync.semaphore("s", 2);
                final AtomicCounter inUse = sync.counter("inUse");
                final AtomicCounter sum = sync.counter("sum");
                int violations = 0;
                long max = 0;
                long mine = 0;
                System.out.println("READY");
                startAt(Long.parseLong(args[3]));
                for (int i = 0; i < n; i++) {
                    if (!s.tryAcquire(1, CHILD_WAIT_SECONDS, TimeUnit.SECONDS)) {
                        System.out.println("TIMEOUT at " + i);
                        return;
                    }
                    final long now = inUse.add(1);
                    if (now > 2 || now < 1) {
                        violations++;
                    }
                    max = Math.max(max, now);
                    for (int spin = 0; spin < 50; spin++) {
                        Thread.onSpinWait();
                    }
                    inUse.add(-1);
                    s.release();
                    sum.add(i % 7 + 1);
                    mine += i % 7 + 1;
                }
                System.out.println("DONE " + violations + " " + max + " " + mine);
            }
        }
    }

    /**
     * args: dir agentId generations — prints READY, waits for latch "start" (1), then for each generation adds 1 to
     * counter "arrivals" and awaits barrier "b" (3 parties); after passing generation g it checks that arrivals is
     * between 3(g+1) and 3(g+1)+2 and prints "GEN g index". Finally counts down latch "done" (3) and prints
     * "DONE violations".
     */
    static final class BarrierParty {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final int generations = Integer.parseInt(args[2]);
                final Sync sync = Sync.of(space);
                final CountDownLatch start = sync.latch("start", 1);
                final CountDownLatch done = sync.latch("done", 3);
                final Barrier barrier = sync.barrier("b", 3);
                final AtomicCounter arrivals = sync.counter("arrivals");
                int violations = 0;
                System.out.println("READY");
                if (!start.await(CHILD_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    System.out.println("TIMEOUT start");
                    return;
                }
                for (int g = 0; g < generations; g++) {
                    arrivals.add(1);
                    final int index = barrier.await(CHILD_WAIT_SECONDS, TimeUnit.SECONDS);
                    if (index < 0) {
                        System.out.println("TIMEOUT generation " + g);
                        return;
                    }
                    final long a = arrivals.get();
                    if (a < 3L * (g + 1) || a > 3L * (g + 1) + 2) {
                        violations++;
                    }
                    System.out.println("GEN " + g + " " + index);
                }
                done.countDown();
                System.out.println("DONE " + violations);
            }
        }
    }
}
