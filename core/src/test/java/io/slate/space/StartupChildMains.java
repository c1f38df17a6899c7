package io.slate.space;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.FaultPoints;
import io.slate.shm.SpaceDescriptor;
import io.slate.kv.EntryBuffer;
import io.slate.sync.Sync;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/** Child programs of {@link OpenWithoutLockTest}: each prints what it did on stdout, one line at a time. */
final class StartupChildMains {
    private StartupChildMains() {
    }

    /** args: dir seconds — holds the exclusive lock on the space's .lock for that long, after printing "HELD". */
    static final class LockHolder {
        public static void main(final String[] args) throws Exception {
            final Path lock = Paths.get(args[0]).resolve(SpaceDescriptor.LOCK_FILE_NAME);
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                System.out.println("HELD");
                System.out.flush();
                Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(args[1])));
            }
        }
    }

    /**
     * args: dir agent ops startAtMillis — at that moment opens the space, does {@code ops} puts, gets and increments
     * and one use of a sync counter, closes it; prints "READY ms" (open and first operation) then "DONE".
     */
    static final class Joiner {
        public static void main(final String[] args) throws Exception {
            ChildMains.startAt(Long.parseLong(args[3]));
            final long t0 = System.nanoTime();
            try (Space s = ChildMains.open(args[0], args[1])) {
                s.kv().putString("joined/" + args[1], "yes");
                System.out.println("READY " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                final int ops = Integer.parseInt(args[2]);
                for (int i = 0; i < ops; i++) {
                    s.kv().putString("j/" + args[1] + "/" + (i % 16), Integer.toString(i));
                    s.kv().get("shared");
                    s.kv().increment("joins-ops", 1);
                }
                Sync.of(s).counter("joins").add(1);
            }
            System.out.println("DONE");
        }
    }

    /**
     * args: dir agent seconds — works in a loop (put, get, increment of its own keys) for that long, timing every
     * operation; prints "WORKING" once it has done a first round, then "MAX nanos OPS n SLOW n" (ops over 100 ms).
     */
    static final class Worker {
        public static void main(final String[] args) throws Exception {
            try (Space s = ChildMains.open(args[0], args[1])) {
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
                final EntryBuffer buf = new EntryBuffer();
                final byte[] value = new byte[64];
                long max = 0;
                long ops = 0;
                long slow = 0;
                boolean announced = false;
                while (System.nanoTime() < end) {
                    for (int k = 0; k < 3; k++) {
                        final long a = System.nanoTime();
                        switch (k) {
                            case 0:
                                s.kv().put("w/" + (ops & 63), value, 0, value.length);
                                break;
                            case 1:
                                s.kv().get("w/" + (ops & 63), buf);
                                break;
                            default:
                                s.kv().increment("w/count", 1);
                                break;
                        }
                        final long d = System.nanoTime() - a;
                        max = Math.max(max, d);
                        if (d > TimeUnit.MILLISECONDS.toNanos(100)) {
                            slow++;
                        }
                        ops++;
                    }
                    if (!announced) {
                        System.out.println("WORKING");
                        System.out.flush();
                        announced = true;
                    }
                    Thread.sleep(0, 200_000); // an agent that works, not a spinning benchmark
                }
                System.out.println("MAX " + max + " OPS " + ops + " SLOW " + slow);
            }
        }
    }

    /** args: dir point — creates (or opens) the space with fault points on, and stops at {@code point} to be killed. */
    static final class StopInOpen {
        public static void main(final String[] args) {
            System.setProperty("slate.faultPoints", "true");
            FaultPoints.install(p -> {
                if (p.equals(args[1])) {
                    System.out.println("INSIDE " + p);
                    System.out.flush();
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try (ChronicleSpace s = ChronicleSpace.open(SpaceOptions.at(Paths.get(args[0])))) {
                System.out.println("OPENED " + s.agentId());
            }
        }
    }

    /** args: dir — opens (or creates) the space, puts one key and closes; for kills at random moments. */
    static final class Opener {
        public static void main(final String[] args) {
            System.out.println("STARTED");
            System.out.flush();
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
                s.kv().putString("opened/" + s.agentId(), "yes");
            }
            System.out.println("DONE");
        }
    }
}
