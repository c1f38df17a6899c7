package io.slate.space;

import io.slate.shm.SpaceDescriptor;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.sync.Sync;
import io.slate.testing.ChildJvm;
import io.slate.testing.Damage;
import io.slate.testing.Processes;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of a space emptied, halved, cut short, zeroed, or replaced by noise or by text: opening the space,
 * reading its journal and verifying it either work with every record there (the file is one Slate or Chronicle
 * makes afresh), or fail with a {@link SpaceException} naming the file and the problem. Never a crash: the cases run
 * in a child JVM, and a child killed by a signal (a SIGBUS on a truncated mapping) fails the test.
 */
class CorruptFilesTest {
    private static final long CHILD_SECONDS = 180;

    @RegisterExtension
    final Processes processes = new Processes();

    private static Path base;
    private static long records;
    private static String oldestCycle;
    private static String newestCycle;

    /** The files of a space, by what they are. */
    enum Target {
        HEADER, MAP, AGENTS, TAILERS, SYNC, GUARDS, LOCK, JOURNAL_METADATA, NEWEST_CYCLE, OLDEST_CYCLE;

        String file() {
            switch (this) {
                case HEADER:
                    return SpaceDescriptor.FILE_NAME;
                case MAP:
                    return SpaceDescriptor.MAP_FILE_NAME;
                case AGENTS:
                    return SpaceDescriptor.AGENTS_FILE_NAME;
                case TAILERS:
                    return SpaceDescriptor.TAILERS_FILE_NAME;
                case SYNC:
                    return "sync.slate";
                case GUARDS:
                    return io.slate.shm.SegmentGuards.FILE_NAME;
                case LOCK:
                    return SpaceDescriptor.LOCK_FILE_NAME;
                case JOURNAL_METADATA:
                    return SpaceDescriptor.JOURNAL_DIR_NAME + "/metadata.cq4t";
                case NEWEST_CYCLE:
                    return SpaceDescriptor.JOURNAL_DIR_NAME + "/" + newestCycle;
                default:
                    return SpaceDescriptor.JOURNAL_DIR_NAME + "/" + oldestCycle;
            }
        }
    }

    /** What a case must come to: every record read and verify OK, or a failure at a step naming the file and problem. */
    private static final class Outcome {
        final String step;
        final String[] problem;

        private Outcome(final String step, final String... problem) {
            this.step = step;
            this.problem = problem;
        }

        static Outcome works() {
            return new Outcome(null);
        }

        /** Fails at {@code step} with a message holding one of the {@code problem} phrases. */
        static Outcome fails(final String step, final String... problem) {
            return new Outcome(step, problem);
        }
    }

    /** A space with records in two journal cycles, a named tailer, sync primitives; closed. */
    @BeforeAll
    static void createBase() throws Exception {
        base = TestSpaces.newDirectory("corrupt-base");
        try (Space s = Space.open(SpaceOptions.at(base).rollCycle(JournalRollCycle.SECONDLY))) {
            try (Tailer t = s.journal().namedTailer("reader")) {
                s.kv().putString("k0", "in the oldest cycle");
                assertNotNull(t.next(10, TimeUnit.SECONDS));
            }
            // a secondly journal rolls within about a second: write until there are two cycles
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 1; cycleFiles().size() < 2; i++) {
                assertTrue(System.nanoTime() < deadline, "the secondly journal did not roll within 30 s");
                s.kv().putString("k" + i, "v" + i);
                Thread.sleep(50);
            }
            s.kv().putString("last", "in the newest cycle");
            Sync.of(s).mutex("m").lock();
            Sync.of(s).mutex("m").unlock();
        }
        final List<String> cycles = cycleFiles();
        oldestCycle = cycles.get(0);
        newestCycle = cycles.get(cycles.size() - 1);
        try (Space s = Space.open(SpaceOptions.at(base)); Tailer t = s.journal().tailerFromStart()) {
            while (t.next(0, TimeUnit.NANOSECONDS) != null) {
                records++;
            }
            assertTrue(s.journal().verify().ok());
        }
    }

    private static List<String> cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(base.resolve(SpaceDescriptor.JOURNAL_DIR_NAME))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }

    @AfterAll
    static void deleteBase() {
        TestSpaces.delete(base);
    }

    /** What each damage to each file must come to. */
    private static Outcome expected(final Target target, final Damage damage) {
        switch (target) {
            case HEADER:
                // 4096 bytes: SHORT leaves it whole
                if (damage == Damage.SHORT) {
                    return Outcome.works();
                }
                return damage == Damage.EMPTY || damage == Damage.HALF ? Outcome.fails("open", "truncated") : Outcome.fails("open", "bad magic");
            case MAP:
                switch (damage) {
                    case EMPTY:
                        return Outcome.fails("open", "is truncated: 0 bytes");
                    case HALF:
                    case SHORT:
                        return Outcome.fails("open", "unexpected length");
                    case ZEROED:
                        return Outcome.fails("open", "has no header");
                    default:
                        return Outcome.fails("open", "does not start with a Chronicle Map header", "header is marked incomplete");
                }
            case AGENTS:
            case TAILERS:
                if (target == Target.TAILERS && damage == Damage.SHORT) {
                    return Outcome.works(); // 32 KiB: SHORT leaves it whole
                }
                return damage == Damage.ZEROED || damage == Damage.RANDOM ? Outcome.fails("open", "bad magic") : Outcome.fails("open", "truncated");
            case SYNC:
            case GUARDS:
                // the space opens and its journal reads without them; the key/value map's segment guards (which use the
                // agent incarnations in sync.slate) refuse them at the first access to the map: verify
                if (target == Target.GUARDS && damage == Damage.SHORT) {
                    return Outcome.works(); // a few KiB: SHORT leaves it whole
                }
                return damage == Damage.ZEROED || damage == Damage.RANDOM ? Outcome.fails("verify", "bad magic") : Outcome.fails("verify", "truncated");
            case LOCK:
                return Outcome.works(); // its content is never read
            case JOURNAL_METADATA:
                // locks and listings only, no records: Chronicle writes it afresh when it is empty or zeros
                return damage == Damage.RANDOM || damage == Damage.TEXT
                        ? Outcome.fails("open", "does not start with a Chronicle Queue header", "header is marked incomplete") : Outcome.works();
            case NEWEST_CYCLE:
            case OLDEST_CYCLE:
                switch (damage) {
                    case HALF:
                        return Outcome.works(); // 10 MiB left: the records are in the first few hundred KiB
                    case SHORT:
                        return Outcome.fails("open", "is truncated: its last record is at position");
                    case EMPTY:
                    case ZEROED:
                        return Outcome.fails("open", target == Target.NEWEST_CYCLE ? "was journaled in it" : "later cycles exist");
                    case RANDOM:
                        return Outcome.fails("open", "does not start with a Chronicle Queue header", "unfinished header");
                    default:
                        return Outcome.fails("open", "does not start with a Chronicle Queue header");
                }
            default:
                throw new IllegalArgumentException("target " + target);
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void damagedFile(final Target target) throws Exception {
        final Map<String, Damage> cases = new HashMap<>();
        final List<String> dirs = new ArrayList<>();
        for (Damage damage : Damage.values()) {
            final Path d = processes.dir(target.name().toLowerCase() + "-" + damage.name().toLowerCase());
            TestSpaces.copy(base, d);
            damage.apply(d.resolve(target.file()));
            cases.put(d.getFileName().toString(), damage);
            dirs.add(d.toString());
        }
        final ChildJvm child = processes.child("corrupt-" + target, CorruptionChild.class, dirs.toArray(new String[0]));
        final int exit = child.awaitExit(CHILD_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, exit, () -> "the child crashed (a signal on a mapped file?) in " + lastCase(child) + "\nstderr:\n" + child.stderr());
        assertFalse(child.stderr().contains("fatal error"), child::stderr);
        int seen = 0;
        for (String line : child.output()) {
            if (!line.startsWith("RESULT ")) {
                continue;
            }
            final String[] f = line.split(" ", 7);
            final Damage damage = cases.get(f[1]);
            final Outcome want = expected(target, damage);
            final String label = target + " " + damage + " (" + target.file() + "): " + line;
            if (want.step == null) {
                assertEquals("OK", f[2], label);
                assertEquals(records, Long.parseLong(f[3]), () -> "every record is read: " + label);
                assertEquals("true", f[4], () -> "verify holds, before and after a new write: " + label);
            } else {
                assertEquals("FAIL", f[2], label);
                assertEquals(want.step, f[3], () -> "fails at the expected step: " + label);
                assertEquals("space", f[5], () -> "a SpaceException: " + label);
                final String message = f[6];
                final String name = Path.of(target.file()).getFileName().toString();
                assertTrue(message.contains(name), () -> "the message names the file " + name + ": " + label);
                assertTrue(Stream.of(want.problem).anyMatch(message::contains), () -> "the message says " + List.of(want.problem) + ": " + label);
            }
            seen++;
        }
        assertEquals(Damage.values().length, seen, () -> "one result per case: " + child.output());
    }

    /**
     * A deleted newest cycle cannot be told at open from a cycle never begun; verify finds the map entries written
     * in it beyond the journal's end.
     */
    @Test
    void verifyFindsRecordsTheJournalLost() throws IOException {
        final Path d = processes.dir("lost-cycle");
        TestSpaces.copy(base, d);
        Files.delete(d.resolve(Target.NEWEST_CYCLE.file()));
        try (Space s = Space.open(SpaceOptions.at(d))) {
            final VerifyReport r = s.journal().verify();
            assertFalse(r.ok(), r::toString);
            assertTrue(r.mismatches().stream().anyMatch(m -> m.startsWith("key 'last': map has version 1")
                    && m.contains("beyond the journal's last record") && m.contains("the journal lost that record")), r::toString);
        }
    }

    private static String lastCase(final ChildJvm child) {
        String last = "(before the first case)";
        for (String l : child.output()) {
            if (l.startsWith("CASE ")) {
                last = l.substring(5);
            }
        }
        return last;
    }
}
