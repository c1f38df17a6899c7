package io.slate.space;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fills a small file system with a space's own writes, in a child JVM (a fault on a mapped page would kill it, not
 * the test). Args: {@code spaceDir fillerFile leaveMiB valueBytes}. Creates the space, then a filler file leaving
 * {@code leaveMiB} free, then writes keys {@code k0..k99} round-robin until a write is refused. Prints
 * {@code REFUSED <class> <message>} for that write and {@code STILL <class> <message>} for one more, one line
 * {@code ACKED <key> <version> <i>} per key (its last acknowledged write was the i-th), then {@code FULL}; waits for
 * the filler to be deleted, writes 100 more keys and prints {@code AFTER <n>} and {@code VERIFY <ok> <report>}.
 */
final class FillChild {
    private FillChild() {
    }

    /** The value of the i-th write. */
    static String value(final long i, final int bytes) {
        final char[] pad = new char[bytes];
        Arrays.fill(pad, 'x');
        return i + ":" + new String(pad);
    }

    public static void main(final String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final Path filler = Path.of(args[1]);
        final long leave = Long.parseLong(args[2]) << 20;
        final int valueBytes = Integer.parseInt(args[3]);
        // one journal cycle (a roll of the default five-minute cycle while filling would add a cycle file)
        try (Space s = Space.open(SpaceOptions.at(dir).maxEntries(1000).rollCycle(io.slate.space.JournalRollCycle.DAILY))) {
            final long free = Files.getFileStore(dir).getUsableSpace();
            Files.write(filler, new byte[(int) Math.max(0, free - leave)]);
            final Map<String, long[]> acked = new HashMap<>();
            long i = 0;
            try {
                while (true) {
                    final String key = "k" + (i % 100);
                    final long version = s.kv().putString(key, value(i, valueBytes));
                    acked.put(key, new long[] {version, i});
                    i++;
                }
            } catch (RuntimeException | Error e) {
                System.out.println("REFUSED " + e.getClass().getSimpleName() + " " + e.getMessage());
            }
            try {
                s.kv().putString("k0", "one more");
                System.out.println("STILL accepted");
            } catch (RuntimeException | Error e) {
                System.out.println("STILL " + e.getClass().getSimpleName() + " " + e.getMessage());
            }
            acked.forEach((k, v) -> System.out.println("ACKED " + k + " " + v[0] + " " + v[1]));
            System.out.println("FULL");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.exists(filler) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            int after = 0;
            for (; after < 100; after++) {
                s.kv().putString("after-" + after, value(after, valueBytes));
            }
            System.out.println("AFTER " + after);
            final io.slate.journal.VerifyReport r = s.journal().verify();
            System.out.println("VERIFY " + r.ok() + " " + r);
        }
    }
}
