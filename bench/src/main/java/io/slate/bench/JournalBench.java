package io.slate.bench;

import io.slate.journal.Journal;
import io.slate.journal.RecordHandler;
import io.slate.journal.Tailer;
import io.slate.kv.KeyValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Raw read throughput of the journal: a tailer polling records that already exist, with a handler that does
 * nothing. Setup journals {@value #RECORDS} puts ({@value KeyValueBench#VALUE_BYTES}-byte values over
 * {@value KeyValueBench#KEYS} keys); each invocation opens a tailer at the start, polls every record and closes
 * it, and counts as {@value #RECORDS} operations, so the score is the time per record read. Opening the tailer is
 * amortized over the records (so are its allocations, in {@code gc.alloc.rate.norm}).
 *
 * <p>Journal appends are measured by {@link KeyValueBench#put()}: every put is one append.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class JournalBench {
    /** Records in the journal, all read by each invocation. */
    public static final int RECORDS = 100_000;

    private static final RecordHandler NO_OP = record -> {
    };

    private Journal journal;
    private SpaceState state;

    /** Fills the journal. */
    @Setup(Level.Trial)
    public void fill(final SpaceState state) {
        final KeyValue kv = state.space().kv();
        final byte[] value = new byte[KeyValueBench.VALUE_BYTES];
        Arrays.fill(value, (byte) 'v');
        final String[] keys = new String[KeyValueBench.KEYS];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = String.format("bench/journal/key-%04d", i);
        }
        for (int i = 0; i < RECORDS; i++) {
            kv.put(keys[i & (keys.length - 1)], value, 0, value.length);
        }
        journal = state.space().journal();
        this.state = state;
    }

    /** The key {@link #tailerFindsKeyByBytes} and {@link #tailerFindsKeyDecoded} look for. */
    private static final String WANTED = "bench/journal/key-0007";
    private long found;
    private final RecordHandler byBytes = record -> {
        if (record.keyEquals(WANTED)) {
            found++;
        }
    };
    private final RecordHandler decoded = record -> {
        if (WANTED.contentEquals(record.key())) {
            found++;
        }
    };

    /** A tailer looking for one key among every record, comparing with {@code JournalRecord.keyEquals}. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long tailerFindsKeyByBytes() {
        return tail(byBytes);
    }

    /** The same, decoding each record's key and comparing the text (what a handler did before {@code keyEquals}). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long tailerFindsKeyDecoded() {
        return tail(decoded);
    }

    private long tail(final RecordHandler handler) {
        found = 0;
        try (Tailer t = journal.tailerFromStart()) {
            while (t.poll(handler)) {
                // every record
            }
        }
        if (found != (RECORDS - 7 + KeyValueBench.KEYS - 1) / KeyValueBench.KEYS) { // the puts' keys go round 0..KEYS-1
            throw new IllegalStateException("found " + found + " records of " + WANTED);
        }
        return found;
    }

    /** {@link Tailer#poll} over every record with a no-op handler (meant to allocate nothing per record). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long tailerRead() {
        long n = 0;
        try (Tailer t = journal.tailerFromStart()) {
            while (t.poll(NO_OP)) {
                n++;
            }
        }
        if (n != RECORDS) {
            throw new IllegalStateException("read " + n + " records, expected " + RECORDS);
        }
        return n;
    }

    /**
     * The floor under {@link #tailerRead}: a Chronicle tailer of the same queue reading every record's first bytes in
     * place (its tag byte and two longs, what the raw-queue case of {@code bench-ipc} reads of a message), with nothing
     * of Slate's around it.
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long rawQueueRead() {
        long n = 0;
        long sum = 0;
        final net.openhft.chronicle.queue.impl.single.SingleChronicleQueue q = ((io.slate.shm.ChronicleSpace) state.space()).queue();
        try (net.openhft.chronicle.queue.ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (net.openhft.chronicle.wire.DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    final net.openhft.chronicle.bytes.Bytes<?> b = dc.wire().bytes();
                    sum += b.readByte() + b.readLong() + b.readLong();
                    n++;
                }
            }
        }
        if (n != RECORDS) {
            throw new IllegalStateException("read " + n + " records, expected " + RECORDS);
        }
        return n + sum;
    }
}
