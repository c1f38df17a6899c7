package io.slate.blackboard;

import java.util.Objects;

/**
 * One version of one entry on a blackboard: an immutable copy. Thread-safe.
 *
 * <p>An entry is posted at a level with attributes and a confidence, then may be updated (new attributes and
 * confidence, version + 1) and finally retracted (version + 1, {@link #isRetracted()}). Its id is the
 * {@linkplain #changeNumber() change number} of its post: unique on the blackboard, the same in every process and in
 * every replay, and increasing in posting order.
 */
public final class BlackboardEntry {
    private final long id;
    private final String level;
    private final long version;
    private final Attributes attributes;
    private final double confidence;
    private final String author;
    private final String writer;
    private final long index;
    private final long changeNumber;
    private final long timestampNanos;
    private final boolean retracted;

    /** For the implementation: entries come from a {@link Blackboard} or a {@link BlackboardSnapshot}. */
    public BlackboardEntry(final long id, final String level, final long version, final Attributes attributes, final double confidence,
                           final String author, final String writer, final long index, final long changeNumber, final long timestampNanos,
                           final boolean retracted) {
        this.id = id;
        this.level = level;
        this.version = version;
        this.attributes = attributes;
        this.confidence = confidence;
        this.author = author;
        this.writer = writer;
        this.index = index;
        this.changeNumber = changeNumber;
        this.timestampNanos = timestampNanos;
        this.retracted = retracted;
    }

    /** The entry's id: the change number of its post ({@code >= 1}). */
    public long id() {
        return id;
    }

    /** The level it was posted at. */
    public String level() {
        return level;
    }

    /** 1 when posted, + 1 per update and for the retraction. */
    public long version() {
        return version;
    }

    public Attributes attributes() {
        return attributes;
    }

    /** In {@code [0, 1]}. */
    public double confidence() {
        return confidence;
    }

    /** The id of the agent that posted the entry. */
    public String author() {
        return author;
    }

    /** The id of the agent that wrote this version (the author for version 1). */
    public String writer() {
        return writer;
    }

    /** The journal index of the record that wrote this version. */
    public long index() {
        return index;
    }

    /**
     * The number of the change that wrote this version in the blackboard's total order of changes (1, 2, 3...).
     * One journal record (a knowledge source's commit) may hold several changes: they share an index, never a
     * change number.
     */
    public long changeNumber() {
        return changeNumber;
    }

    /** When the record that wrote this version was appended, in nanoseconds since the epoch. */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** True for the version a retraction leaves (its attributes and confidence are those of the version before). */
    public boolean isRetracted() {
        return retracted;
    }

    /** Shorthand for {@code attributes().getLong(name)}. */
    public long getLong(final String name) {
        return attributes.getLong(name);
    }

    /** Shorthand for {@code attributes().getDouble(name)}. */
    public double getDouble(final String name) {
        return attributes.getDouble(name);
    }

    /** Shorthand for {@code attributes().getString(name)}. */
    public String getString(final String name) {
        return attributes.getString(name);
    }

    /** Shorthand for {@code attributes().getBoolean(name)}. */
    public boolean getBoolean(final String name) {
        return attributes.getBoolean(name);
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BlackboardEntry)) {
            return false;
        }
        final BlackboardEntry e = (BlackboardEntry) o;
        return id == e.id && version == e.version && Double.compare(confidence, e.confidence) == 0 && index == e.index
                && changeNumber == e.changeNumber && timestampNanos == e.timestampNanos && retracted == e.retracted && level.equals(e.level)
                && attributes.equals(e.attributes) && author.equals(e.author) && writer.equals(e.writer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, version, changeNumber);
    }

    /** {@code #12 hypothesis v2 {sensor=3, value=8.5} conf=0.8 by agent-a (retracted)}. */
    @Override
    public String toString() {
        return "#" + id + " " + level + " v" + version + " " + attributes + " conf=" + confidence + " by " + author
                + (writer.equals(author) ? "" : ", v" + version + " by " + writer) + (retracted ? " (retracted)" : "");
    }
}
