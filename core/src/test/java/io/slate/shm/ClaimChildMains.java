package io.slate.shm;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Sync;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Child programs of {@link NameClaimsTest}: real processes claiming names at once, or stopping inside a claim. */
final class ClaimChildMains {
    private ClaimChildMains() {
    }

    /** Waits until {@code parties} processes have reached step {@code step} of a barrier file (a shared counter). */
    static void await(final MappedFile barrier, final int parties, final int step) {
        barrier.buffer().getAndAddLong(0, 1);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (barrier.buffer().getLongVolatile(0) < (long) parties * (step + 1)) {
            if (System.nanoTime() > deadline) {
                System.out.println("BARRIER TIMEOUT at step " + step);
                System.exit(2);
            }
            Thread.onSpinWait();
        }
    }

    static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * args: tailersFile barrierFile me parties rounds — each round, with the others at once: claims "rR-shared" and
     * "rR-cME" (a long name), prints "R name slot" for both, deletes its own; after the round's second barrier,
     * the round's deleter (R mod parties) deletes the shared one while the others start the next round.
     */
    static final class TailerClaimer {
        public static void main(final String[] args) {
            final int me = Integer.parseInt(args[2]);
            final int parties = Integer.parseInt(args[3]);
            final int rounds = Integer.parseInt(args[4]);
            try (TailerPositions t = TailerPositions.open(Paths.get(args[0]));
                 MappedFile barrier = MappedFile.open(Paths.get(args[1]), 64)) {
                final StringBuilder out = new StringBuilder();
                for (int r = 0; r < rounds; r++) {
                    await(barrier, parties, 2 * r);
                    final String shared = "r" + r + "-shared";
                    final String own = "r" + r + "-c" + me + "-a-name-longer-than-four-bytes";
                    final int a = t.findOrClaim(bytes(shared));
                    final int b = t.findOrClaim(bytes(own));
                    final int cs = t.count(bytes(shared));
                    final int co = t.count(bytes(own));
                    if (cs != 1 || co != 1) {
                        System.out.println("DUP round " + r + ": " + shared + " in " + cs + " slots (got " + a + "), " + own + " in " + co
                                + " slots (got " + b + ") " + t.dump() + " me " + ProcessHandle.current().pid());
                    }
                    out.append(r).append(' ').append(shared).append(' ').append(a).append('\n');
                    out.append(r).append(' ').append(own).append(' ').append(b).append('\n');
                    t.delete(bytes(own));
                    await(barrier, parties, 2 * r + 1);
                    if (r % parties == me) {
                        t.delete(bytes(shared));
                    }
                }
                System.out.print(out);
                System.out.println("DONE");
            }
        }
    }

    /**
     * args: tailersFile names — claims and deletes names from "n0".."n(names-1)" at random, forever (a scan for
     * duplicates here would race with the others' deletes; the test checks the table once they are dead).
     */
    static final class RandomClaimer {
        public static void main(final String[] args) {
            final int names = Integer.parseInt(args[1]);
            try (TailerPositions t = TailerPositions.open(Paths.get(args[0]))) {
                System.out.println("RUNNING");
                System.out.flush();
                final ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (true) {
                    final byte[] name = bytes("n" + rnd.nextInt(names));
                    t.findOrClaim(name);
                    if (rnd.nextInt(3) == 0) {
                        t.delete(name);
                    }
                }
            }
        }
    }

    /** Installs a fault-point handler that prints "INSIDE point" at {@code point} and waits to be killed. */
    static void stopAt(final String point) {
        FaultPoints.install(p -> {
            if (p.equals(point)) {
                System.out.println("INSIDE " + p);
                System.out.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    /** args: tailersFile point name — claims the named tailer, stopping at the fault point inside the claim. */
    static final class StopInTailerClaim {
        public static void main(final String[] args) {
            System.setProperty("slate.faultPoints", "true"); // before FaultPoints is loaded
            try (TailerPositions t = TailerPositions.open(Paths.get(args[0]))) {
                stopAt(args[1]);
                t.findOrClaim(bytes(args[2]));
                System.out.println("CLAIMED");
            }
        }
    }

    /** args: dir point name — opens the space and names a counter, stopping at the fault point inside the claim. */
    static final class StopInSyncClaim {
        public static void main(final String[] args) {
            System.setProperty("slate.faultPoints", "true");
            try (Space space = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId("victim"))) {
                stopAt(args[1]);
                Sync.of(space).counter(args[2]).add(1);
                System.out.println("CLAIMED");
            }
        }
    }

    /**
     * args: dir barrierFile me parties names — opens the space, waits for the others, then adds 1 to counters "c0"..
     * and names a tailer "t0".. for each k (claiming their slots all at once with the others); prints "DONE".
     */
    static final class SpaceClaimer {
        public static void main(final String[] args) {
            final int parties = Integer.parseInt(args[3]);
            final int names = Integer.parseInt(args[4]);
            try (Space space = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId("claimer-" + args[2]));
                 MappedFile barrier = MappedFile.open(Paths.get(args[1]), 64)) {
                await(barrier, parties, 0);
                for (int k = 0; k < names; k++) {
                    Sync.of(space).counter("c" + k).add(1);
                    space.journal().namedTailer("t" + k).close();
                }
                System.out.println("DONE");
            }
        }
    }

    /** args: dir — holds the exclusive lock on the space's .lock file until killed, after printing "HELD". */
    static final class LockHolder {
        public static void main(final String[] args) throws Exception {
            final Path lock = Paths.get(args[0]).resolve(SpaceDescriptor.LOCK_FILE_NAME);
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                System.out.println("HELD");
                System.out.flush();
                Thread.sleep(TimeUnit.MINUTES.toMillis(10));
            }
        }
    }
}
