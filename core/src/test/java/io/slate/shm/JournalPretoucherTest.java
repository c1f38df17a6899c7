package io.slate.shm;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.JournalRollCycle;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The journal's pages are populated ahead of the appends ({@link JournalPretoucher}): the cycle file holds pages past
 * the last record once a handle has appended a few MiB (and none before), every record reads back intact across cycle rolls while the pretoucher
 * runs, and closing the space stops it.
 */
@Timeout(120)
class JournalPretoucherTest {
    private final Path dir = TestSpaces.newDirectory("pretouch");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    /** Linux 5.14 added MADV_POPULATE_WRITE; an older kernel makes the pretoucher end at its first call. */
    private static boolean kernelPopulates() {
        final String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        final int major = Integer.parseInt(v[0]);
        final int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        return System.getProperty("os.name", "").startsWith("Linux") && (major > 5 || major == 5 && minor >= 14);
    }

    /** Bytes of the file the file system has allocated (st_blocks × 512), from stat(1). */
    private static long allocatedBytes(final Path file) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stat did not finish");
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        return Long.parseLong(out) * 512;
    }

    private static Path onlyCycleFile(final Path journal) throws IOException {
        try (Stream<Path> s = Files.list(journal)) {
            final List<Path> cycles = s.filter(f -> f.getFileName().toString().endsWith(".cq4")).collect(Collectors.toList());
            assertEquals(1, cycles.size(), cycles.toString());
            return cycles.get(0);
        }
    }

    @Test
    void pagesPastTheLastRecordArePopulatedAndTheThreadEndsWithTheSpace() throws Exception {
        assumeTrue(JournalPretoucher.ENABLED, "pretouching turned off (-Dslate.pretouch=false)");
        assumeTrue(kernelPopulates(), "the kernel has no MADV_POPULATE_WRITE (Linux 5.14 on): " + System.getProperty("os.version"));
        final byte[] value = new byte[200];
        final JournalPretoucher p;
        final Path cycle;
        try (Space s = Space.open(SpaceOptions.at(dir).rollCycle(JournalRollCycle.DAILY))) {
            p = ((ChronicleSpace) s).chronicleJournal().pretoucher();
            assertFalse(p.running(), "a handle that has not appended touches nothing");
            // about 1 MiB of records: not enough to start the pretoucher
            for (int i = 0; i < 4_000; i++) {
                s.kv().put("k" + i, value);
            }
            assertFalse(p.running(), "a handle that appended 1 MiB does not pretouch yet");
            // 6 MiB in all: past the start, well short of the end of Chronicle's first 16 MiB chunk
            final int records = 24_000;
            for (int i = 4_000; i < records; i++) {
                s.kv().put("k" + i, value);
            }
            assertTrue(p.running(), "a handle that appended 6 MiB pretouches");
            cycle = onlyCycleFile(dir.resolve(SpaceDescriptor.JOURNAL_DIR_NAME));
            final long written = (long) records * (value.length + 60);
            // the records (and Chronicle's index) take about `written`; the pages populated ahead come on top, once
            // the pretoucher has caught up with the last position published
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long allocated = allocatedBytes(cycle);
            while (allocated < written + JournalPretoucher.AHEAD / 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                allocated = allocatedBytes(cycle);
            }
            assertTrue(allocated >= written + JournalPretoucher.AHEAD / 2,
                    "allocated " + allocated + " bytes for about " + written + " of records (populated " + p.populatedBytes() + ")");
            assertTrue(p.populatedBytes() > 0);
            assertEquals(0, p.failures(), "madvise calls that failed");
            assertTrue(s.journal().verify().ok());
            assertTrue(p.running());
        }
        assertFalse(p.running(), "closing the space stops the pretoucher");
    }

    @Test
    void everyRecordReadsBackAcrossCycleRollsWhileThePretoucherRuns() throws Exception {
        final int records = 60_000;
        final byte[] value = new byte[100];
        // every cycle kept: a warm JVM writes over a million records in the 2.5 s, more than the default byte budget,
        // and retention would retire the first cycles before they are read back
        try (Space s = Space.open(SpaceOptions.at(dir).rollCycle(JournalRollCycle.SECONDLY).retainBytes(0).retainCycles(0))) {
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
            int i = 0;
            // spread over at least two rolls of the secondly cycle
            while (i < records || System.nanoTime() < end) {
                final int n = i++;
                for (int b = 0; b < value.length; b++) {
                    value[b] = (byte) (n + b);
                }
                s.kv().put("key-" + n % 1_000, value);
                if (i % 1_000 == 0) {
                    Thread.sleep(1);
                }
            }
            final int total = i;
            int read = 0;
            try (Tailer t = s.journal().tailerFromStart()) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.NANOSECONDS)) != null) {
                    if (r.op() != Op.PUT) {
                        continue;
                    }
                    assertEquals("key-" + read % 1_000, r.key().toString());
                    assertEquals(read / 1_000 + 1, r.version());
                    final byte[] v = r.valueCopy();
                    assertEquals(value.length, v.length);
                    for (int b = 0; b < v.length; b++) {
                        assertEquals((byte) (read + b), v[b], "record " + read + " byte " + b);
                    }
                    read++;
                }
            }
            assertEquals(total, read);
            assertTrue(s.journal().verify().ok());
            if (JournalPretoucher.ENABLED && kernelPopulates()) {
                assertTrue(((ChronicleSpace) s).chronicleJournal().pretoucher().populatedBytes() > 0, "the pretoucher ran meanwhile");
            }
        }
    }
}
