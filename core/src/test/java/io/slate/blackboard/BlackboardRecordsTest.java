package io.slate.blackboard;

import io.slate.engine.blackboard.BlackboardRecords;
import io.slate.engine.blackboard.BlackboardRecords.ChangeSpec;
import io.slate.engine.blackboard.BlackboardRecords.MalformedException;
import io.slate.engine.blackboard.BlackboardRecords.Reader;
import io.slate.engine.blackboard.BlackboardRecords.Writer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The record codec: what it writes it reads back; anything cut short or corrupted is a clear error, never a crash. */
class BlackboardRecordsTest {
    private static final Attributes ATTRS = Attributes.builder().put("s", "héllo").put("l", -5L).put("d", 2.5).put("b", true)
            .put("x", new byte[] {1, 2, 3}).build();

    private static List<ChangeSpec> changes() {
        return List.of(ChangeSpec.post(2, ATTRS, 0.25), ChangeSpec.update(7, 3, Attributes.of("k", "v"), 1.0), ChangeSpec.retract(9, -1),
                ChangeSpec.post(0, Attributes.empty(), 0.0));
    }

    @Test
    void whatIsWrittenIsReadBack() {
        final Writer w = new Writer();
        BlackboardRecords.encodeWrite(w, changes());
        final List<ChangeSpec> back = BlackboardRecords.decodeChanges(new Reader().wrap(w.buffer(), w.length()), 3);
        assertEquals(changes().toString(), back.toString());

        BlackboardRecords.encodeDefine(w, List.of("a", "βeta", "c"));
        assertEquals(List.of("a", "βeta", "c"), BlackboardRecords.decodeDefine(new Reader().wrap(w.buffer(), w.length())));

        BlackboardRecords.encodeClaim(w, "ks", 42, 3, 17, 123456, 987654321);
        final Reader r = new Reader().wrap(w.buffer(), w.length());
        assertEquals("ks", r.name("ks"));
        assertEquals(42, r.i64());
        assertEquals(3, r.i64());
        assertEquals(17, r.i32());
        assertEquals(123456, r.i64());
        assertEquals(987654321, r.i64());
        r.end();

        BlackboardRecords.encodeFailedCommit(w, 99, "é".repeat(5000));
        final Reader f = new Reader().wrap(w.buffer(), w.length());
        assertEquals(99, f.i64());
        assertEquals(BlackboardRecords.OUTCOME_FAILED, f.u8());
        final String message = f.text(f.u16(), "message");
        assertEquals("é".repeat(BlackboardRecords.MAX_MESSAGE_BYTES / 2), message, "cut at a character boundary");
        f.end();
    }

    @Test
    void everyTruncationIsAMalformedRecord() {
        final Writer w = new Writer();
        BlackboardRecords.encodeWrite(w, changes());
        final byte[] full = Arrays.copyOf(w.buffer(), w.length());
        for (int n = 0; n < full.length; n++) {
            final int len = n;
            assertThrows(MalformedException.class, () -> BlackboardRecords.decodeChanges(new Reader().wrap(full, len), 3).size(),
                    "cut at " + len);
        }
        assertThrows(MalformedException.class, () -> BlackboardRecords.decodeChanges(new Reader().wrap(full, full.length), 2),
                "a post to level 2 of a blackboard with 2 levels");
    }

    @Test
    void randomCorruptionIsAMalformedRecordOrAValidOne() {
        final Writer w = new Writer();
        BlackboardRecords.encodeWrite(w, changes());
        final byte[] full = Arrays.copyOf(w.buffer(), w.length());
        final Random rnd = new Random(11);
        int malformed = 0;
        for (int i = 0; i < 20_000; i++) {
            final byte[] b = full.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            try {
                final Reader r = new Reader().wrap(b, b.length);
                BlackboardRecords.decodeChanges(r, 3);
                r.end();
            } catch (MalformedException e) {
                malformed++;
            }
        }
        assertEquals(true, malformed > 1000, "most corruptions are detected: " + malformed);
    }
}
