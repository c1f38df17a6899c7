package io.slate.shm;

import io.slate.internal.Clock;
import net.openhft.chronicle.core.time.TimeProvider;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The journal queue's clock, so that an append reads the time once: Chronicle Queue reads it under the queue's write
 * lock to choose the cycle of every document it writes, and the appending thread takes that same reading as its
 * record's timestamp ({@link #stampFor}), where it used to read the clock again before taking the lock.
 *
 * <p>The reading is {@link Clock#nanos()}. Chronicle gets it in milliseconds as long as it lies more than
 * {@link #MARGIN_MILLIS} from a roll: {@code Clock} stays within a millisecond of the wall clock, so the cycle is the
 * one {@link System#currentTimeMillis()} gives. Closer to a roll Chronicle gets the wall clock itself, as it would
 * without this class: every process then agrees on the cycle in the order they take the lock, so no process appends
 * to a cycle after another has rolled past it. (A wall clock stepped by NTP is followed within a millisecond, like
 * {@code Clock}; within that millisecond a step across a roll is seen as Chronicle would see any step.)
 *
 * <p>Any thread of the process may ask (a tailer looking for the next cycle, an appender of another thread): the last
 * reading is kept with the thread that took it, and an appender takes it as its timestamp only when it is its own,
 * checked before and after reading it, otherwise it reads {@code Clock} again. Thread-safe; allocation-free.
 */
final class JournalClock implements TimeProvider {
    /** How close to a roll, in milliseconds, the wall clock chooses the cycle rather than {@link Clock}. */
    static final long MARGIN_MILLIS = 2;
    private static final long MILLI = 1_000_000L;
    private static final VarHandle READ_BY;
    private static final VarHandle READING;

    static {
        try {
            final MethodHandles.Lookup l = MethodHandles.lookup();
            READ_BY = l.findVarHandle(JournalClock.class, "readBy", Thread.class);
            READING = l.findVarHandle(JournalClock.class, "reading", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long epochMillis;
    private final long cycleMillis;
    /** Start, in epoch milliseconds, of the cycle the last reading was in (one field: read and written whole). */
    private volatile long cycleStart = Long.MIN_VALUE / 2;
    /** The thread that took {@link #reading}. */
    @SuppressWarnings("unused")
    private Thread readBy;
    @SuppressWarnings("unused")
    private long reading;

    JournalClock(final long epochMillis, final long cycleMillis) {
        if (cycleMillis <= 2 * MARGIN_MILLIS) {
            throw new IllegalArgumentException("cycle of " + cycleMillis + " ms is too short for the journal's clock");
        }
        this.epochMillis = epochMillis;
        this.cycleMillis = cycleMillis;
    }

    @Override
    public long currentTimeMillis() {
        final long n = Clock.nanos();
        READ_BY.setOpaque(this, Thread.currentThread());
        READING.setRelease(this, n); // after readBy: whoever sees this reading sees who took it
        final long ms = n / MILLI;
        final long intoCycle = ms - cycleStart;
        if (intoCycle >= MARGIN_MILLIS && intoCycle < cycleMillis - MARGIN_MILLIS) {
            return ms;
        }
        return nearRoll();
    }

    /** Near a roll (or in a cycle not seen yet): the wall clock's time, as Chronicle reads it by default. */
    private long nearRoll() {
        final long wall = System.currentTimeMillis();
        cycleStart = epochMillis + Math.floorDiv(wall - epochMillis, cycleMillis) * cycleMillis;
        return wall;
    }

    @Override
    public long currentTimeMicros() {
        return Clock.nanos() / 1_000L;
    }

    @Override
    public long currentTimeNanos() {
        return Clock.nanos();
    }

    /** Forgets the last reading, so that {@link #stampFor} cannot take one from before the caller's next append. */
    void forget() {
        READ_BY.setOpaque(this, null);
    }

    /**
     * The timestamp of an append by {@code self} (the current thread), called once Chronicle has chosen the
     * document's cycle: Chronicle's reading when {@code self} took it and nobody has read since, otherwise
     * {@link Clock#nanos()}.
     */
    long stampFor(final Thread self) {
        if (READ_BY.getAcquire(this) == self) {
            final long n = (long) READING.getAcquire(this);
            // a reading by another thread was published after its readBy: seeing it means seeing that thread here
            if (READ_BY.getAcquire(this) == self) {
                return n;
            }
        }
        return Clock.nanos();
    }
}
