package io.slate.journal;

/**
 * The operation a journal record carries. The code is the byte stored in the record; codes are never reused.
 * Later features (tuples, locks, blackboard) add their own operations with their own codes.
 */
public enum Op {
    /** A key was written (put, putIfAbsent, compare-and-set, update, increment). */
    PUT(1, "put"),
    /** A key was removed; the record's version is the tombstone's. */
    REMOVE(2, "remove"),
    /**
     * Undoes the record at {@link JournalRecord#revertedIndex()}: its write was journaled but could not be applied
     * to the map (map or file system full). The key goes back to the state this record carries
     * (version, value, writer; removed when the flag says so, absent when the version is 0).
     */
    REVERT(3, "revert"),
    // ---- tuple spaces (io.slate.tuple), codes 16-31; the key is the tuple space's name. See docs/tuples.md.
    /** A tuple was written; the record's index is the tuple's id, the value the tuple (and its time to live). */
    TUPLE_OUT(16, "tuple-out"),
    /** A taker claimed a tuple; the version is the tuple's id. The first valid take in journal order wins. */
    TUPLE_TAKE(17, "tuple-take"),
    /** A taker acknowledged its take: the tuple is gone for good; the version is the tuple's id. */
    TUPLE_ACK(18, "tuple-ack"),
    /** An unacknowledged take was undone (released, or its taker died): the tuple is back; the version is its id. */
    TUPLE_RETURN(19, "tuple-return"),
    // ---- sync primitives (io.slate.sync), codes 32-47; the key is the primitive's name. See docs/sync.md.
    /** A mutex was acquired; the version is the fencing token of the acquisition. */
    LOCK(32, "lock"),
    /** A mutex was released; the version is the fencing token of the acquisition that ends. */
    UNLOCK(33, "unlock"),
    /** A mutex was taken over from a dead owner; the version is the new token, the value names the dead owner. */
    LOCK_RECOVERED(34, "lock-recovered"),
    /** Semaphore permits were acquired; the version is the number of permits. */
    SEM_ACQUIRE(35, "sem-acquire"),
    /** Semaphore permits were released; the version is the number of permits. */
    SEM_RELEASE(36, "sem-release"),
    /** A dead holder's semaphore permits were returned; the version is the number, the value names the holder. */
    SEM_RECOVERED(37, "sem-recovered"),
    /** A sync counter changed; the version is its new value, the value is the change as decimal text. */
    COUNTER_ADD(38, "counter-add"),
    /** A latch was counted down; the version is the count left. */
    LATCH_COUNT_DOWN(39, "latch-count-down"),
    /** A barrier tripped (its last party arrived); the version is the generation that completed. */
    BARRIER_TRIP(40, "barrier-trip"),
    // ---- blackboard (io.slate.blackboard), codes 48-63; the key is the blackboard's name. See docs/blackboard.md.
    /** A blackboard was defined; the value lists its levels, the version is how many. */
    BB_DEFINE(48, "bb-define"),
    /** Entries were posted, updated or retracted directly; the version is the number of changes in the value. */
    BB_WRITE(49, "bb-write"),
    /** A knowledge source instance claimed an activation; the version is the id of the entry that triggered it. */
    BB_CLAIM(50, "bb-claim"),
    /** A claimed activation finished: its changes, applied all or none; the version is the claim's index. */
    BB_COMMIT(51, "bb-commit"),
    /** The claim of a dead agent was given up: its activation is back on the agenda; the version is the claim's index. */
    BB_ABANDON(52, "bb-abandon");
    // Codes 16-31 are reserved for tuple spaces, 32-47 for sync primitives, 48-63 for the blackboard.

    private static final Op[] BY_CODE = new Op[256];

    static {
        for (Op op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final String label;

    Op(final int code, final String label) {
        this.code = code;
        this.label = label;
    }

    /** True for the operations that change the key/value map (replay and verify apply only these). */
    public boolean isKeyValue() {
        return this == PUT || this == REMOVE;
    }

    public int code() {
        return code;
    }

    /** The name the command line prints. */
    public String label() {
        return label;
    }

    /** The operation with this code, or {@code null} for a code this build does not know. */
    public static Op ofCode(final int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }
}
