package io.slate.space;

import io.slate.internal.ChronicleSpace;
import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.journal.VerifyReport;
import io.slate.testing.Processes;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Content a space did not write: journal records that are not Slate records are reported with their index and never
 * interpreted (a tailer throws and moves past them, verify lists them, replay refuses).
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

    static void assertMessage(final String message, final String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message '" + message + "' should contain '" + p + "'");
        }
    }
}
