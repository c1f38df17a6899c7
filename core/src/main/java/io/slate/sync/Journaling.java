package io.slate.sync;

/**
 * Whether a primitive's events are appended to the space's journal (ops 32-47, see {@link io.slate.journal.Op}):
 * mutex acquisitions with their tokens, releases and take-overs from dead owners; semaphore acquisitions, releases and
 * recoveries; counter changes; latch count-downs; barrier trips. The record's key is the primitive's name.
 *
 * <p>Off by default. It is a property of the primitive, shared by all agents; each record costs a journal append
 * (about a microsecond).
 */
public enum Journaling {
    /** No journal records (the default). */
    OFF,
    /** Every event is appended to the journal. */
    ON
}
