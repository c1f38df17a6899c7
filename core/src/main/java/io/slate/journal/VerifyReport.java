package io.slate.journal;

import java.util.List;

/** The outcome of comparing the key/value map with a replay of the journal. */
public final class VerifyReport {
    private final long recordsReplayed;
    private final long keysChecked;
    private final boolean journalComplete;
    private final List<String> mismatches;
    private final long mismatchCount;

    public VerifyReport(final long recordsReplayed, final long keysChecked, final boolean journalComplete, final List<String> mismatches,
                        final long mismatchCount) {
        this.recordsReplayed = recordsReplayed;
        this.keysChecked = keysChecked;
        this.journalComplete = journalComplete;
        this.mismatches = List.copyOf(mismatches);
        this.mismatchCount = mismatchCount;
    }

    /** True when every key the journal knows has the same state in the map, and (when complete) no other key is in the map. */
    public boolean ok() {
        return mismatchCount == 0;
    }

    /**
     * How many differences in all: keys whose state differs, and journal records that could not be read (the list
     * {@link #mismatches()} holds the first 100).
     */
    public long mismatchCount() {
        return mismatchCount;
    }

    public long recordsReplayed() {
        return recordsReplayed;
    }

    public long keysChecked() {
        return keysChecked;
    }

    /**
     * False when retention removed early journal cycles: then keys written only before the retained journal are
     * not checked.
     */
    public boolean journalComplete() {
        return journalComplete;
    }

    /**
     * One line per difference (at most 100): a key, with the map's state and the journal's; or a journal record that
     * could not be read, with its index and why (verify reports it and goes on with the next record).
     */
    public List<String> mismatches() {
        return mismatches;
    }

    @Override
    public String toString() {
        return (ok() ? "OK" : "MISMATCH") + ": " + recordsReplayed + " records replayed, " + keysChecked + " keys checked"
                + (journalComplete ? "" : " (journal truncated by retention)") + (ok() ? "" : ", " + mismatchCount + " mismatches, first: " + mismatches);
    }
}
