package io.slate.shm;

import io.slate.agent.AgentInfo;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry registers without a lock (issue 17): ids stay unique among live agents by publish-then-check. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentRegistryTest {
    private final Path dir = TestSpaces.newDirectory("registry");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void ofRegistrantsOfOneIdAtTheSameMomentAtMostOneIsAttached() throws Exception {
        Files.createDirectories(dir);
        final AgentRegistry registry = AgentRegistry.create(dir.resolve("agents.slate"), 64);
        final long pid = ProcFs.currentPid();
        final long ticks = ProcFs.startTicks(pid);
        final int threads = 4;
        final CyclicBarrier barrier = new CyclicBarrier(threads);
        final int rounds = 300;
        final AtomicInteger[] winners = new AtomicInteger[rounds];
        final int[][] slots = new int[rounds][threads];
        for (int r = 0; r < rounds; r++) {
            winners[r] = new AtomicInteger();
        }
        final List<Thread> ts = new ArrayList<>();
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            final int me = t;
            final Thread th = new Thread(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        barrier.await(30, TimeUnit.SECONDS);
                        slots[r][me] = -1;
                        try {
                            slots[r][me] = registry.register("same-id", pid, ticks, false, true);
                            winners[r].incrementAndGet();
                        } catch (IllegalStateException lost) {
                            assertTrue(lost.getMessage().contains("already attached"), lost.getMessage());
                        }
                        barrier.await(30, TimeUnit.SECONDS);
                        if (slots[r][me] >= 0) {
                            registry.markClosed(slots[r][me], pid); // the winner closes: the next round starts clean
                        }
                        barrier.await(30, TimeUnit.SECONDS);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(100));
        }
        assertTrue(failures.isEmpty(), failures.toString());
        int none = 0;
        for (int r = 0; r < rounds; r++) {
            assertTrue(winners[r].get() <= 1, "round " + r + ": " + winners[r].get() + " agents attached with one id");
            if (winners[r].get() == 0) {
                none++;
            }
        }
        System.out.println("[registry] " + rounds + " rounds of " + threads + " registrants of one id: rounds nobody won " + none);
        assertTrue(none < rounds / 10, "a rival that withdrew retries: " + none + " rounds of " + rounds + " ended with nobody attached");
    }

    @Test
    void observersAreNotListedAndNeverClashWithAgents() throws Exception {
        Files.createDirectories(dir);
        final AgentRegistry registry = AgentRegistry.create(dir.resolve("agents.slate"), 8);
        final long pid = ProcFs.currentPid();
        final long ticks = ProcFs.startTicks(pid);
        final int agent = registry.register("a", pid, ticks, false, true);
        final int observer = registry.register("observer-" + pid, pid, ticks, true, false);
        registry.register("observer-" + pid, pid, ticks, true, false);
        assertThrows(IllegalStateException.class, () -> registry.register("a", pid, ticks, false, true));
        final List<AgentInfo> agents = registry.agents();
        assertEquals(1, agents.size(), agents.toString());
        assertEquals(agent, agents.get(0).slot());
        assertTrue(registry.isLive(observer, pid, ticks), "an observer's liveness is exact, like an agent's");
        registry.markClosed(observer, pid);
        // a slot reused by an agent is an agent's again
        final int b = registry.register("b", pid, ticks, false, true);
        assertEquals(2, registry.agents().size());
        assertTrue(registry.agents().stream().anyMatch(a -> a.slot() == b));
    }
}
