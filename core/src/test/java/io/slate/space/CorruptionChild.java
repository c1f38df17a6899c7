package io.slate.space;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.sync.Sync;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM (a fault on a mapped file would kill it, not the test): for each space directory given, opens
 * the space, reads its whole journal, verifies it, opens its sync primitives, writes one key and verifies again, and
 * prints one line: {@code RESULT <dir name> OK <records read> <verify ok>}, or {@code RESULT <dir name> FAIL <step>
 * <exception class> <space|other> <message>} for the first step that failed. {@code CASE <dir name>} comes first, so
 * a crash shows which case it was in.
 */
final class CorruptionChild {
    private CorruptionChild() {
    }

    public static void main(final String[] args) {
        for (String dir : args) {
            final Path d = Path.of(dir);
            final String name = d.getFileName().toString();
            System.out.println("CASE " + name);
            String step = "open";
            try (Space s = Space.open(SpaceOptions.at(d).agentId("corruption-child"))) {
                step = "tail";
                long records = 0;
                try (Tailer t = s.journal().tailerFromStart()) {
                    JournalRecord r;
                    while ((r = t.next(0, TimeUnit.NANOSECONDS)) != null) {
                        records++;
                    }
                }
                step = "verify";
                final VerifyReport report = s.journal().verify();
                step = "sync";
                Sync.of(s).mutex("m").lock();
                Sync.of(s).mutex("m").unlock();
                step = "write";
                s.kv().putString("written-after", "yes");
                step = "verify-after";
                final boolean after = s.journal().verify().ok();
                System.out.println("RESULT " + name + " OK " + records + " " + (report.ok() && after) + " " + report.mismatches());
            } catch (RuntimeException | Error e) {
                System.out.println("RESULT " + name + " FAIL " + step + " " + e.getClass().getSimpleName() + " "
                        + (e instanceof SpaceException ? "space" : "other") + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
        System.out.println("END");
    }
}
