package io.slate.space;

/**
 * How often the journal starts a new file (a "cycle"). Retention removes whole cycles, so a shorter cycle
 * frees memory sooner; each cycle holds at most about a billion records.
 */
public enum JournalRollCycle {
    /** Every second, with small cycles (a few thousand records each): for tests and demonstrations of retention. */
    SECONDLY,
    FIVE_MINUTELY,
    TEN_MINUTELY,
    HALF_HOURLY,
    HOURLY,
    DAILY
}
