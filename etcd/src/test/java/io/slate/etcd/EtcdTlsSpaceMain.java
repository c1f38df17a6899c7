package io.slate.etcd;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.util.concurrent.TimeUnit;

/**
 * A child JVM of {@link EtcdTlsTest}: {@code ADDRESS AGENT}; opens the space through {@code Space.open} with TLS from
 * the environment ({@code SLATE_ETCD_CACERT}, {@code SLATE_ETCD_CERT}, {@code SLATE_ETCD_KEY}), puts {@code k}, reads
 * it back and reads the journal from the start; prints {@code ok VALUE VERSION JOURNAL_KEYS} or {@code error
 * MESSAGE} (one line), then {@code done}.
 */
public final class EtcdTlsSpaceMain {
    private EtcdTlsSpaceMain() {
    }

    public static void main(final String[] args) {
        try (Space space = Space.open(SpaceOptions.of(args[0]).agentId(args[1]))) {
            final long version = space.kv().putString("k", "over-tls");
            final String value = space.kv().get("k").valueAsString();
            final StringBuilder keys = new StringBuilder();
            try (Tailer t = space.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    keys.append(keys.length() == 0 ? "" : ",").append(r.key());
                }
            }
            System.out.println("ok " + value + " " + version + " " + keys);
        } catch (RuntimeException e) {
            System.out.println("error " + e.getMessage().replace('\n', ' '));
        }
        System.out.println("done");
    }
}
