package io.slate.shm;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.PrimitiveInfo;
import io.slate.sync.Sync;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: claiming a new named tailer or sync primitive takes no lock (NameClaims). Real child JVMs claim the same
 * and different names at once, are SIGKILLed inside a claim, and claim while another process holds {@code .lock}
 * frozen.
 */
class NameClaimsTest {
    @RegisterExtension
    final Processes processes = new Processes();

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Path barrier(final Path dir) throws Exception {
        final Path b = dir.resolve("barrier");
        MappedFile.create(b, 64).close();
        return b;
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void jvmsClaimingTheSameAndDifferentNamesAtOnceGetOneSlotPerName() throws Exception {
        final Path dir = processes.dir("claims");
        Files.createDirectories(dir);
        final Path file = dir.resolve("tailers.slate");
        TailerPositions.create(file).close();
        final Path barrier = barrier(dir);
        final int parties = 4;
        final int rounds = 300;
        final List<ChildJvm> children = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            children.add(processes.child("claimer" + i, ClaimChildMains.TailerClaimer.class, file.toString(), barrier.toString(),
                    Integer.toString(i), Integer.toString(parties), Integer.toString(rounds)));
        }
        for (ChildJvm c : children) {
            assertEquals(0, c.awaitExit(180, TimeUnit.SECONDS), () -> c.lastLines(5) + c.stderr());
        }
        // round -> name -> slot, from every claimer
        final Map<String, Integer> slotOf = new HashMap<>();
        for (ChildJvm c : children) {
            final List<String> out = c.output();
            assertEquals("DONE", out.get(out.size() - 1), c.stderr());
            assertTrue(out.stream().noneMatch(l -> l.startsWith("DUP")), () -> "a claimer saw a name in other than one slot: "
                    + out.stream().filter(l -> l.startsWith("DUP")).collect(java.util.stream.Collectors.toList()));
            for (String line : out.subList(0, out.size() - 1)) {
                final String[] f = line.split(" ");
                final int slot = Integer.parseInt(f[2]);
                final Integer before = slotOf.putIfAbsent(f[1], slot);
                assertTrue(before == null || before == slot, "name " + f[1] + " in slots " + before + " and " + slot);
            }
        }
        assertEquals(rounds * (parties + 1), slotOf.size());
        try (TailerPositions t = TailerPositions.open(file)) {
            assertEquals(0, t.claimsInProgress());
            assertEquals(0, t.used(), "every name was deleted: no slot lost");
        }
        System.out.println("[claims] " + parties + " JVMs x " + rounds + " rounds claimed one shared and one own name each at once: one slot per name");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void agentsNamingCountersAndTailersAtOnceShareOneSlotPerName() throws Exception {
        final Path dir = processes.dir("space-claims");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("creator"))) {
            Sync.of(s).counter("warm").add(0); // makes sync.slate
        }
        final Path barrier = barrier(Files.createDirectories(processes.dir("space-claims-barrier")));
        final int parties = 3;
        final int names = 60;
        final List<ChildJvm> children = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            children.add(processes.child("space-claimer" + i, ClaimChildMains.SpaceClaimer.class, dir.toString(), barrier.toString(),
                    Integer.toString(i), Integer.toString(parties), Integer.toString(names)));
        }
        for (ChildJvm c : children) {
            assertEquals(0, c.awaitExit(180, TimeUnit.SECONDS), () -> c.lastLines(5) + c.stderr());
            assertEquals("DONE", c.output().get(c.output().size() - 1));
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("checker"))) {
            final List<PrimitiveInfo> list = Sync.of(s).primitives();
            final Set<String> seen = new HashSet<>();
            for (PrimitiveInfo p : list) {
                assertTrue(seen.add(p.name()), "primitive " + p.name() + " listed twice: " + list);
            }
            assertEquals(names + 1, list.size(), list.toString());
            for (int k = 0; k < names; k++) {
                assertEquals(parties, Sync.of(s).counter("c" + k).get(), "counter c" + k + ": every agent added 1 to one slot");
            }
            final TailerPositions t = ((ChronicleSpace) s).tailerPositions();
            for (int k = 0; k < names; k++) {
                assertEquals(1, t.count(bytes("t" + k)), "tailer t" + k);
            }
            assertEquals(0, t.claimsInProgress());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void slotsClaimedTheOldWayUnderTheLockReadTheSame() throws Exception {
        final Path dir = processes.dir("old-slots");
        Files.createDirectories(dir);
        final Path file = dir.resolve("tailers.slate");
        try (MappedFile f = openCreated(file)) {
            // as builds before lock-free claims wrote them: position, name bytes, then the length (release); slot 0 freed
            // the old way (length 0, position 0) after holding a longer name, slot 2 named "orders-old"
            final byte[] stale = bytes("stale-name-of-a-deleted-tailer");
            f.buffer().putBytes(TailerPositions.HEADER_LENGTH + TailerPositions.NAME_OFFSET, stale);
            final int o = TailerPositions.HEADER_LENGTH + 2 * TailerPositions.SLOT_LENGTH;
            f.buffer().putLong(o + TailerPositions.POSITION_OFFSET, 4242);
            f.buffer().putBytes(o + TailerPositions.NAME_OFFSET, bytes("orders-old"));
            f.buffer().putIntOrdered(o + TailerPositions.NAME_LENGTH_OFFSET, 10);
        }
        try (TailerPositions t = TailerPositions.open(file)) {
            assertEquals(2, t.find(bytes("orders-old")));
            assertEquals(2, t.findOrClaim(bytes("orders-old")));
            assertEquals(4242, t.position(2));
            assertEquals(4242, t.minPosition());
            final int fresh = t.findOrClaim(bytes("orders-new"));
            assertTrue(fresh != 2);
            assertEquals(0, t.position(fresh));
            assertTrue(t.delete(bytes("orders-old")));
            assertEquals(-1, t.find(bytes("orders-old")));
            assertEquals(1, t.used());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {NameClaims.FAULT_RESERVED, NameClaims.FAULT_NAMING, NameClaims.FAULT_PUBLISHED})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aTailerClaimerKilledInsideItsClaimLeavesTheNameClaimable(final String point) throws Exception {
        final Path dir = processes.dir("killed-claim");
        Files.createDirectories(dir);
        final Path file = dir.resolve("tailers.slate");
        TailerPositions.create(file).close();
        final String name = "the-name-" + point;
        final ChildJvm victim = processes.child("victim", ClaimChildMains.StopInTailerClaim.class, file.toString(), point, name);
        assertEquals("INSIDE " + point, victim.awaitLine(60, TimeUnit.SECONDS), victim.stderr());
        victim.kill();
        try (TailerPositions t = TailerPositions.open(file)) {
            final int slot = t.findOrClaim(bytes(name));
            assertEquals(1, t.count(bytes(name)));
            assertEquals(0, t.position(slot), "a new named tailer has delivered nothing");
            assertEquals(0, t.claimsInProgress(), "nothing of the dead claim is left");
            assertEquals(1, t.used(), "the dead claimer's slot was undone or is the one we got: none lost");
            assertEquals(slot, t.findOrClaim(bytes(name)));
            assertTrue(t.findOrClaim(bytes("another")) != slot);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {NameClaims.FAULT_RESERVED, NameClaims.FAULT_NAMING, NameClaims.FAULT_PUBLISHED})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSyncClaimerKilledInsideItsClaimLeavesTheNameClaimable(final String point) throws Exception {
        final Path dir = processes.dir("killed-sync-claim");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("creator"))) {
            Sync.of(s).counter("warm").add(0);
        }
        final ChildJvm victim = processes.child("victim", ClaimChildMains.StopInSyncClaim.class, dir.toString(), point, "x");
        assertEquals("INSIDE " + point, victim.awaitLine(90, TimeUnit.SECONDS), victim.stderr());
        victim.kill();
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("survivor"))) {
            assertEquals(1, Sync.of(s).counter("x").add(1));
            assertEquals(2, Sync.of(s).counter("y").add(2));
            final List<PrimitiveInfo> list = Sync.of(s).primitives();
            assertEquals(3, list.size(), list.toString());
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void claimersKilledAtRandomMomentsNeverLeaveADuplicateOrALostSlot() throws Exception {
        final Path dir = processes.dir("random-kills");
        Files.createDirectories(dir);
        final Path file = dir.resolve("tailers.slate");
        TailerPositions.create(file).close();
        final int names = 12;
        final ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int kills = 0;
        for (int round = 0; round < 10; round++) {
            final List<ChildJvm> children = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                children.add(processes.child("random" + i, ClaimChildMains.RandomClaimer.class, file.toString(), Integer.toString(names)));
            }
            for (ChildJvm c : children) {
                assertEquals("RUNNING", c.awaitLine(60, TimeUnit.SECONDS), c.stderr());
            }
            for (ChildJvm c : children) {
                Thread.sleep(rnd.nextInt(20, 300));
                c.kill();
                kills++;
            }
            try (TailerPositions t = TailerPositions.open(file)) {
                assertEquals(0, t.claimsInProgress(), "round " + round + ": every dead claim is completed or undone");
                for (int k = 0; k < names; k++) {
                    final byte[] n = bytes("n" + k);
                    assertTrue(t.count(n) <= 1, "n" + k + " in " + t.count(n) + " slots");
                    t.findOrClaim(n);
                    assertEquals(1, t.count(n));
                }
                assertEquals(names, t.used(), "round " + round + ": a slot of a name, no other slot used (none lost)");
            }
        }
        System.out.println("[claims] " + kills + " claimers SIGKILLed at random moments: no duplicate, no lost slot, every name claimable");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void namesAreClaimedWhileAProcessHoldingTheLockFileIsFrozen() throws Exception {
        final Path dir = processes.dir("frozen-lock");
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("creator"))) {
            Sync.of(s).counter("warm").add(0);
        }
        final ChildJvm holder = processes.child("holder", ClaimChildMains.LockHolder.class, dir.toString());
        assertEquals("HELD", holder.awaitLine(60, TimeUnit.SECONDS), holder.stderr());
        signal("STOP", holder.pid());
        try {
            final long millis = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (Space s = Space.open(SpaceOptions.at(dir).agentId("claimer"))) {
                    final long t0 = System.nanoTime();
                    for (int k = 0; k < 20; k++) {
                        Sync.of(s).counter("frozen-c" + k).add(1);
                        s.journal().namedTailer("frozen-t" + k).close();
                        s.journal().deleteNamedTailer("frozen-t" + k);
                    }
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                }
            });
            // a fresh JVM names them too, with the holder still frozen
            final Path barrier = barrier(Files.createDirectories(processes.dir("frozen-lock-barrier")));
            final ChildJvm other = processes.child("other", ClaimChildMains.SpaceClaimer.class, dir.toString(), barrier.toString(), "0", "1", "20");
            assertEquals(0, other.awaitExit(120, TimeUnit.SECONDS), () -> other.lastLines(5) + other.stderr());
            assertTrue(holder.isAlive(), "the holder kept .lock, frozen, throughout");
            System.out.println("[claims] 20 counters and 20 named tailers claimed (and the tailers deleted) in " + millis
                    + " ms while the process holding .lock was frozen");
        } finally {
            signal("CONT", holder.pid());
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("checker"))) {
            assertFalse(Sync.of(s).primitives().isEmpty());
            assertEquals(1, Sync.of(s).counter("frozen-c7").get(), "this JVM added 1");
            assertEquals(1, Sync.of(s).counter("c7").get(), "the child added 1");
        }
    }

    private static MappedFile openCreated(final Path file) {
        TailerPositions.create(file).close();
        return MappedFile.open(file, TailerPositions.LENGTH);
    }

    private static void signal(final String sig, final long pid) throws Exception {
        final Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "kill -" + sig);
        assertEquals(0, p.exitValue(), "kill -" + sig + " " + pid);
    }
}
