package io.slate.bench.ipc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes every case carries: a message of {@code size} bytes whose first 8 bytes are the sequence number and the
 * next 8 the send stamp ({@link System#nanoTime()}, CLOCK_MONOTONIC on Linux, so comparable between processes on one
 * host), little-endian; the rest is filler. Allocation-free reads and writes on a reused array.
 */
final class Payload {
    /** The smallest payload: sequence number and stamp. */
    static final int MIN_BYTES = 16;
    /** Sequence number of the message that ends a phase. */
    static final long STOP = -1;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Payload() {
    }

    /** A new payload array of {@code size} bytes, filler {@code 'x'}. */
    static byte[] allocate(final int size) {
        if (size < MIN_BYTES) {
            throw new IllegalArgumentException("payload must be at least " + MIN_BYTES + " bytes, got " + size);
        }
        final byte[] b = new byte[size];
        Arrays.fill(b, MIN_BYTES, size, (byte) 'x');
        return b;
    }

    static void write(final byte[] b, final int offset, final long seq, final long stamp) {
        LONGS.set(b, offset, seq);
        LONGS.set(b, offset + 8, stamp);
    }

    static long seq(final byte[] b, final int offset) {
        return (long) LONGS.get(b, offset);
    }

    static long stamp(final byte[] b, final int offset) {
        return (long) LONGS.get(b, offset + 8);
    }
}
