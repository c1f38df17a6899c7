import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One fresh JVM's start, for scripts/bench-start.sh: opens (or creates) a space, does one key/value operation, and
 * prints one line of numbers. Uses only the public API, so the same probe measures any build of slate.jar.
 *
 * <pre>
 *   java -cp slate.jar:DIR StartProbe MODE SPACE_DIR
 *     MODE open:  "open_ms first_op_ms"   (Space.open, then one kv.get)
 *     MODE put:   "open_ms first_op_ms"   (Space.open, then one kv.put)
 *     MODE ready: "ready_epoch_millis"    (when Space.open and one kv.put returned; with a third argument STOP_FILE
 *                                          the agent then stays open, as agents do, until STOP_FILE exists)
 *     MODE work:  "WORKING", then "max_ms ops slow_ops"
 *                 (java ... StartProbe work SPACE_DIR STOP_FILE: an agent at work, put/get/increment with a 0.2 ms pause
 *                 after each three, as OpenWithoutLockTest's worker; after 2 s of warm-up it prints WORKING and starts
 *                 timing every operation, until STOP_FILE exists; slow = over 100 ms)
 *     MODE train: nothing                 (creates the space, puts, closes; reopens it, gets, puts, closes; deletes it:
 *                                          the run a class-data-sharing archive is recorded from, so that it holds
 *                                          the classes of both paths, creating and reopening)
 * </pre>
 * Times are measured from the start of main; the script measures the process wall time around it.
 */
public final class StartProbe {
    public static void main(final String[] args) {
        final long t0 = System.nanoTime();
        final String mode = args[0];
        final Path dir = Path.of(args[1]);
        if (mode.equals("train")) {
            main(new String[] {"put", args[1]});
            main(new String[] {"open", args[1]});
            main(new String[] {"put", args[1]});
            Space.delete(dir);
            return;
        }
        if (mode.equals("work")) {
            work(dir, Path.of(args[2]));
            return;
        }
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            final long t1 = System.nanoTime();
            if (mode.equals("open")) {
                s.kv().get("k");
            } else {
                final byte[] v = ("v" + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
                s.kv().put("k-" + ProcessHandle.current().pid(), v, 0, v.length);
            }
            final long t2 = System.nanoTime();
            if (mode.equals("ready")) {
                System.out.println(System.currentTimeMillis());
                System.out.flush();
                if (args.length > 2) {
                    final Path stop = Path.of(args[2]);
                    while (!java.nio.file.Files.exists(stop)) {
                        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                    }
                }
            } else {
                System.out.printf("%.1f %.1f%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
        }
    }

    private static void work(final Path dir, final Path stop) {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            final byte[] value = new byte[64];
            final long warmEnd = System.nanoTime() + 2_000_000_000L;
            boolean timing = false;
            long max = 0;
            long ops = 0;
            long slow = 0;
            for (long i = 0; ; i++) {
                if ((i & 255) == 0) {
                    if (!timing && System.nanoTime() > warmEnd) {
                        timing = true;
                        System.out.println("WORKING");
                        System.out.flush();
                    } else if (timing && java.nio.file.Files.exists(stop)) {
                        break;
                    }
                }
                for (int k = 0; k < 3; k++) {
                    final long a = System.nanoTime();
                    final String key = "w/" + (i & 63);
                    if (k == 0) {
                        s.kv().put(key, value, 0, value.length);
                    } else if (k == 1) {
                        s.kv().get(key);
                    } else {
                        s.kv().increment("w/count", 1);
                    }
                    final long d = System.nanoTime() - a;
                    if (timing) {
                        max = Math.max(max, d);
                        slow += d > 100_000_000L ? 1 : 0;
                        ops++;
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // an agent that works, not a spinning benchmark
            }
            System.out.printf("%.1f %d %d%n", max / 1e6, ops, slow);
        }
    }
}
