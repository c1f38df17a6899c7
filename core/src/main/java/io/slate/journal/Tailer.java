package io.slate.journal;

import java.util.concurrent.TimeUnit;

/**
 * A reader of the journal, in index order. Made by {@link Journal}: from the start, from an index, from the end,
 * or named (a named tailer stores its position in the space and resumes right after the last record it delivered,
 * even after its process is killed: no gap, no duplicate).
 *
 * <p>Single-threaded: use a tailer from one thread only (it wraps a Chronicle tailer, which is). Reading
 * allocates nothing in steady state; the record handed out is a flyweight reused for the next read.
 *
 * <p>A record that is not a Slate record (another magic, format or operation code, or a length that runs past the
 * record) is never interpreted: {@link #poll} and {@link #next} throw a
 * {@link io.slate.space.CorruptSpaceException} naming its index, and the tailer has moved past it, so a caller that
 * catches it reads on with the next record. A journal file damaged under a reader is a
 * {@code CorruptSpaceException} naming the journal.
 */
public interface Tailer extends AutoCloseable {
    /** Reads the next record if there is one, handing it to {@code handler}; returns whether it did. */
    boolean poll(RecordHandler handler);

    /**
     * The next record, waiting up to the timeout with the space's idle strategy; {@code null} on timeout.
     * The record is valid until the next call.
     */
    JournalRecord next(long timeout, TimeUnit unit);

    /** Index of the last record this tailer delivered, or -1 if none yet. */
    long lastIndex();

    /** For a named tailer its name, otherwise {@code null}. */
    String name();

    @Override
    void close();
}
