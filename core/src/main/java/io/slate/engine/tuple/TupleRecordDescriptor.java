package io.slate.engine.tuple;

/**
 * Layouts of the values of the four tuple-space journal records (op codes 16-19 of {@link io.slate.journal.Op}),
 * little-endian. The record's key is the tuple space's name. See {@code docs/tuples.md}.
 *
 * <pre>
 *  TUPLE_OUT (version 0): the record's journal index is the tuple's id
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+  0
 *  |  layout (1)   |  flags (0)    |         reserved (0)          |
 *  +---------------+---------------+-------------------------------+  4
 *  |        time to live, nanoseconds (8 bytes; 0 = no lease)      |
 *  +---------------------------------------------------------------+ 12
 *  |  the tuple's binary form (TupleCodec): arity, fields ...      |
 *  +---------------------------------------------------------------+
 *
 *  TUPLE_TAKE (version = tuple id): 32 bytes
 *  +---------------+---------------+-------------------------------+  0
 *  |  layout (1)   | flags: 1=FINAL|         reserved (0)          |
 *  +---------------+---------------+-------------------------------+  4
 *  |                     tuple id (8 bytes)                        |
 *  +-------------------------------+-------------------------------+ 12
 *  | taker: agent reference slot (4)|     (io.slate.spi.AgentRef: 20 bytes whose meaning the backend
 *  +-------------------------------+-------------------------------+ 16    defines; on one host the
 *  |          taker: agent reference id (8 bytes)                  |      registry slot, the PID and the
 *  +---------------------------------------------------------------+ 24    process's start time in
 *  |          taker: agent reference incarnation (8 bytes)         |      clock ticks)
 *  +---------------------------------------------------------------+ 32
 *
 *  TUPLE_ACK, TUPLE_RETURN (version = tuple id): 20 bytes
 *  +---------------+---------------+-------------------------------+  0
 *  |  layout (1)   | flags (RETURN: 1=TAKER_DIED) | reserved (0)   |
 *  +---------------+---------------+-------------------------------+  4
 *  |                     tuple id (8 bytes)                        |
 *  +---------------------------------------------------------------+ 12
 *  |        index of the TUPLE_TAKE record it ends (8 bytes)       |
 *  +---------------------------------------------------------------+ 20
 * </pre>
 * A FINAL take ({@code in}, {@code inp}) removes the tuple at once; a take without it ({@code inWithAck}) holds the
 * tuple until an ACK or RETURN naming that take. Readers refuse another layout byte.
 */
public final class TupleRecordDescriptor {
    /** The layout byte this build writes and reads. */
    public static final byte LAYOUT = 1;

    public static final int LAYOUT_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;

    public static final int OUT_TTL_OFFSET = 4;
    public static final int OUT_TUPLE_OFFSET = 12;

    public static final int TAKE_TUPLE_ID_OFFSET = 4;
    public static final int TAKE_SLOT_OFFSET = 12;
    public static final int TAKE_PID_OFFSET = 16;
    public static final int TAKE_START_TICKS_OFFSET = 24;
    public static final int TAKE_LENGTH = 32;
    /** TUPLE_TAKE flag: a take by {@code in}/{@code inp}, final at once (no ACK follows). */
    public static final int FLAG_FINAL = 1;

    public static final int END_TUPLE_ID_OFFSET = 4;
    public static final int END_TAKE_INDEX_OFFSET = 12;
    public static final int END_LENGTH = 20;
    /** TUPLE_RETURN flag: returned by a survivor because the taker died (else released by the taker). */
    public static final int FLAG_TAKER_DIED = 1;

    private TupleRecordDescriptor() {
    }
}
