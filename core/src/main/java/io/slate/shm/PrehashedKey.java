package io.slate.shm;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.AbstractData;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A key handed to Chronicle Map as the bytes its CharSequence marshaller would write, with their hash already known.
 * The write path encodes the key to UTF-8 and hashes it for the segment guard anyway ({@link SegmentGuards}); given
 * the key as a {@code CharSequence}, Chronicle Map encoded it again into a buffer of its own and hashed it again (8 % of
 * a put). Valid only for keys whose UTF-8 is what Chronicle writes (no surrogates, see
 * {@link SegmentGuards#encodedAlike}): the bytes stored in the map are exactly those Chronicle would have stored.
 * Reused by one writer thread for every write (a field of its {@link WriterContext}); confined to that thread.
 */
final class PrehashedKey extends AbstractData<CharSequence> {
    private static final LongHashFunction CHRONICLE_KEY_HASH = LongHashFunction.xx_r39();

    private final byte[] bytes;
    private final UnsafeBuffer buffer;
    private final BytesStore<?, byte[]> store;
    private CharSequence key;
    private int size;
    private long hash;

    /** Over {@code bytes}, the writer's key buffer: {@link #of} is called after the key was encoded into it. */
    PrehashedKey(final byte[] bytes) {
        this.bytes = bytes;
        this.buffer = new UnsafeBuffer(bytes);
        this.store = BytesStore.wrap(bytes);
    }

    /** This key: {@code key}, whose UTF-8 is the first {@code size} bytes of the buffer, hashing to {@code hash}. */
    PrehashedKey of(final CharSequence key, final int size, final long hash) {
        this.key = key;
        this.size = size;
        this.hash = hash;
        return this;
    }

    @Override
    public RandomDataInput bytes() {
        return store;
    }

    @Override
    public long offset() {
        return 0;
    }

    @Override
    public long size() {
        return size;
    }

    /** The hash computed for the guard, when Chronicle asks for that function (it always does); else computed. */
    @Override
    public long hash(final LongHashFunction f) {
        return f == CHRONICLE_KEY_HASH ? hash : f.hashBytes(bytes, 0, size);
    }

    /** The key's bytes against a key stored in the map ({@code size} bytes there; Chronicle compared the sizes). */
    @Override
    public boolean equivalent(final RandomDataInput source, final long sourceOffset) {
        final int n = size;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if (source.readLong(sourceOffset + i) != buffer.getLong(i)) {
                return false;
            }
        }
        for (; i < n; i++) {
            if (source.readByte(sourceOffset + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void writeTo(final RandomDataOutput target, final long targetOffset) {
        target.write(targetOffset, bytes, 0, size);
    }

    @Override
    public CharSequence get() {
        return key;
    }

    @Override
    public CharSequence getUsing(final CharSequence using) {
        if (using instanceof StringBuilder) {
            final StringBuilder sb = (StringBuilder) using;
            sb.setLength(0);
            sb.append(key);
            return sb;
        }
        return key;
    }
}
