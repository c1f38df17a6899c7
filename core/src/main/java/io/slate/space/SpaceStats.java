package io.slate.space;

/** A snapshot of a space's numbers, for {@code slate stat} and monitors. */
public final class SpaceStats {
    private final long entries;
    private final long maxEntries;
    private final long journalRecords;
    private final long firstIndex;
    private final long lastIndex;
    private final long journalBytes;
    private final long mapBytes;
    private final int agentsAlive;
    private final int agentsKnown;
    private final int formatMajor;
    private final int formatMinor;
    private final boolean journalComplete;
    private final long snapshotBytes;
    private final int snapshotViews;

    public SpaceStats(final long entries, final long maxEntries, final long journalRecords, final long firstIndex, final long lastIndex,
                      final long journalBytes, final long mapBytes, final int agentsAlive, final int agentsKnown,
                      final int formatMajor, final int formatMinor) {
        this(entries, maxEntries, journalRecords, firstIndex, lastIndex, journalBytes, mapBytes, agentsAlive, agentsKnown, formatMajor, formatMinor,
                true, 0, 0);
    }

    public SpaceStats(final long entries, final long maxEntries, final long journalRecords, final long firstIndex, final long lastIndex,
                      final long journalBytes, final long mapBytes, final int agentsAlive, final int agentsKnown,
                      final int formatMajor, final int formatMinor, final boolean journalComplete, final long snapshotBytes,
                      final int snapshotViews) {
        this.journalComplete = journalComplete;
        this.snapshotBytes = snapshotBytes;
        this.snapshotViews = snapshotViews;
        this.entries = entries;
        this.maxEntries = maxEntries;
        this.journalRecords = journalRecords;
        this.firstIndex = firstIndex;
        this.lastIndex = lastIndex;
        this.journalBytes = journalBytes;
        this.mapBytes = mapBytes;
        this.agentsAlive = agentsAlive;
        this.agentsKnown = agentsKnown;
        this.formatMajor = formatMajor;
        this.formatMinor = formatMinor;
    }

    /** True while retention never removed a record: {@link #firstIndex()} is the start of the whole history. */
    public boolean journalComplete() {
        return journalComplete;
    }

    /** Memory the snapshots of tuple spaces and blackboards take. */
    public long snapshotBytes() {
        return snapshotBytes;
    }

    /** Tuple spaces and blackboards that have a snapshot. */
    public int snapshotViews() {
        return snapshotViews;
    }

    /** Keys in the map, tombstones of removed keys included. */
    public long entries() {
        return entries;
    }

    public long maxEntries() {
        return maxEntries;
    }

    /** Records in the retained journal. */
    public long journalRecords() {
        return journalRecords;
    }

    /** Index of the first retained record, or -1 when the journal is empty. */
    public long firstIndex() {
        return firstIndex;
    }

    /** Index of the last record, or -1 when the journal is empty. */
    public long lastIndex() {
        return lastIndex;
    }

    /** Bytes of memory the journal's files occupy. */
    public long journalBytes() {
        return journalBytes;
    }

    /** Bytes of memory the map's file occupies. */
    public long mapBytes() {
        return mapBytes;
    }

    public int agentsAlive() {
        return agentsAlive;
    }

    public int agentsKnown() {
        return agentsKnown;
    }

    public int formatMajor() {
        return formatMajor;
    }

    public int formatMinor() {
        return formatMinor;
    }
}
