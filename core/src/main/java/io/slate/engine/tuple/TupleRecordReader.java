package io.slate.engine.tuple;

import io.slate.shm.RecordDescriptor;
import io.slate.journal.Op;
import io.slate.space.CorruptSpaceException;
import net.openhft.chronicle.bytes.Bytes;

import java.nio.file.Path;

import static io.slate.engine.tuple.TupleRecordDescriptor.END_LENGTH;
import static io.slate.engine.tuple.TupleRecordDescriptor.LAYOUT;
import static io.slate.engine.tuple.TupleRecordDescriptor.OUT_TUPLE_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.RECORD_KEY_LENGTH_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.RECORD_KEY_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.RECORD_OP_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.RECORD_TIMESTAMP_OFFSET;
import static io.slate.engine.tuple.TupleRecordDescriptor.TAKE_LENGTH;

/**
 * Reads the journal records of one tuple space straight from Chronicle's bytes: it looks at the op code and key
 * first and copies nothing of a record that is not this tuple space's. The value of a record of ours is copied into a
 * buffer reused for the next record and checked against its layout ({@link TupleRecordDescriptor}); anything
 * malformed is reported with its journal index, never interpreted. Allocation-free in steady state; single-threaded.
 */
final class TupleRecordReader {
    static final int NOT_OURS = 0;

    private final Path journalDir;
    private final byte[] name;
    private byte[] value = new byte[256];
    private int valueLength;
    private long timestamp;
    private long index;

    TupleRecordReader(final Path journalDir, final byte[] name) {
        this.journalDir = journalDir;
        this.name = name;
    }

    /**
     * Reads the record at the bytes' read position. Returns its op code when it is a tuple record of this tuple space
     * (its value then in {@link #value()}), else {@link #NOT_OURS}.
     */
    int read(final Bytes<?> b, final long recordIndex) {
        final long p = b.readPosition();
        final long end = b.readLimit();
        if (end - p < RECORD_KEY_OFFSET) {
            throw corrupt(recordIndex, "record of " + (end - p) + " bytes is shorter than a Slate record header");
        }
        if (b.readByte(p) != RecordDescriptor.MAGIC || b.readByte(p + 1) != RecordDescriptor.FORMAT) {
            throw corrupt(recordIndex, "record is not in the Slate record format (magic 0x" + Integer.toHexString(b.readByte(p) & 0xFF)
                    + ", format " + b.readByte(p + 1) + ")");
        }
        final int code = b.readUnsignedByte(p + RECORD_OP_OFFSET);
        if (code < Op.TUPLE_OUT.code() || code > Op.TUPLE_RETURN.code()) {
            return NOT_OURS;
        }
        final int keyLen = b.readUnsignedShort(p + RECORD_KEY_LENGTH_OFFSET);
        if (keyLen != name.length) {
            return NOT_OURS;
        }
        for (int i = 0; i < keyLen; i++) {
            if (b.readByte(p + RECORD_KEY_OFFSET + i) != name[i]) {
                return NOT_OURS;
            }
        }
        long q = p + RECORD_KEY_OFFSET + keyLen;
        if (end - q < 5) {
            throw corrupt(recordIndex, "record ends inside its agent id");
        }
        q += 1 + b.readUnsignedByte(q);
        if (end - q < 4) {
            throw corrupt(recordIndex, "record ends before its value length");
        }
        final int n = b.readInt(q);
        q += 4;
        if (n < 0 || n > end - q) {
            throw corrupt(recordIndex, "value length " + n + " exceeds the record's remaining " + (end - q) + " bytes");
        }
        if (value.length < n) {
            value = new byte[Math.max(n, value.length * 2)];
        }
        b.read(q, value, 0, n);
        valueLength = n;
        timestamp = b.readLong(p + RECORD_TIMESTAMP_OFFSET);
        index = recordIndex;
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
        return new CorruptSpaceException(journalDir, "journal record at index " + recordIndex + " (0x" + Long.toHexString(recordIndex) + "): "
                + problem);
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
