package io.slate.internal;

import io.slate.journal.Subscription;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Slate's background threads run on the process's CPUs even when the thread that starts them is pinned to one
 * ({@link ServiceThreads}): an agent pins its hot thread, opens a space and appends from it, and the snapshot duty, the
 * journal's pretoucher and a subscription's thread must not all end up on its CPU. Checked from the kernel's side
 * ({@code /proc/self/task/TID/status}), thread by thread.
 */
@Timeout(120)
class ServiceThreadsTest {
    private final Path dir = TestSpaces.newDirectory("service-threads");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void cpuListsAreReadInTheKernelsFormatAndAnythingElseIsRefused() {
        final BitSet expected = new BitSet();
        expected.set(0, 4);
        expected.set(8);
        expected.set(10, 12);
        assertEquals(expected, ServiceThreads.parseCpuList("0-3,8,10-11"));
        final BitSet one = new BitSet();
        one.set(5);
        assertEquals(one, ServiceThreads.parseCpuList("5"));
        assertNull(ServiceThreads.parseCpuList(""));
        assertNull(ServiceThreads.parseCpuList("a"));
        assertNull(ServiceThreads.parseCpuList("3-1"));
        assertNull(ServiceThreads.parseCpuList("-1"));
    }

    @Test
    void threadsStartedForAPinnedAgentRunOnEveryCpuOfTheProcess() throws Exception {
        final BitSet process = ServiceThreads.processCpus();
        assumeTrue(process != null, "the kernel does not report the process's CPUs (no /proc/self/status)");
        assumeTrue(process.cardinality() >= 2, "the process may run on one CPU only: nothing to be pinned away from");
        final int cpu = process.nextSetBit(0);
        final BitSet pinned = new BitSet();
        pinned.set(cpu);
        // the agent's thread: pinned, it opens the space, appends enough to start the pretoucher and subscribes
        final CompletableFuture<Map<String, BitSet>> seen = new CompletableFuture<>();
        final Thread agent = new Thread(() -> {
            try {
                Affinity.setAffinity(pinned);
                assertEquals(pinned, Affinity.getAffinity(), "the agent's thread could not be pinned");
                assertEquals(process, ServiceThreads.processCpus(), "read from a pinned thread, the process's CPUs");
                try (Space s = Space.open(SpaceOptions.at(dir));
                     Subscription sub = s.journal().subscribe("", -1, r -> { })) {
                    final byte[] value = new byte[1024];
                    for (int i = 0; i < 8_000; i++) { // 8 MiB of records: the pretoucher starts after a few
                        s.kv().put("k" + (i & 255), value);
                    }
                    seen.complete(awaitThreads(List.of("slate-snapshots", "slate-journal-p", "slate-subscript"), process));
                    assertEquals(pinned, Affinity.getAffinity(), "the agent's own thread stays where it was pinned");
                }
            } catch (Throwable e) {
                seen.completeExceptionally(e);
            }
        }, "pinned-agent");
        agent.start();
        final Map<String, BitSet> threads = seen.get(100, TimeUnit.SECONDS);
        agent.join(TimeUnit.SECONDS.toMillis(20));
        for (final Map.Entry<String, BitSet> t : threads.entrySet()) {
            assertEquals(process, t.getValue(), "thread '" + t.getKey() + "' (the kernel's 15-character name) runs on "
                    + t.getValue() + ", the process on " + process + ", its starter on " + pinned);
        }
    }

    /**
     * The CPUs of the process's threads whose names start with each of {@code prefixes}, once each has moved to {@code
     * process} or 20 s passed (a thread moves itself when it starts); fails when one of them never appeared.
     */
    private static Map<String, BitSet> awaitThreads(final List<String> prefixes, final BitSet process) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<String, BitSet> found = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            found = threadCpus(prefixes);
            if (found.size() == prefixes.size() && found.values().stream().allMatch(process::equals)) {
                return found;
            }
            Thread.sleep(50);
        }
        assertEquals(prefixes.size(), found.size(), "threads found: " + found.keySet() + ", expected names starting " + prefixes);
        return found;
    }

    private static Map<String, BitSet> threadCpus(final List<String> prefixes) throws IOException {
        final Map<String, BitSet> found = new LinkedHashMap<>();
        final List<Path> tasks;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            tasks = s.collect(Collectors.toList());
        }
        for (final Path task : tasks) {
            final String comm;
            final String status;
            try {
                comm = Files.readString(task.resolve("comm"), StandardCharsets.ISO_8859_1).trim();
                status = Files.readString(task.resolve("status"), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                continue; // the thread ended meanwhile
            }
            for (final String prefix : prefixes) {
                if (comm.startsWith(prefix)) {
                    for (final String line : status.split("\n")) {
                        if (line.startsWith("Cpus_allowed_list:")) {
                            found.put(comm, ServiceThreads.parseCpuList(line.substring("Cpus_allowed_list:".length()).trim()));
                        }
                    }
                }
            }
        }
        return found;
    }
}
