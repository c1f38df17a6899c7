package io.slate.bench;

import io.slate.shm.ChronicleJournal;
import io.slate.shm.ChronicleSpace;
import io.slate.journal.Op;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One journal append on its own: {@link ChronicleJournal#append}, the path by which tuples, sync primitives and the
 * blackboard journal their records (a key/value {@code put} is this plus the map update, see
 * {@link KeyValueBench#put()}). The record carries a {@link #payloadBytes}-byte value under a short key. Meant to
 * allocate nothing.
 *
 * <p>Millions of appends a second would fill {@code /dev/shm} over a whole trial, so every measurement iteration
 * appends to a fresh space, removed after it; the first appends of an iteration map the journal's first blocks, as
 * a growing journal keeps doing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class JournalAppendBench {
    /** Bytes of the record's value. */
    @Param({"16", "256"})
    public int payloadBytes;

    /**
     * Whether the benchmark thread is pinned to one CPU before it opens each iteration's space, as an agent pins its
     * hot thread: the space's own threads (snapshot duty, pretoucher) must not end up on that CPU with it
     * ({@code io.slate.internal.ServiceThreads}). Compare {@code -p pinned=false,true}.
     */
    @Param({"false"})
    public boolean pinned;

    private Space space;
    private ChronicleJournal journal;
    private byte[] value;
    private long seq;
    /** The raw queue's own appender, for {@link #rawQueueAppend}. */
    private net.openhft.chronicle.queue.ExcerptAppender raw;
    /** As many bytes as one of {@link #append}'s records. */
    private byte[] rawRecord;

    /** Opens a fresh space for the iteration. */
    @Setup(Level.Iteration)
    public void open() {
        if (pinned) {
            final java.util.BitSet cpus = io.slate.internal.ServiceThreads.processCpus();
            final java.util.BitSet one = new java.util.BitSet();
            one.set(cpus == null ? 0 : cpus.nextSetBit(0));
            net.openhft.affinity.Affinity.setAffinity(one); // this thread only; JMH runs setup on the benchmark thread
        }
        space = Space.open(SpaceOptions.at(SpaceState.newDirectory("append")).agentId("bench-" + ProcessHandle.current().pid()));
        journal = ((ChronicleSpace) space).chronicleJournal();
        value = new byte[payloadBytes];
        Arrays.fill(value, (byte) 'v');
        // the baseline writes the bytes of a record of append() (a valid record: the space's own readers, such as the
        // snapshot duty, read what it writes), through the same queue
        journal.append(Op.PUT, 0, ++seq, "bench/append", value, 0, value.length);
        final net.openhft.chronicle.queue.impl.single.SingleChronicleQueue q = ((ChronicleSpace) space).queue();
        try (net.openhft.chronicle.queue.ExcerptTailer t = q.createTailer();
             net.openhft.chronicle.wire.DocumentContext dc = t.readingDocument()) {
            final net.openhft.chronicle.bytes.Bytes<?> b = dc.wire().bytes();
            rawRecord = new byte[(int) b.readRemaining()];
            b.read(rawRecord);
        }
        raw = q.createAppender();
    }

    /** Closes and removes the iteration's space. */
    @TearDown(Level.Iteration)
    public void close() {
        final Path dir = space.directory();
        raw.close();
        space.close();
        SpaceState.delete(dir);
    }

    /** One record appended through the calling thread's appender; returns its index. */
    @Benchmark
    public long append() {
        return journal.append(Op.PUT, 0, ++seq, "bench/append", value, 0, value.length);
    }

    /**
     * The floor under {@link #append}: Chronicle Queue's own append of as many bytes, through the same queue (same
     * roll cycle and clock), with nothing of Slate's around it: what the journal's record composition, clock and
     * checks add is the difference.
     */
    @Benchmark
    public long rawQueueAppend() {
        try (net.openhft.chronicle.wire.DocumentContext dc = raw.writingDocument()) {
            dc.wire().bytes().write(rawRecord);
        }
        return raw.lastIndexAppended();
    }
}
