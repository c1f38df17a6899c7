package io.slate.engine.tuple;

import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import io.slate.spi.LogRecord;
import io.slate.spi.RecordLog;


import static io.slate.engine.tuple.TupleRecordDescriptor.END_LENGTH;
import static io.slate.engine.tuple.TupleRecordDescriptor.LAYOUT;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_LENGTH;

/**
 * Reads the journal records of one tuple space from the raw {@link LogRecord} flyweight: it looks at the op code and
 * key first and copies nothing of a record that is not this tuple space's. The value of a record of ours is copied into a
 * buffer reused for the next record and checked against its layout ({@link TupleRecordDescriptor}); anything
 * malformed is reported with its journal index, never interpreted. Allocation-free in steady state; single-threaded.
 */
final class TupleRecordReader {
    static final int NOT_OURS = 0;

    private final RecordLog log;
    private final byte[] name;
    private byte[] value = new byte[256];
    private int valueLength;
    private long timestamp;
    private long index;

    /** The operations of tuple spaces, for {@link io.slate.spi.RecordCursor#next(long)}. */
    static final long OPS = io.slate.spi.RecordCursor.opsWhere(op -> isTupleOp(op.code()));

    /** Whether {@code code} is an operation of tuple spaces (TUPLE_OUT to TUPLE_RETURN). */
    static boolean isTupleOp(final int code) {
        return code >= Op.TUPLE_OUT.code() && code <= Op.TUPLE_RETURN.code();
    }

    TupleRecordReader(final RecordLog log, final byte[] name) {
        this.log = log;
        this.name = name;
    }

    /**
     * Looks at {@code r}. Returns its op code when it is a tuple record of this tuple space (its value then copied
     * into {@link #value()}), else {@link #NOT_OURS}, copying nothing.
     */
    int read(final LogRecord r) {
        final int code = r.opCode();
        if (!isTupleOp(code) || !r.keyEquals(name)) {
            return NOT_OURS;
        }
        final int n = r.valueLength();
        if (value.length < n) {
            value = new byte[Math.max(n, value.length * 2)];
        }
        r.buffer().getBytes(r.valueOffset(), value, 0, n);
        valueLength = n;
        timestamp = r.timestampNanos();
        index = r.index();
        check(code);
        return code;
    }

    private void check(final int code) {
        if (valueLength < 1 || value[0] != LAYOUT) {
            throw corrupt(index, "tuple record layout " + (valueLength < 1 ? "missing" : Byte.toString(value[0])) + " is not one this build reads ("
                    + LAYOUT + ")");
        }
        if (code == Op.TUPLE_OUT.code()) {
            if (valueLength <= OUT_TUPLE_OFFSET) {
                throw corrupt(index, "tuple-out record of " + valueLength + " bytes holds no tuple");
            }
            final String problem = TupleCodec.check(value, OUT_TUPLE_OFFSET, valueLength - OUT_TUPLE_OFFSET, false);
            if (problem != null) {
                throw corrupt(index, "tuple-out record holds no valid tuple: " + problem);
            }
        } else if (code == Op.TUPLE_TAKE.code()) {
            if (valueLength != TAKE_LENGTH) {
                throw corrupt(index, "tuple-take record of " + valueLength + " bytes, expected " + TAKE_LENGTH);
            }
        } else if (valueLength != END_LENGTH) {
            throw corrupt(index, Op.ofCode(code).label() + " record of " + valueLength + " bytes, expected " + END_LENGTH);
        }
    }

    private CorruptSpaceException corrupt(final long recordIndex, final String problem) {
        return log.foreignRecord(recordIndex, problem);
    }

    /** The tuple space's name, UTF-8. */
    byte[] name() {
        return name;
    }

    /** The value of the last record read; valid until the next read. */
    byte[] value() {
        return value;
    }

    int valueLength() {
        return valueLength;
    }

    /** The record's timestamp, epoch nanoseconds. */
    long timestamp() {
        return timestamp;
    }

    long index() {
        return index;
    }
}
