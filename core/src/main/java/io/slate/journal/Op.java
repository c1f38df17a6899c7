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
    REVERT(3, "revert");
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
