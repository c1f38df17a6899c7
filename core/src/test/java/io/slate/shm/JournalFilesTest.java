package io.slate.shm;

import io.slate.space.JournalRollCycle;
import io.slate.testing.TestSpaces;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our names for journal cycle files must be Chronicle's: retention, the archive and the checks before opening find
 * files by them. Spaces of format 1.0/1.1 count cycles from 1970 (epoch 0); newer ones from their creation day.
 */
class JournalFilesTest {
    private static final long DAY = 86_400_000L;

    @ParameterizedTest
    @EnumSource(JournalRollCycle.class)
    void namesAreChroniclesForBothEpochs(final JournalRollCycle c) throws IOException {
        final RollCycle rollCycle = ChronicleSpace.rollCycle(c);
        for (long epoch : new long[] {0L, Math.floorDiv(System.currentTimeMillis(), DAY) * DAY - 3 * DAY}) {
            final Path dir = TestSpaces.newDirectory("journal-files-" + c + "-" + epoch);
            try {
                final int cycle;
                try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir.toFile()).rollCycle(rollCycle).epoch(epoch).build();
                     ExcerptAppender a = q.createAppender()) {
                    a.writeText("record");
                    cycle = rollCycle.toCycle(a.lastIndexAppended());
                }
                final JournalFiles files = new JournalFiles(dir, rollCycle, epoch);
                final List<String> written = cycleFileNames(dir);
                assertEquals(List.of(files.cycleFile(cycle).getFileName().toString()), written, "epoch " + epoch);
                assertEquals(cycle, files.cycleOf(written.get(0)), "epoch " + epoch);
                assertEquals(-1, files.cycleOf("not-a-cycle" + JournalFiles.CYCLE_SUFFIX));
            } finally {
                TestSpaces.delete(dir);
            }
        }
    }

    private static List<String> cycleFileNames(final Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(JournalFiles.CYCLE_SUFFIX)).sorted().collect(Collectors.toList());
        }
    }
}
