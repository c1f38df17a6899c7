package io.slate.consistency;

import io.slate.kv.Entry;
import io.slate.kv.Values;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;
import java.util.Random;

/** Child programs of the consistency tests. */
final class ConsistencyChildren {
    private ConsistencyChildren() {
    }

    static Space open(final String dir, final String agent) {
        return Space.open(SpaceOptions.at(Paths.get(dir)).agentId(agent));
    }

    /**
     * args: dir agentId ops seed startAtMillis — a random mix of STRONG reads and writes of one register, each logged
     * with its monotonic start and end time (System.nanoTime is CLOCK_MONOTONIC: comparable across processes):
     * "W start end version" / "R start end version value".
     */
    static final class RegisterClient {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1]); KeyValueView v = KeyValueView.open(space, Consistency.STRONG)) {
                final int ops = Integer.parseInt(args[2]);
                final Random rnd = new Random(Long.parseLong(args[3]));
                final StringBuilder log = new StringBuilder(ops * 40);
                System.out.println("READY");
                final long startAt = Long.parseLong(args[4]);
                while (System.currentTimeMillis() < startAt) {
                    Thread.sleep(1);
                }
                for (int i = 0; i < ops; i++) {
                    if (rnd.nextInt(3) == 0) {
                        final String value = args[1] + "-" + i;
                        final long s = System.nanoTime();
                        final long version = v.put("register", Values.utf8(value));
                        final long e = System.nanoTime();
                        log.append("W ").append(s).append(' ').append(e).append(' ').append(version).append(' ').append(value).append('\n');
                    } else {
                        final long s = System.nanoTime();
                        final Entry entry = v.get("register");
                        final long e = System.nanoTime();
                        log.append("R ").append(s).append(' ').append(e).append(' ').append(entry == null ? 0 : entry.version()).append(' ')
                                .append(entry == null ? "-" : entry.valueAsString()).append('\n');
                    }
                }
                System.out.print(log);
                System.out.println("DONE");
            }
        }
    }

    /**
     * args: dir agentId token key... — a CAUSAL view that observes {@code token} (from another agent), reads each key
     * and prints "GOT key version value" (or "MISSING key"), then writes "reply/agentId" and prints "TOKEN t".
     */
    static final class CausalAgent {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1]); KeyValueView v = KeyValueView.open(space, Consistency.CAUSAL)) {
                final long token = Long.parseLong(args[2]);
                if (token >= 0) {
                    v.observe(token);
                }
                for (int i = 3; i < args.length; i++) {
                    final Entry e = v.get(args[i]);
                    System.out.println(e == null ? "MISSING " + args[i] : "GOT " + args[i] + " " + e.version() + " " + e.valueAsString());
                }
                v.put("reply/" + args[1], Values.utf8("seen by " + args[1]));
                System.out.println("TOKEN " + v.sessionToken());
            }
        }
    }

    /** args: dir agentId count — puts "hot" count times with STRONG writes as fast as it can. */
    static final class HotWriter {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1])) {
                System.out.println("READY");
                final int n = Integer.parseInt(args[2]);
                for (int i = 0; i < n; i++) {
                    space.kv().putString("hot", args[1] + "-" + i);
                }
                System.out.println("DONE");
            }
        }
    }
}
