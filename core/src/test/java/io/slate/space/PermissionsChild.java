package io.slate.space;

import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.journal.Tailer;
import io.slate.sync.Sync;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Uses every part of a space, so that every file a space can have exists: key/value writes over a journal roll-over
 * (secondly cycles, retention into an archive directory), tuples, sync primitives, a named tailer, a blackboard. Run
 * in-process by the tests, and as a child JVM under another umask: args {@code dir archiveDir shared(true|false)}.
 */
final class PermissionsChild {
    private PermissionsChild() {
    }

    public static void main(final String[] args) throws Exception {
        useEverything(Path.of(args[0]), Path.of(args[1]), Boolean.parseBoolean(args[2]));
        System.out.println("DONE");
    }

    /** Opens (creating) the space and uses all of it; returns once the journal has rolled over and retired a cycle. */
    static void useEverything(final Path dir, final Path archive, final boolean shared) throws Exception {
        try (Space s = Space.open(SpaceOptions.at(dir).groupShared(shared).rollCycle(JournalRollCycle.SECONDLY).retainCycles(1)
                .archiveDirectory(archive))) {
            try (Tailer t = s.journal().namedTailer("reader")) {
                s.kv().putString("first", "1");
                t.next(10, TimeUnit.SECONDS);
            }
            s.journal().deleteNamedTailer("reader"); // a named tailer that stopped reading would keep every cycle
            try (Tailer t = s.journal().namedTailer("kept")) {
                // its slot stays in tailers.slate
                t.lastIndex();
            }
            s.journal().deleteNamedTailer("kept");
            try (TupleSpace ts = TupleSpace.of(s, "jobs")) {
                ts.out(Tuple.of("job", 1L));
                ts.inp(Template.of("job", Template.ANY_LONG));
            }
            Sync.of(s).mutex("m").lock();
            Sync.of(s).mutex("m").unlock();
            Sync.of(s).counter("c").add(1);
            try (Blackboard bb = Blackboard.of(s, "board", "signal")) {
                bb.post("signal", Attributes.of("v", 1L), 1.0);
            }
            // roll over until retention has moved a cycle to the archive
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; countFiles(archive) == 0; i++) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no journal cycle was archived within 30 s");
                }
                s.kv().putLong("tick", i);
                Thread.sleep(50);
            }
        }
        // Chronicle reports acquired cycle files on a background thread: let it finish
        BackgroundResourceReleaser.releasePendingResources();
    }

    private static long countFiles(final Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
