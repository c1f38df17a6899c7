package io.slate.bench;

import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency of the key/value operations through the public API, in one process: reads (allocating and into a reused
 * {@link EntryBuffer}), and the write path (every write is a journal append plus a map update under the key's lock).
 *
 * <p>Each thread cycles through its own {@value #KEYS} preallocated keys, all written in setup with a
 * {@value #VALUE_BYTES}-byte value, so reads always hit and writes replace values of the same size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class KeyValueBench {
    /** Keys per thread; a power of two. */
    public static final int KEYS = 1024;
    /** Size of every value written. */
    public static final int VALUE_BYTES = 64;

    private static final int MASK = KEYS - 1;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String[] keys = new String[KEYS];
    private final String[] counters = new String[KEYS];
    private final long[] versions = new long[KEYS];
    private final byte[] value = new byte[VALUE_BYTES];
    private final EntryBuffer buffer = new EntryBuffer(VALUE_BYTES);
    private KeyValue kv;
    private int cursor;

    /** Builds this thread's keys and writes each once, so every read hits and every CAS knows its version. */
    @Setup(Level.Trial)
    public void setUp(final SpaceState state) {
        kv = state.space().kv();
        final int thread = THREADS.getAndIncrement();
        Arrays.fill(value, (byte) 'v');
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("bench/t%d/key-%04d", thread, i);
            counters[i] = String.format("bench/t%d/counter-%04d", thread, i);
            versions[i] = kv.put(keys[i], value, 0, VALUE_BYTES);
            kv.increment(counters[i], 1);
        }
    }

    private int next() {
        final int i = cursor;
        cursor = (i + 1) & MASK;
        return i;
    }

    /** {@link KeyValue#get(CharSequence)}: copies the entry into a new {@link Entry} (allocates). */
    @Benchmark
    public Entry get() {
        return kv.get(keys[next()]);
    }

    /** {@link KeyValue#get(CharSequence, EntryBuffer)}: copies into a reused buffer (meant to allocate nothing). */
    @Benchmark
    public long getIntoBuffer() {
        return kv.get(keys[next()], buffer);
    }

    /** {@link KeyValue#put(CharSequence, byte[], int, int)}: journal append + map update (meant to allocate nothing). */
    @Benchmark
    public long put() {
        return kv.put(keys[next()], value, 0, VALUE_BYTES);
    }

    /**
     * A put of one key, then {@link KeyValue#awaitChange(CharSequence, long, EntryBuffer, long, TimeUnit)} for the
     * version before it: the waiter's cursor reads the put's record, as a waiting agent's does for every change it is
     * told of (meant to allocate nothing; minus {@link #put()}, the waiter's cost).
     */
    @Benchmark
    public long putThenAwaitChange() throws InterruptedException {
        final CharSequence k = keys[0];
        final long v = kv.put(k, value, 0, VALUE_BYTES);
        return kv.awaitChange(k, v - 1, buffer, 1, TimeUnit.SECONDS);
    }

    /** {@link KeyValue#compareAndSet}: always with the current version, so it always succeeds (one writer per key). */
    @Benchmark
    public long compareAndSet() {
        final int i = next();
        final long v = kv.compareAndSet(keys[i], versions[i], value, 0, VALUE_BYTES);
        if (v > 0) {
            versions[i] = v;
        } else {
            versions[i] = kv.version(keys[i]);
        }
        return v;
    }

    /** {@link KeyValue#increment}: read, parse, CAS of a decimal counter. */
    @Benchmark
    public long increment() {
        return kv.increment(counters[next()], 1);
    }
}
