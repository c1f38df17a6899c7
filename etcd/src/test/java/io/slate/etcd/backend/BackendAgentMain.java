package io.slate.etcd.backend;

import io.slate.kv.Entry;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.TupleSpace;

import java.util.concurrent.TimeUnit;

/**
 * An agent JVM of the etcd backend's fault tests: {@code COMMAND ADDRESS AGENT ARGS...}, one line per acknowledged
 * operation (with the wall-clock time of its acknowledgement), {@code done} at the end.
 * <ul>
 *   <li>{@code work ADDRESS AGENT ROUNDS}: ROUNDS times: put {@code w-AGENT-i} (prints {@code put KEY VERSION INDEX MILLIS};
 *       after the first, waits until the key {@code go} exists: the test's signal, given just before its fault),
 *       lock the mutex {@code baton}, read {@code fence}, put it to the token by compare-and-set and unlock (prints
 *       {@code token TOKEN PREVIOUS MILLIS}, or {@code overlap ...} when the compare-and-set lost: another holder wrote),
 *       take one {@code ("job", *)} with ack (prints {@code ack ID VALUE MILLIS}), and add 1 to the key {@code increments}
 *       and to the counter {@code rounds}. Then takes until none is left.</li>
 *   <li>{@code hold ADDRESS AGENT}: locks {@code baton}, acquires the one permit of semaphore {@code uplink}, takes one
 *       {@code ("job", *)} with ack and holds all three until killed (prints {@code holding TOKEN ID}).</li>
 * </ul>
 */
public final class BackendAgentMain {
    static final Template JOB = Template.of("job", Template.ANY);

    private BackendAgentMain() {
    }

    public static void main(final String[] args) throws Exception {
        final String command = args[0];
        try (Space space = Space.open(SpaceOptions.of(args[1]).agentId(args[2]));
             TupleSpace jobs = TupleSpace.of(space, "jobs")) {
            final Mutex baton = Sync.of(space).mutex("baton");
            if ("hold".equals(command)) {
                final long token = baton.lock();
                final Semaphore uplink = Sync.of(space).semaphore("uplink", 1);
                uplink.acquire();
                final Taken t = jobs.inWithAck(JOB, 30, TimeUnit.SECONDS);
                System.out.println("holding " + token + " " + (t == null ? -1 : t.id()));
                Thread.sleep(Long.MAX_VALUE);
                return;
            }
            final int rounds = Integer.parseInt(args[3]);
            System.out.println("ready");
            for (int i = 1; i <= rounds; i++) {
                final String key = "w-" + args[2] + "-" + i;
                final long version = space.kv().putString(key, "v" + i);
                final Entry e = space.kv().get(key);
                System.out.println("put " + key + " " + version + " " + e.journalIndex() + " " + System.currentTimeMillis());
                if (i == 1 && space.kv().awaitChange("go", 0, 120, TimeUnit.SECONDS) == null) {
                    throw new IllegalStateException("no 'go' from the test within 120 s");
                }
                // exactly once across unknown outcomes: a key increment and a sync counter, once per round
                space.kv().increment("increments", 1);
                Sync.of(space).counter("rounds").add(1);
                final long token = baton.lock();
                try {
                    final Entry fence = space.kv().get("fence");
                    final long previous = fence == null ? 0 : fence.valueAsLong();
                    final long expected = fence == null ? 0 : fence.version();
                    final long wrote = space.kv().compareAndSet("fence", expected, Long.toString(token).getBytes());
                    System.out.println((wrote > 0 ? "token " : "overlap ") + token + " " + previous + " " + System.currentTimeMillis());
                } finally {
                    baton.unlock();
                }
                try (Taken t = jobs.inWithAck(JOB, 200, TimeUnit.MILLISECONDS)) {
                    if (t != null && t.ack()) {
                        System.out.println("ack " + t.id() + " " + t.tuple().getLong(1) + " " + System.currentTimeMillis());
                    }
                }
            }
            while (true) {
                try (Taken t = jobs.inWithAck(JOB, 3, TimeUnit.SECONDS)) {
                    if (t == null) {
                        break;
                    }
                    if (t.ack()) {
                        System.out.println("ack " + t.id() + " " + t.tuple().getLong(1) + " " + System.currentTimeMillis());
                    }
                }
            }
            System.out.println("done");
        }
    }
}
