package io.slate.shm;

import io.slate.space.CorruptSpaceException;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.StoreFileListener;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The files of the journal directory, which Chronicle Queue makes and names: {@code metadata.cq4t} and one
 * {@code <cycle>.cq4} per roll cycle.
 *
 * <p>Before the queue is opened, {@link #check} reads every one of them ({@link ChronicleHeaders}). A cycle file
 * without a complete header is refused, except the newest when nothing shows a record was ever journaled in it:
 * Chronicle publishes a cycle's header before the cycle's first record, so that file is a cycle whose creator died
 * (or is still working) before the first record, and Chronicle finishes or replaces it.
 *
 * <p>Modes: Chronicle creates cycle files with the process umask, later, as the journal rolls. So this class, as the
 * queue's {@link StoreFileListener}, keeps an empty {@code <next cycle>.precreated} file with the right mode ready
 * (Chronicle renames it into place when it creates that cycle, so the file has the right mode from its first
 * moment), and sets the mode of every cycle file it sees acquired that was made without one.
 */
final class JournalFiles implements StoreFileListener {
    static final String METADATA_FILE_NAME = "metadata.cq4t";
    static final String CYCLE_SUFFIX = ".cq4";
    /** Chronicle's suffix for a file it renames into place when it creates that cycle ({@code PrecreatedFiles}). */
    static final String PRECREATED_SUFFIX = ".precreated";

    private final Path dir;
    private final RollCycle rollCycle;
    private final long epochMillis;
    private final DateTimeFormatter names;

    /**
     * @param epochMillis the instant cycle 0 starts at (the journal's epoch, a midnight UTC, or 0): Chronicle names
     *                    cycle {@code c} by the time {@code epochMillis + c * length}, the wall-clock start of that cycle
     */
    JournalFiles(final Path dir, final RollCycle rollCycle, final long epochMillis) {
        this.dir = dir;
        this.rollCycle = rollCycle;
        this.epochMillis = epochMillis;
        this.names = new DateTimeFormatterBuilder().appendPattern(rollCycle.format())
                .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
                .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
                .toFormatter()
                .withZone(ZoneOffset.UTC);
    }

    /** The file of cycle {@code cycle}. */
    Path cycleFile(final int cycle) {
        return dir.resolve(cycleName(cycle) + CYCLE_SUFFIX);
    }

    private String cycleName(final int cycle) {
        return names.format(Instant.ofEpochMilli(epochMillis + (long) cycle * rollCycle.lengthInMillis()));
    }

    /** The cycles that have a file now, in order (a cycle in which nothing was written has none). */
    java.util.NavigableSet<Integer> cycles() {
        final java.util.TreeSet<Integer> cycles = new java.util.TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + CYCLE_SUFFIX)) {
            for (Path p : ds) {
                final int c = cycleOf(p.getFileName().toString());
                if (c >= 0) {
                    cycles.add(c);
                }
            }
        } catch (IOException e) {
            throw MappedFile.ioProblem(dir, "cannot list the journal directory", e);
        }
        return cycles;
    }

    /** The cycle a file name ({@code <cycle>.cq4}) stands for, or -1 when it is not the name of a cycle of this journal. */
    int cycleOf(final String fileName) {
        if (!fileName.endsWith(CYCLE_SUFFIX)) {
            return -1;
        }
        final String name = fileName.substring(0, fileName.length() - CYCLE_SUFFIX.length());
        try {
            final long millis = Instant.from(names.parse(name)).toEpochMilli();
            final long cycle = Math.floorDiv(millis - epochMillis, rollCycle.lengthInMillis());
            return cycle >= 0 && cycle <= Integer.MAX_VALUE && cycleName((int) cycle).equals(name) ? (int) cycle : -1;
        } catch (DateTimeException | ArithmeticException e) {
            return -1;
        }
    }

    /**
     * Checks every file Chronicle will read in this existing journal, before Chronicle opens any of them.
     *
     * @param recordsIn for a cycle, a description of something that shows a record was journaled in it (a map
     *                  entry or a named tailer's position), or {@code null}
     */
    void check(final IntFunction<String> recordsIn) {
        final TreeMap<Integer, Path> cycles = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                final String name = p.getFileName().toString();
                if (name.equals(METADATA_FILE_NAME)) {
                    ChronicleHeaders.checkTableStore(p);
                } else if (name.endsWith(CYCLE_SUFFIX)) {
                    final int cycle = cycleOf(name);
                    if (cycle < 0) {
                        throw new CorruptSpaceException(p, "is not the name of a journal cycle of this space (cycles are named "
                                + rollCycle.format().replace("'", "") + CYCLE_SUFFIX + "): not a file of this journal");
                    }
                    cycles.put(cycle, p);
                }
                // anything else (.precreated, Chronicle's .discard) Chronicle does not read
            }
        } catch (NoSuchFileException e) {
            throw new CorruptSpaceException(dir, "journal directory is missing");
        } catch (IOException e) {
            throw MappedFile.ioProblem(dir, "cannot list the journal directory", e);
        }
        for (Map.Entry<Integer, Path> c : cycles.entrySet()) {
            final ChronicleHeaders.QueueHeader h = ChronicleHeaders.checkCycleFile(c.getValue());
            if (h.state == ChronicleHeaders.HeaderState.COMPLETE) {
                continue;
            }
            final String state = h.state == ChronicleHeaders.HeaderState.ABSENT ? "has no header (it is empty or starts with zeros)"
                    : "has an unfinished header";
            if (c.getKey() < cycles.lastKey()) {
                throw new CorruptSpaceException(c.getValue(), "journal cycle file " + state + ", and later cycles exist: it was damaged "
                        + "(truncated, zeroed or overwritten), and the records it held cannot be read");
            }
            final String evidence = recordsIn.apply(c.getKey());
            if (evidence != null && ChronicleHeaders.checkCycleFile(c.getValue()).state == ChronicleHeaders.HeaderState.COMPLETE) {
                continue; // the header was read before the map: a writer finished it and journaled since (not damage)
            }
            if (evidence != null) {
                throw new CorruptSpaceException(c.getValue(), "journal cycle file " + state + ", but " + evidence
                        + " was journaled in it: the file was damaged (truncated, zeroed or overwritten), and its records are lost");
            }
            // the newest cycle, and nothing was ever journaled in it: its creator died (or is at work) before its first record
        }
    }

    /** Makes ready the file of the current cycle and the next, each with the right mode, unless they exist. */
    void prepare() {
        final int current = currentCycle();
        precreate(current);
        precreate(current + 1);
    }

    /** The cycle of now, as Chronicle computes it (from the journal's epoch). */
    private int currentCycle() {
        return (int) ((System.currentTimeMillis() - epochMillis) / rollCycle.lengthInMillis());
    }

    private void precreate(final int cycle) {
        if (cycle < currentCycle()) {
            return; // a cycle that has passed (a tailer reading history): none will be created for it
        }
        final Path file = cycleFile(cycle);
        final Path ready = dir.resolve(cycleName(cycle) + PRECREATED_SUFFIX);
        if (!Files.exists(file) && !Files.exists(ready)) {
            SpaceFiles.createFile(ready);
        }
    }

    /** Removes {@code .precreated} files of cycles up to {@code cycle}: cycles that passed without a record. */
    private void removeStale(final int cycle) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + PRECREATED_SUFFIX)) {
            for (Path p : ds) {
                final String name = p.getFileName().toString();
                final int c = cycleOf(name.substring(0, name.length() - PRECREATED_SUFFIX.length()) + CYCLE_SUFFIX);
                if (c >= 0 && c <= cycle) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * A cycle file was acquired (Chronicle calls this on a background thread): give it the right mode if Chronicle
     * created it without a precreated file, and make the next cycle's file ready.
     */
    @Override
    public void onAcquired(final int cycle, final File file) {
        try {
            if (file.exists()) {
                SpaceFiles.restrict(file.toPath());
            }
            removeStale(cycle);
            precreate(cycle + 1);
        } catch (IOException | RuntimeException e) {
            // a file of another user (group-shared space), or the space was deleted: nothing to fix from here
        }
    }

    @Override
    public void onReleased(final int cycle, final File file) {
        // nothing to do
    }

    @Override
    public boolean isActive() {
        return true;
    }
}
