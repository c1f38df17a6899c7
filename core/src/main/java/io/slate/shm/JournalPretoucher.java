package io.slate.shm;

import net.openhft.posix.PosixAPI;

import java.util.concurrent.locks.LockSupport;

/**
 * Maps the journal's next pages into this process before its appenders reach them, on a daemon thread of its own.
 *
 * <p>An append that writes into a page of the journal's cycle file no process has touched yet stops for the kernel:
 * it allocates and zeroes the page in {@code /dev/shm} and maps it, about half an append's time when appends come back
 * to back (async-profiler over {@code JournalAppendBench}: 51% of the appending thread in page faults, 27% of it
 * allocating the page). Chronicle Queue's own pretoucher is in its enterprise edition only.
 *
 * <p>Appenders publish, every {@link #STEP} bytes of progress, where they write (the thread starts once a handle has
 * appended about 4 MiB, {@link #START_AFTER_PUBLISHES}): the address in the chunk of the cycle
 * file Chronicle has mapped and how many bytes that chunk still has. This thread then asks the kernel to populate the
 * next {@link #AHEAD} bytes of that range for writing ({@code madvise(MADV_POPULATE_WRITE)}, Linux 5.14 on): it
 * allocates the pages and fills the process's page table, writing nothing. Nothing is ever written through it, so it
 * cannot touch a record, and a range that is no longer mapped (the appender moved to the next chunk, which Chronicle
 * then unmapped) only makes the call fail: no fault in the process. A kernel without the advice makes the first call
 * fail with {@code EINVAL}; the thread then ends, and appends fault as before.
 *
 * <p>Thread-safe: any appending thread of the handle publishes; one thread touches.
 */
final class JournalPretoucher implements AutoCloseable {
    /** How far ahead of the last published write position the pages are populated. */
    static final long AHEAD = 1L << 20;
    /** Appenders publish their position once per this many bytes written. */
    static final long STEP = 64L << 10;
    /**
     * The thread starts once the handle's appenders have published this many times (about 4 MiB of records): an agent
     * that writes little never pays for it, nor for the native binding it needs (jnr-ffi, which a start avoids).
     */
    static final int START_AFTER_PUBLISHES = 64;
    private static final long PAGE = 4096;
    private static final int MADV_POPULATE_WRITE = 23;
    private static final int EINVAL = 22;
    private static final long IDLE_PARK_NANOS = 10_000_000L;
    private static final long BUSY_PARK_NANOS = 1_000_000L;

    private final String name;
    /** Guarded by this: the last published position's address and the bytes left in its chunk after it. */
    private long address;
    private long left;
    private long published;
    private volatile boolean closed;
    private Thread thread;
    /** Pages populated so far (for tests), and calls that failed. */
    private volatile long populatedBytes;
    private volatile long failures;

    JournalPretoucher(final String name) {
        this.name = name;
    }

    /** {@code -Dslate.pretouch=false} turns pretouching off (appends then fault their pages in themselves). */
    static final boolean ENABLED = !"false".equals(System.getProperty("slate.pretouch"));

    /** Publishes an appender's write position: the address it writes at and the bytes its mapped chunk has after it. */
    synchronized void publish(final long writeAddress, final long bytesLeft) {
        if (closed || !ENABLED) {
            return;
        }
        address = writeAddress;
        left = bytesLeft;
        published++;
        if (thread == null && published >= START_AFTER_PUBLISHES) {
            // started by an appending thread, maybe a pinned one: it runs on the process's CPUs, not on that one
            thread = io.slate.internal.ServiceThreads.start("slate-journal-pretouch " + name, this::run);
        }
    }

    private void run() {
        try {
            touch(PosixAPI.posix());
        } catch (LinkageError | RuntimeException e) {
            // no native binding here (a platform jnr-ffi cannot load on): appends fault their pages in themselves
            failures++;
        }
    }

    private void touch(final PosixAPI posix) {
        long seen = 0;
        long doneFrom = 0;
        long doneTo = 0;
        while (!closed) {
            final long a;
            final long n;
            final long p;
            synchronized (this) {
                a = address;
                n = left;
                p = published;
            }
            if (p == seen) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            seen = p;
            if (a < doneFrom || a > doneTo) {
                doneFrom = a; // another chunk (or the first): start at the position
                doneTo = a;
            }
            final long from = doneTo + PAGE - 1 & -PAGE;
            final long end = a + Math.min(n, AHEAD) & -PAGE;
            if (from < end) {
                if (posix.madvise(from, end - from, MADV_POPULATE_WRITE) == 0) {
                    populatedBytes += end - from;
                } else {
                    failures++;
                    if (posix.lastError() == EINVAL) {
                        return; // a kernel without MADV_POPULATE_WRITE
                    }
                }
                doneTo = end;
            }
            LockSupport.parkNanos(BUSY_PARK_NANOS);
        }
    }

    /** Bytes of journal populated ahead of the appenders so far. */
    long populatedBytes() {
        return populatedBytes;
    }

    /** madvise calls that failed (a chunk unmapped meanwhile). */
    long failures() {
        return failures;
    }

    /** Whether the touching thread runs. */
    synchronized boolean running() {
        return thread != null && thread.isAlive();
    }

    @Override
    public void close() {
        final Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
