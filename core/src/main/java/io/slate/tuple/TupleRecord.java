package io.slate.tuple;

import io.slate.engine.tuple.TupleCodec;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;

import static io.slate.engine.tuple.TupleRecordDescriptor.END_LENGTH;
import static io.slate.engine.tuple.TupleRecordDescriptor.END_TAKE_INDEX_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.END_TUPLE_ID_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAGS_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAG_FINAL;
import static io.slate.engine.tuple.TupleRecordDescriptor.FLAG_TAKER_DIED;
import static io.slate.engine.tuple.TupleRecordDescriptor.LAYOUT;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TTL_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_LENGTH;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_PID_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_SLOT_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_TUPLE_ID_OFFSET;

/**
 * A decoded journal record of a tuple space, for tools that read the journal (such as {@code slate tail}): what was
 * written, taken, acknowledged or returned. The record's key is the tuple space's name. Immutable.
 */
public final class TupleRecord {
    private final Op op;
    private final long tupleId;
    private final Tuple tuple;
    private final long ttlNanos;
    private final long takeIndex;
    private final boolean fin;
    private final boolean takerDied;
    private final int takerSlot;
    private final long takerPid;

    private TupleRecord(final Op op, final long tupleId, final Tuple tuple, final long ttlNanos, final long takeIndex, final boolean fin,
                        final boolean takerDied, final int takerSlot, final long takerPid) {
        this.op = op;
        this.tupleId = tupleId;
        this.tuple = tuple;
        this.ttlNanos = ttlNanos;
        this.takeIndex = takeIndex;
        this.fin = fin;
        this.takerDied = takerDied;
        this.takerSlot = takerSlot;
        this.takerPid = takerPid;
    }

    /** True for the operations of tuple spaces: {@code TUPLE_OUT}, {@code TUPLE_TAKE}, {@code TUPLE_ACK}, {@code TUPLE_RETURN}. */
    public static boolean isTupleOp(final Op op) {
        return op == Op.TUPLE_OUT || op == Op.TUPLE_TAKE || op == Op.TUPLE_ACK || op == Op.TUPLE_RETURN;
    }

    /**
     * Decodes a record of a tuple operation. Allocates.
     *
     * @throws IllegalArgumentException when it is not one, or its value is not in the layout this build reads
     */
    public static TupleRecord of(final JournalRecord r) {
        final Op op = r.op();
        if (!isTupleOp(op)) {
            throw new IllegalArgumentException("journal record " + r.index() + " is a " + op.label() + ", not a tuple record");
        }
        final byte[] v = r.valueBuffer();
        final int n = r.valueLength();
        if (n < 1 || v[0] != LAYOUT) {
            throw new IllegalArgumentException("journal record " + r.index() + ": tuple record layout is not " + LAYOUT);
        }
        switch (op) {
            case TUPLE_OUT: {
                if (n <= OUT_TUPLE_OFFSET) {
                    throw new IllegalArgumentException("journal record " + r.index() + ": tuple-out holds no tuple");
                }
                final Tuple t;
                try {
                    t = Tuple.decode(v, OUT_TUPLE_OFFSET, n - OUT_TUPLE_OFFSET);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("journal record " + r.index() + ": " + e.getMessage(), e);
                }
                return new TupleRecord(op, r.index(), t, TupleCodec.getLong(v, OUT_TTL_OFFSET), -1, false, false, -1, -1);
            }
            case TUPLE_TAKE:
                requireLength(r, n, TAKE_LENGTH);
                return new TupleRecord(op, TupleCodec.getLong(v, TAKE_TUPLE_ID_OFFSET), null, 0, r.index(), (v[FLAGS_OFFSET] & FLAG_FINAL) != 0,
                        false, TupleCodec.getInt(v, TAKE_SLOT_OFFSET), TupleCodec.getLong(v, TAKE_PID_OFFSET));
            default:
                requireLength(r, n, END_LENGTH);
                return new TupleRecord(op, TupleCodec.getLong(v, END_TUPLE_ID_OFFSET), null, 0, TupleCodec.getLong(v, END_TAKE_INDEX_OFFSET), false,
                        op == Op.TUPLE_RETURN && (v[FLAGS_OFFSET] & FLAG_TAKER_DIED) != 0, -1, -1);
        }
    }

    private static void requireLength(final JournalRecord r, final int n, final int expected) {
        if (n != expected) {
            throw new IllegalArgumentException("journal record " + r.index() + ": " + r.op().label() + " of " + n + " bytes, expected " + expected);
        }
    }

    /** The operation. */
    public Op op() {
        return op;
    }

    /** The tuple's id: the journal index of its {@code TUPLE_OUT} record. */
    public long tupleId() {
        return tupleId;
    }

    /** The tuple written, for {@code TUPLE_OUT}; otherwise {@code null}. */
    public Tuple tuple() {
        return tuple;
    }

    /** For {@code TUPLE_OUT}: the time to live in nanoseconds, 0 when the tuple has no lease. */
    public long ttlNanos() {
        return ttlNanos;
    }

    /** For a take its own index; for an ack or return the index of the take it ends; -1 for {@code TUPLE_OUT}. */
    public long takeIndex() {
        return takeIndex;
    }

    /** For {@code TUPLE_TAKE}: true for a take by {@code in}/{@code inp}, final at once; false for {@code inWithAck}. */
    public boolean isFinal() {
        return fin;
    }

    /** For {@code TUPLE_RETURN}: true when a survivor returned the tuple because its taker died, false when released. */
    public boolean takerDied() {
        return takerDied;
    }

    /** For {@code TUPLE_TAKE}: the taker's agent registry slot; otherwise -1. */
    public int takerSlot() {
        return takerSlot;
    }

    /** For {@code TUPLE_TAKE}: the taker's process id; otherwise -1. */
    public long takerPid() {
        return takerPid;
    }

    /** A short description: {@code ["job",1] ttl=5000000000}, {@code tuple=12 final}, {@code tuple=12 take=14 taker-died}. */
    @Override
    public String toString() {
        switch (op) {
            case TUPLE_OUT:
                return tuple + (ttlNanos > 0 ? " ttl=" + ttlNanos + "ns" : "");
            case TUPLE_TAKE:
                return "tuple=" + tupleId + (fin ? " final" : " until-ack") + " pid=" + takerPid;
            default:
                return "tuple=" + tupleId + " take=" + takeIndex + (takerDied ? " taker-died" : "");
        }
    }
}
