package io.slate.bench;

import io.slate.sync.AtomicCounter;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the sync primitives through the public API, uncontended, in one process: a mutex's {@code lock()} +
 * {@code unlock()} (two compare-and-sets on {@code sync.slate} plus the token's load and release store), a counter's
 * {@code add}, a semaphore's {@code acquire()} + {@code release()}. {@link #casPairBaseline()} is the floor measured in
 * the same run: two compare-and-sets on a direct buffer. Journaling is off (the default); none of them should
 * allocate.
 *
 * <p>Contended handoff between two JVMs (JMH cannot place the waiter in another process) is the {@code slate-mutex}
 * case of the cross-process harness, {@link io.slate.bench.ipc.IpcBench}: {@code scripts/bench-ipc.sh --only slate-mutex}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SyncBench {
    private Mutex mutex;
    private AtomicCounter counter;
    private Semaphore semaphore;
    private UnsafeBuffer baseline;

    /** Makes this thread's primitives in the trial's space. */
    @Setup(Level.Trial)
    public void setUp(final SpaceState state) {
        final Sync sync = Sync.of(state.space());
        final String thread = Long.toString(Thread.currentThread().getId());
        mutex = sync.mutex("bench-mutex-" + thread);
        counter = sync.counter("bench-counter-" + thread);
        semaphore = sync.semaphore("bench-semaphore-" + thread, 4);
        baseline = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    }

    /** {@link Mutex#lock()} then {@link Mutex#unlock()}, nobody else wanting it; returns the fencing token. */
    @Benchmark
    public long lockUnlock() {
        final long token = mutex.lock();
        mutex.unlock();
        return token;
    }

    /** {@link AtomicCounter#add(long)}: one atomic add on shared memory. */
    @Benchmark
    public long counterAdd() {
        return counter.add(1);
    }

    /** {@link Semaphore#acquire()} then {@link Semaphore#release()}: the guard taken twice, the holder table scanned twice. */
    @Benchmark
    public int semaphoreAcquireRelease() {
        semaphore.acquire();
        semaphore.release();
        return semaphore.permits();
    }

    /** Floor: compare-and-set 0 to 1 and back on a direct buffer, what lock + unlock cannot beat. */
    @Benchmark
    public boolean casPairBaseline() {
        return baseline.compareAndSetLong(0, 0, 1) & baseline.compareAndSetLong(0, 1, 0);
    }
}
