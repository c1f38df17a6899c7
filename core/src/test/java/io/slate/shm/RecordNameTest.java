package io.slate.shm;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A thread's journal record named like its last one is not encoded again: whatever the thread wrote in between (a
 * key/value write of another key, a record of another name) and whatever a mutable name became, every record carries
 * the name it was appended with.
 */
@Timeout(60)
class RecordNameTest {
    private final Path dir = TestSpaces.newDirectory("record-name");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void everyRecordCarriesTheNameItWasAppendedWith() {
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("names"))) {
            final ChronicleJournal j = ((ChronicleSpace) s).chronicleJournal();
            final byte[] none = new byte[0];
            final String jobs = "jobs";
            final StringBuilder mutable = new StringBuilder("mut-1");
            final List<String> expected = new ArrayList<>();
            final long first = j.append(Op.COUNTER_ADD, 0, 0, jobs, none, 0, 0);
            expected.add("jobs");
            j.append(Op.COUNTER_ADD, 0, 0, jobs, none, 0, 0);
            expected.add("jobs");
            s.kv().putString("a-longer-key", "v"); // the key/value write encodes its key in the same buffer
            expected.add("a-longer-key");
            j.append(Op.COUNTER_ADD, 0, 0, jobs, none, 0, 0);
            expected.add("jobs");
            j.append(Op.COUNTER_ADD, 0, 0, "j\u00e9", none, 0, 0);
            expected.add("j\u00e9");
            j.append(Op.COUNTER_ADD, 0, 0, jobs, none, 0, 0);
            expected.add("jobs");
            j.append(Op.COUNTER_ADD, 0, 0, mutable, none, 0, 0);
            expected.add("mut-1");
            mutable.setLength(0);
            mutable.append("other");
            j.append(Op.COUNTER_ADD, 0, 0, mutable, none, 0, 0);
            expected.add("other");
            s.kv().putString("x", "v");
            expected.add("x");
            j.append(Op.COUNTER_ADD, 0, 0, jobs, none, 0, 0);
            expected.add("jobs");
            final List<String> got = new ArrayList<>();
            try (Tailer t = s.journal().tailerFromIndex(first)) {
                JournalRecord r;
                while ((r = t.next(0, TimeUnit.NANOSECONDS)) != null) {
                    got.add(r.key().toString());
                }
            }
            assertEquals(expected, got);
        }
    }
}
