package io.slate.cli;

import io.slate.shm.ChronicleSpace;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Sync;
import io.slate.testing.ChildJvm;
import io.slate.testing.Damage;
import io.slate.testing.Processes;
import io.slate.testing.TestSpaces;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code slate verify}, {@code slate tail} and {@code slate stat} on a space with one file damaged (each file of a
 * space, each {@link Damage}), and on a journal holding a record that is not Slate's: the command works (exit 0)
 * when the file is one Chronicle or Slate makes afresh or does not read, or prints one line naming the file and the
 * problem and exits 3, never a stack trace or a crash (the commands run in a child JVM). A foreign record makes
 * verify report it (exit 1) and tail stop at it with its index (exit 3).
 */
class CorruptSpaceCliTest {
    @RegisterExtension
    final Processes processes = new Processes();

    private static Path base;
    private static String cycle;

    @BeforeAll
    static void createBase() throws Exception {
        base = TestSpaces.newDirectory("cli-corrupt-base");
        // one journal cycle for sure (the default five-minute cycle could roll while the records are written)
        try (Space s = Space.open(SpaceOptions.at(base).rollCycle(io.slate.space.JournalRollCycle.DAILY))) {
            try (Tailer t = s.journal().namedTailer("reader")) {
                s.kv().putString("k0", "v0");
                t.next(10, TimeUnit.SECONDS);
            }
            for (int i = 1; i < 10; i++) {
                s.kv().putString("k" + i, "v" + i);
            }
            Sync.of(s).mutex("m").lock();
            Sync.of(s).mutex("m").unlock();
        }
        try (Stream<Path> s = Files.list(base.resolve("journal"))) {
            cycle = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    @AfterAll
    static void deleteBase() {
        TestSpaces.delete(base);
    }

    /** Whether {@code command} still works with {@code file} damaged so. */
    private static boolean works(final String file, final Damage damage, final String command) {
        switch (file) {
            case ".lock":
                return true; // never read by these commands
            case "sync.slate":
            case "guards.slate":
                // the key/value map's segment guards (and the agent incarnations they use) are read by verify and stat
                // (the map), not by tail; guards.slate is shorter than 64 KiB: SHORT leaves it whole
                return command.equals("tail") || (file.equals("guards.slate") && damage == Damage.SHORT);
            case "space.slate":
            case "tailers.slate":
                return damage == Damage.SHORT; // shorter than 64 KiB: left whole
            case "journal/metadata.cq4t":
                return damage != Damage.RANDOM && damage != Damage.TEXT; // Chronicle writes it afresh
            default:
                return file.endsWith(".cq4") && damage == Damage.HALF; // its records are in the first few hundred KiB
        }
    }

    @Test
    void damagedFilesGiveOneLineAndExit3() throws Exception {
        final List<String> files = List.of("space.slate", "kv.cm3", "agents.slate", "tailers.slate", "sync.slate", "guards.slate", ".lock",
                "journal/metadata.cq4t", "journal/" + cycle);
        final Map<String, String[]> cases = new HashMap<>();
        final List<String> dirs = new ArrayList<>();
        for (String file : files) {
            for (Damage damage : Damage.values()) {
                final Path d = processes.dir("cli-" + file.replaceAll("[^a-z0-9]", "") + "-" + damage.name().toLowerCase());
                TestSpaces.copy(base, d);
                damage.apply(d.resolve(file));
                cases.put(d.getFileName().toString(), new String[] {file, damage.name()});
                dirs.add(d.toString());
            }
        }
        final ChildJvm child = processes.child("cli-corrupt", CliBatchChild.class, dirs.toArray(new String[0]));
        assertEquals(0, child.awaitExit(300, TimeUnit.SECONDS), () -> "the child crashed after " + child.output() + "\nstderr:\n" + child.stderr());
        int results = 0;
        for (String line : child.output()) {
            if (!line.startsWith("RESULT ")) {
                continue;
            }
            results++;
            final String[] f = line.split(" ", 6);
            final String file = cases.get(f[1])[0];
            final Damage damage = Damage.valueOf(cases.get(f[1])[1]);
            final String label = file + " " + damage + ": " + line;
            final int code = Integer.parseInt(f[3]);
            final String stderr = f[5].substring(f[5].indexOf('|') + 1);
            if (works(file, damage, f[2])) {
                assertEquals(0, code, label);
                assertEquals("", stderr, label);
                if (f[2].equals("verify")) {
                    assertTrue(f[5].startsWith("OK: "), label);
                }
            } else {
                assertEquals(3, code, label);
                assertEquals("1", f[4], () -> "one line on stderr: " + label);
                final String name = Path.of(file).getFileName().toString();
                assertTrue(stderr.startsWith("slate: ") && stderr.contains("/" + name + ": "), () -> "names the file: " + label);
            }
        }
        assertEquals(files.size() * Damage.values().length * 3, results, () -> String.join("\n", child.output()));
    }

    @Test
    void foreignJournalRecordIsReportedByVerifyAndStopsTail() throws IOException {
        final Path d = processes.dir("cli-foreign-record");
        final long index;
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("before", "1");
            try (ExcerptAppender a = ((ChronicleSpace) s).queue().createAppender()) {
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().writeByte((byte) 0x53).writeByte((byte) 1).writeByte((byte) 99).writeByte((byte) 0).write(new byte[40]);
                }
                index = a.lastIndexAppended();
            }
            s.kv().putString("after", "2");
        }
        final String problem = d.resolve("journal") + ": journal record at index " + index + " (0x" + Long.toHexString(index)
                + "): unknown operation code 99";
        final SlateCliTest.Result verify = SlateCliTest.run(Map.of(), "verify", "--space", d.toString());
        assertEquals(1, verify.code(), verify::toString);
        assertEquals(List.of("MISMATCH: 2 records replayed, 2 keys checked", problem), verify.lines(), verify::toString);
        assertEquals("slate: " + d + ": the key/value map and the journal disagree (1 differences)\n", verify.err());

        final SlateCliTest.Result tail = SlateCliTest.run(Map.of(), "tail", "--space", d.toString());
        assertEquals(3, tail.code(), tail::toString);
        assertEquals(1, tail.lines().size(), "the record before it is printed: " + tail);
        assertTrue(tail.lines().get(0).contains(" put before@1 "), tail::toString);
        assertEquals("slate: " + problem + "\n", tail.err());

        final SlateCliTest.Result stat = SlateCliTest.run(Map.of(), "stat", "--space", d.toString());
        assertEquals(0, stat.code(), stat::toString);
        assertTrue(stat.out().contains("journal records: 3\n"), stat::toString);
    }
}
