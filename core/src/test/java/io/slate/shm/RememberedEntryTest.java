package io.slate.shm;

import io.slate.journal.VerifyReport;
import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread that writes a key again finds the key's entry where its last write left it, while nobody else has changed
 * the entry's segment, and rewrites it there without Chronicle Map's query context ({@link WriterContext.RememberedEntries}).
 * What must hold: every kind of write lands whole through it; an entry that another process moved (and whose old
 * place it filled with other keys) is looked up again, never written where it was; a writer killed inside such a
 * write leaves its committed record to the survivor's repair.
 */
@Timeout(120)
class RememberedEntryTest {
    @RegisterExtension
    final Processes processes = new Processes();

    private static ChronicleKeyValue kv(final Space s) {
        return ((ChronicleSpace) s).chronicleKv();
    }

    private static String value(final String prefix, final int i) {
        return String.format("%s-%05d", prefix, i); // a fixed length per prefix: rewrites keep the entry's size
    }

    @Test
    void everyKindOfWriteLandsWholeWhenTheEntryIsRemembered() {
        final Path dir = processes.dir("remembered");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("ab"))) {
            final KeyValue kv = s.kv();
            final int keys = 200;
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < keys; i++) {
                    assertEquals(round + 1, kv.putString("k" + i, value("r" + round, i)));
                    assertEquals(round + 1, kv.increment("n" + i, 1));
                }
            }
            // 400 keys in a direct-mapped table that starts small and grows as the thread fills it: many rewrites
            // find their entry (each round after the first could; keys sharing a slot and the growth lose some)
            assertTrue(kv(s).rememberedWrites() >= keys / 2, "rewrites found their entries: " + kv(s).rememberedWrites());
            for (int i = 0; i < keys; i++) {
                final Entry e = kv.get("k" + i);
                assertEquals(value("r4", i), e.valueAsString());
                assertEquals(5, e.version());
                assertEquals("ab", e.writer());
                assertEquals("5", kv.get("n" + i).valueAsString());
            }
            // the checks read the remembered entry (the key's own write just put it in its slot): conflicts change
            // nothing, a right version goes through
            assertEquals(6, kv.putString("k7", value("r5", 7)));
            final long before = kv(s).rememberedWrites();
            assertEquals(KeyValue.CONFLICT, kv.compareAndSet("k7", 5, value("ca", 7).getBytes(StandardCharsets.UTF_8)));
            assertEquals(7, kv.compareAndSet("k7", 6, value("ca", 7).getBytes(StandardCharsets.UTF_8)));
            assertEquals(before + 1, kv(s).rememberedWrites(), "the compare-and-set found the entry");
            assertEquals(KeyValue.CONFLICT, kv.putIfAbsent("k7", value("pi", 7).getBytes(StandardCharsets.UTF_8)));
            assertEquals(KeyValue.CONFLICT, kv.removeIfVersion("k7", 6));
            assertEquals(value("ca", 7), kv.get("k7").valueAsString());
            assertEquals(7, kv.get("k7").version());
            // an empty value and its tombstone are of one size: removal and rewrite flip the flag where it is
            assertEquals(1, kv.putString("e", ""));
            assertEquals(2, kv.putString("e", ""));
            assertEquals(3, kv.remove("e"));
            assertNull(kv.get("e"));
            assertEquals(KeyValue.NOT_FOUND, kv.remove("e"));
            assertEquals(4, kv.putString("e", ""));
            assertEquals("", kv.get("e").valueAsString());
            assertEquals(kv(s).lastWriteIndex(), kv.get("e").journalIndex());
            final VerifyReport v = s.journal().verify();
            assertTrue(v.ok(), v.toString());
        }
        // a fresh process reads what the in-place writes left
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            assertEquals(value("ca", 7), s.kv().get("k7").valueAsString());
            assertEquals(value("r4", 199), s.kv().get("k199").valueAsString());
            assertEquals("5", s.kv().get("n0").valueAsString());
            assertEquals(4, s.kv().get("e").version());
        }
    }

    /** The other process: moves each key's entry (a longer value), then fills the segments with keys of the old size. */
    public static final class Mover {
        public static void main(final String[] args) {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId("c"))) {
                final int keys = Integer.parseInt(args[1]);
                final int fills = Integer.parseInt(args[2]);
                for (int i = 0; i < keys; i++) {
                    s.kv().putString("k" + i, "m".repeat(300));
                }
                for (int j = 0; j < fills; j++) {
                    s.kv().putString("fill" + j, value("f", j));
                }
                System.out.println("MOVED");
            }
        }
    }

    /**
     * Without fills, the old places still hold the keys' bytes (a write there would be lost: the map points elsewhere);
     * with them, other keys' entries (a write there would overwrite them).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 3000})
    void anEntryAnotherProcessMovedIsLookedUpAgainNotWrittenWhereItWas(final int fills) throws Exception {
        final Path dir = processes.dir("moved");
        final int keys = 64;
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("p"))) {
            final KeyValue kv = s.kv();
            final int rounds = 10; // the thread's table grows as it fills it
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < keys; i++) {
                    kv.putString("k" + i, value("p" + round % 10, i));
                }
            }
            assertTrue(kv(s).rememberedWrites() >= keys, "rewrites found their entries: " + kv(s).rememberedWrites());
            final ChildJvm mover = processes.child("mover", Mover.class, dir.toString(), Integer.toString(keys), Integer.toString(fills));
            assertEquals("MOVED", mover.awaitLine(60, TimeUnit.SECONDS), mover.stderr());
            assertEquals(0, mover.awaitExit(30, TimeUnit.SECONDS));
            // the entries this thread remembers were moved, and their old places may hold other keys now
            for (int i = 0; i < keys; i++) {
                assertEquals(rounds + 2, kv.putString("k" + i, value("pz", i)));
            }
            for (int i = 0; i < keys; i++) {
                final Entry e = kv.get("k" + i);
                assertEquals(value("pz", i), e.valueAsString(), "k" + i);
                assertEquals("p", e.writer());
                assertEquals(rounds + 2, e.version());
            }
            for (int j = 0; j < fills; j++) {
                final Entry e = kv.get("fill" + j);
                assertNotNull(e, "fill" + j);
                assertEquals(value("f", j), e.valueAsString(), "fill" + j);
                assertEquals("c", e.writer(), "fill" + j);
                assertEquals(1, e.version(), "fill" + j);
            }
            final VerifyReport v = s.journal().verify();
            assertTrue(v.ok(), v.toString());
        }
    }

    /** The other process: rewrites keys at the same size (in place), at another size (moved), and removes some. */
    public static final class Rewriter {
        public static void main(final String[] args) {
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId("c"))) {
                final int keys = Integer.parseInt(args[1]);
                for (int i = 0; i < keys; i++) {
                    if (i % 3 == 0) {
                        s.kv().putString("r" + i, value("c", i));
                    } else if (i % 3 == 1) {
                        s.kv().putString("r" + i, "longer-" + value("c", i));
                    } else {
                        s.kv().remove("r" + i);
                    }
                }
                System.out.println("REWRITTEN");
            }
        }
    }

    /**
     * A thread reading keys again finds their entries where it found them while their segments' counts stand, and
     * reads every change another process makes: rewritten in place, moved to a new size, removed.
     */
    @Test
    void readsFindTheirEntriesAgainAndSeeEveryChangeOfAnotherProcess() throws Exception {
        final Path dir = processes.dir("reads");
        final int keys = 90;
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("p"))) {
            final KeyValue kv = s.kv();
            for (int i = 0; i < keys; i++) {
                kv.putString("r" + i, value("p", i));
            }
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < keys; i++) {
                    final Entry e = kv.get("r" + i);
                    assertEquals(value("p", i), e.valueAsString());
                    assertEquals(1, e.version());
                    assertEquals("p", e.writer());
                }
            }
            assertTrue(kv(s).rememberedReads() >= keys, "reads found their entries again: " + kv(s).rememberedReads());
            final ChildJvm rewriter = processes.child("rewriter", Rewriter.class, dir.toString(), Integer.toString(keys));
            assertEquals("REWRITTEN", rewriter.awaitLine(60, TimeUnit.SECONDS), rewriter.stderr());
            assertEquals(0, rewriter.awaitExit(30, TimeUnit.SECONDS));
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < keys; i++) {
                    final Entry e = kv.get("r" + i);
                    if (i % 3 == 2) {
                        assertNull(e, "r" + i + " was removed");
                        assertEquals(2, kv(s).getIncludingRemoved("r" + i).version());
                        continue;
                    }
                    assertEquals(i % 3 == 0 ? value("c", i) : "longer-" + value("c", i), e.valueAsString(), "r" + i);
                    assertEquals(2, e.version(), "r" + i);
                    assertEquals("c", e.writer(), "r" + i);
                }
            }
        }
    }

    /** A thread that reads a few keys keeps a small table; one that keeps reading many grows it, and finds them. */
    @Test
    void theTableGrowsOnlyForAThreadThatTouchesManyKeys() throws Exception {
        final Path dir = processes.dir("table");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("p"))) {
            for (int i = 0; i < 3000; i++) {
                s.kv().putString("t" + i, value("t", i));
            }
            final long[] few = new long[2];
            final Thread reader = new Thread(() -> {
                for (int round = 0; round < 200; round++) {
                    for (int i = 0; i < 3; i++) {
                        s.kv().get("t" + i);
                    }
                }
                few[0] = kv(s).readTableSlots();
                few[1] = kv(s).rememberedReads();
            });
            reader.start();
            reader.join(60_000);
            assertTrue(few[0] <= 4 * EntryTable.FIRST_SLOTS, "three keys read again and again (grown once at most, if two shared a slot): "
                    + few[0]);
            assertTrue(few[1] >= 500, "they were found again: " + few[1]);
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < 3000; i++) {
                    assertEquals(value("t", i), s.kv().get("t" + i).valueAsString());
                }
            }
            assertEquals(EntryTable.MAX_SLOTS, kv(s).readTableSlots(), "3000 keys read round after round");
            assertTrue(kv(s).rememberedReads() >= 1000, "found again: " + kv(s).rememberedReads());
        }
    }

    /** Rewrites "k" at one size until a write finds its entry remembered, then stops inside the next one, after its append. */
    public static final class StopInsideRememberedWrite {
        public static void main(final String[] args) {
            System.setProperty("slate.faultPoints", "true");
            try (Space s = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId("victim"))) {
                long v = 0;
                for (int i = 0; i < 3; i++) {
                    v = s.kv().putString("k", value("v", i));
                }
                System.out.println("ACK " + v + " remembered " + kv(s).rememberedWrites());
                FaultPoints.install(point -> {
                    if (point.equals(FaultPoints.KV_APPENDED)) {
                        System.out.println("INSIDE " + point);
                        System.out.flush();
                        try {
                            Thread.sleep(600_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                s.kv().putString("k", value("v", 3));
                System.out.println("NOT STOPPED");
            }
        }
    }

    @Test
    void aWriterKilledInsideARememberedWriteLeavesItsRecordToTheRepair() throws Exception {
        final Path dir = processes.dir("killed");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("survivor"))) {
            final ChildJvm victim = processes.child("victim", StopInsideRememberedWrite.class, dir.toString());
            assertEquals("ACK 3 remembered 1", victim.awaitLine(60, TimeUnit.SECONDS), victim.stderr());
            assertEquals("INSIDE " + FaultPoints.KV_APPENDED, victim.awaitLine(30, TimeUnit.SECONDS));
            victim.kill();
            // the survivor takes the segment over and puts the committed record into the map
            final Entry e = s.kv().get("k");
            assertEquals(4, e.version());
            assertEquals(value("v", 3), e.valueAsString());
            assertEquals("victim", e.writer());
            assertEquals(5, s.kv().putString("k", value("s", 4)));
            assertEquals(6, s.kv().putString("k", value("s", 5)));
            assertEquals(value("s", 5), s.kv().get("k").valueAsString());
            assertEquals(1, kv(s).guards().repairs(), "the segment was taken over from the dead writer once");
            final VerifyReport v = s.journal().verify();
            assertTrue(v.ok(), v.toString());
        }
    }
}
