package io.slate.space;

import io.slate.shm.ChronicleSpace;
import io.slate.shm.SpaceDescriptor;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import io.slate.testing.TestSpaces;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wire;
import net.openhft.chronicle.wire.WireType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Content a space did not write: journal records that are not Slate records are reported with their index and never
 * interpreted (a tailer throws and moves past them, verify lists them, replay refuses); Chronicle headers that name
 * any class but those of Slate's own files are refused before Chronicle reads them, so the class is never loaded.
 * Each crafted header has a control: in a child JVM, Chronicle alone is given the same file and does load the class.
 */
class ForeignContentTest {
    @RegisterExtension
    final Processes processes = new Processes();

    /** Appends one raw document to the space's journal, bypassing Slate. */
    private static long appendRaw(final Space s, final Consumer<Bytes<?>> payload) {
        try (ExcerptAppender a = ((ChronicleSpace) s).queue().createAppender()) {
            try (DocumentContext dc = a.writingDocument()) {
                payload.accept(dc.wire().bytes());
            }
            return a.lastIndexAppended();
        }
    }

    @Test
    void foreignJournalRecordsAreReportedNeverInterpreted() {
        final Path d = processes.dir("foreign-records");
        try (Space s = Space.open(SpaceOptions.at(d))) {
            s.kv().putString("before", "1");
            // our magic and format, an operation code no build knows
            final long unknownOp = appendRaw(s, b -> b.writeByte((byte) 0x53).writeByte((byte) 1).writeByte((byte) 99).writeByte((byte) 0)
                    .write(new byte[40]));
            // a PUT whose key length runs past the record
            final long overlong = appendRaw(s, b -> b.writeByte((byte) 0x53).writeByte((byte) 1).writeByte((byte) 1).writeByte((byte) 0)
                    .writeLong(1).writeLong(2).writeLong(-1).writeUnsignedShort(60_000).write(new byte[20]));
            // not ours at all
            final long text = appendRaw(s, b -> b.append("!java.lang.ProcessBuilder { command: [ touch, /tmp/x ] }"));
            s.kv().putString("after", "2");

            final List<String> seen = new ArrayList<>();
            final List<String> errors = new ArrayList<>();
            try (Tailer t = s.journal().tailerFromStart()) {
                while (true) {
                    try {
                        final JournalRecord r = t.next(0, TimeUnit.NANOSECONDS);
                        if (r == null) {
                            break;
                        }
                        seen.add(r.key().toString());
                    } catch (CorruptSpaceException e) {
                        errors.add(e.getMessage()); // the tailer has moved past it: the next call reads on
                    }
                }
            }
            assertEquals(List.of("before", "after"), seen, "the records around the foreign ones are read");
            assertEquals(3, errors.size(), errors::toString);
            assertMessage(errors.get(0), "journal", "index " + unknownOp, "unknown operation code 99");
            assertMessage(errors.get(1), "index " + overlong, "text field of 60000 bytes exceeds the record");
            assertMessage(errors.get(2), "index " + text, "does not start with the Slate magic byte");

            final VerifyReport report = s.journal().verify();
            assertFalse(report.ok(), report::toString);
            assertEquals(3, report.mismatchCount(), report::toString);
            assertMessage(report.mismatches().get(0), "index " + unknownOp, "unknown operation code 99");
            assertEquals(2, report.recordsReplayed(), "verify replays the records it can read: " + report);

            final Path copy = processes.dir("foreign-records-copy");
            try (Space target = Space.open(SpaceOptions.at(copy))) {
                final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> s.journal().replayInto(target, Long.MAX_VALUE));
                assertMessage(e.getMessage(), "index " + unknownOp, "unknown operation code 99");
            }
            assertEquals("2", s.kv().get("after").valueAsString());
            assertNull(s.kv().get("java.lang.ProcessBuilder"));
        }
    }

    /** The crafted headers name this class; it writes a marker file when loaded (see {@link ForeignClassMarker}). */
    private static final String FOREIGN_CLASS = "io.slate.space.ForeignClassMarker";

    /** A closed space with a few records; returns its directory. */
    private Path spaceWithRecords(final String label) {
        final Path d = processes.dir(label);
        try (Space s = Space.open(SpaceOptions.at(d).maxEntries(1000))) {
            s.kv().putString("k", "v");
            s.kv().putString("k", "v2");
        }
        return d;
    }

    /** Runs Chronicle alone on a copy of the crafted file in a child JVM; returns what the class marker recorded. */
    private String chronicleAlone(final String kind, final Path target) throws Exception {
        final Path marker = processes.dir("marker-" + kind);
        final ChildJvm child = processes.child("chronicle-alone-" + kind, ChronicleAloneChild.class, kind, target.toString(), marker.toString());
        assertEquals(0, child.awaitExit(120, TimeUnit.SECONDS), child::stderr);
        return (Files.exists(marker) ? Files.readString(marker) : "") + " / child: " + child.output();
    }

    /** Opens the space in this JVM with the marker armed: the open must fail naming the file and the class, and load nothing. */
    private void assertSlateRefuses(final Path d, final String file) throws IOException {
        final Path marker = processes.dir("marker-slate");
        System.setProperty(ForeignClassMarker.MARKER_PROPERTY, marker.toString());
        try {
            final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> Space.open(SpaceOptions.at(d)));
            assertMessage(e.getMessage(), file, "names class '" + FOREIGN_CLASS + "'", "refused before Chronicle could read it");
            assertFalse(Files.exists(marker), "the class named in the header was loaded: " + marker);
        } finally {
            System.clearProperty(ForeignClassMarker.MARKER_PROPERTY);
        }
    }

    @Test
    void mapHeaderNamingAnotherClassIsRefusedBeforeChronicleLoadsIt() throws Exception {
        final Path d = spaceWithRecords("foreign-map");
        final Path map = d.resolve(SpaceDescriptor.MAP_FILE_NAME);
        // the value reader's class, replaced by one of the same length, with the header's checksum made right again
        final ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(map), 0, 16 << 10).order(ByteOrder.LITTLE_ENDIAN);
        final int length = header.getInt(8) & 0x3FFF_FFFF;
        final String text = new String(header.array(), 12, length, StandardCharsets.UTF_8);
        final String ours = "valueReader: !io.slate.internal.EntryMarshaller {";
        assertTrue(text.contains(ours), text);
        final byte[] crafted = text.replace(ours, "valueReader: !" + FOREIGN_CLASS + " {").getBytes(StandardCharsets.UTF_8);
        assertEquals(length, crafted.length);
        header.position(12);
        header.put(crafted);
        header.putLong(0, LongHashFunction.xx_r39().hashBytes(header, 8, length + 4));
        try (FileChannel ch = FileChannel.open(map, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(header.array(), 0, 12 + length), 0);
        }

        final Path copy = processes.dir("foreign-map-control");
        Files.createDirectories(copy);
        Files.copy(map, copy.resolve(SpaceDescriptor.MAP_FILE_NAME));
        assertTrue(chronicleAlone("map", copy.resolve(SpaceDescriptor.MAP_FILE_NAME)).startsWith("loaded"),
                "control: Chronicle alone loads the class the crafted header names");
        assertSlateRefuses(d, SpaceDescriptor.MAP_FILE_NAME);
    }

    @Test
    void journalMetadataNamingAnotherClassIsRefusedBeforeChronicleLoadsIt() throws Exception {
        final Path d = spaceWithRecords("foreign-metadata");
        final Path journal = d.resolve(SpaceDescriptor.JOURNAL_DIR_NAME);
        writeHeaderNaming(journal.resolve("metadata.cq4t"), "wireType");

        final Path copy = processes.dir("foreign-metadata-control");
        TestSpaces.copy(journal, copy);
        assertTrue(chronicleAlone("queue", copy).startsWith("loaded"), "control: Chronicle alone loads the class the crafted header names");
        assertSlateRefuses(d, "metadata.cq4t");
    }

    @Test
    void journalCycleNamingAnotherClassIsRefused() throws Exception {
        final Path d = spaceWithRecords("foreign-cycle");
        try (Stream<Path> s = Files.list(d.resolve(SpaceDescriptor.JOURNAL_DIR_NAME))) {
            final Path cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
            writeHeaderNaming(cycle, "writePosition");
            assertSlateRefuses(d, cycle.getFileName().toString());
        }
    }

    /** Overwrites {@code file} (keeping its length) with a Chronicle header document whose type is the foreign class. */
    private static void writeHeaderNaming(final Path file, final String field) throws IOException {
        final Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
        final Wire wire = WireType.BINARY_LIGHT.apply(bytes);
        try (DocumentContext dc = wire.writingDocument(true)) {
            dc.wire().writeEventName("header").typedMarshallable(FOREIGN_CLASS, w -> w.write(field).int64(1));
        }
        final byte[] content = new byte[(int) Files.size(file)];
        final byte[] doc = bytes.toByteArray();
        System.arraycopy(doc, 0, content, 0, doc.length);
        Files.write(file, content);
    }

    static void assertMessage(final String message, final String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message '" + message + "' should contain '" + p + "'");
        }
    }
}
