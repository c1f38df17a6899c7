package io.slate.space;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.kv.Values;

import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Programs the multi-JVM tests run in child JVMs. Each prints what it did on stdout, one line at a time. */
final class ChildMains {
    private ChildMains() {
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

    /** args: dir agentId count startAtMillis — does {@code count} compare-and-set increments of key "counter". */
    static final class CasIncrementer {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final int n = Integer.parseInt(args[2]);
                System.out.println("READY");
                startAt(Long.parseLong(args[3]));
                final KeyValue kv = space.kv();
                final EntryBuffer buf = new EntryBuffer();
                final byte[] digits = new byte[20];
                long conflicts = 0;
                for (int i = 0; i < n; i++) {
                    while (true) {
                        final long v = kv.get("counter", buf);
                        final long value = v == KeyValue.ABSENT ? 0 : buf.valueAsLong();
                        final int len = Values.writeDecimal(value + 1, digits, 0);
                        if (kv.compareAndSet("counter", v, digits, 0, len) > 0) {
                            break;
                        }
                        conflicts++;
                    }
                }
                System.out.println("DONE " + conflicts);
            }
        }
    }

    /** args: dir agentId key count — puts versions 1..count of one key, each value its version in decimal. */
    static final class VersionPutter {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final int n = Integer.parseInt(args[3]);
                final byte[] digits = new byte[20];
                System.out.println("READY");
                for (int i = 1; i <= n; i++) {
                    final long v = space.kv().put(args[2], digits, 0, Values.writeDecimal(i, digits, 0));
                    if (v != i) {
                        throw new IllegalStateException("put " + i + " got version " + v);
                    }
                    if (i % 64 == 0) {
                        Thread.sleep(0, 50_000); // let the reader see some versions one by one
                    }
                }
                System.out.println("DONE");
            }
        }
    }

    /** args: dir agentId ops keys seed startAtMillis — a random mix of put, remove, CAS and increment. */
    static final class RandomWriter {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final int ops = Integer.parseInt(args[2]);
                final int keys = Integer.parseInt(args[3]);
                final Random rnd = new Random(Long.parseLong(args[4]));
                System.out.println("READY");
                startAt(Long.parseLong(args[5]));
                final KeyValue kv = space.kv();
                for (int i = 0; i < ops; i++) {
                    final String key = "k" + rnd.nextInt(keys);
                    final int what = rnd.nextInt(10);
                    if (what < 5) {
                        final byte[] v = new byte[rnd.nextInt(200)];
                        rnd.nextBytes(v);
                        kv.put(key, v);
                    } else if (what < 6) {
                        kv.remove(key);
                    } else if (what < 8) {
                        final long version = kv.version(key);
                        kv.compareAndSet(key, version, Values.utf8(args[1] + "-" + i));
                    } else {
                        kv.increment("n" + rnd.nextInt(8), 1);
                    }
                }
                System.out.println("DONE");
            }
        }
    }

    /**
     * args: dir agentId (start|named:NAME) maxRecords idleTimeoutMillis — prints "R index key version" per record,
     * after "READY"; exits after maxRecords or when nothing arrives for idleTimeoutMillis.
     */
    static final class TailerMain {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                final String mode = args[2];
                final long max = Long.parseLong(args[3]);
                final long idleTimeout = Long.parseLong(args[4]);
                try (Tailer t = mode.startsWith("named:") ? space.journal().namedTailer(mode.substring(6)) : space.journal().tailerFromStart()) {
                    System.out.println("READY");
                    System.err.println("POS " + t.lastIndex());
                    for (long n = 0; n < max; n++) {
                        final JournalRecord r = t.next(idleTimeout, TimeUnit.MILLISECONDS);
                        if (r == null) {
                            break;
                        }
                        System.out.println("R " + r.index() + " " + r.key() + " " + r.version());
                    }
                }
                System.out.println("END");
            }
        }
    }

    /** args: dir agentId startAtMillis — opens (maybe creating) the space at the same moment as others, writes its key. */
    static final class Creator {
        public static void main(final String[] args) throws Exception {
            startAt(Long.parseLong(args[2]));
            try (Space space = open(args[0], args[1])) {
                final long v = space.kv().putString("hello/" + args[1], args[1]);
                space.kv().increment("openers", 1);
                System.out.println("OK " + v);
            }
        }
    }

    /** args: dir agentId — attaches, writes one key, prints READY and sleeps until killed. */
    static final class Sleeper {
        public static void main(final String[] args) throws Exception {
            final Space space = open(args[0], args[1]);
            space.kv().putString("sleeper/" + args[1], "here");
            System.out.println("READY");
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            space.close();
        }
    }
}
