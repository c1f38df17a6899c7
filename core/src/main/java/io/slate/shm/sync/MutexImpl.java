package io.slate.shm.sync;

import io.slate.journal.Op;
import io.slate.sync.Holder;
import io.slate.sync.Mutex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A mutex on one slot of {@code sync.slate}: the slot's state word is the owner word of the agent holding it (0 when
 * free), the token word is the last fencing token handed out.
 *
 * <p>Acquire: compare-and-set the state word from 0 to this agent's owner word (or, waiting, from a dead owner's
 * exact word, see {@link OwnerLock}); then, as owner, read the token word, add one and store it with a release
 * store. Only the owner writes the token word, and the compare-and-set that made it owner comes after the previous
 * owner's token store (that owner released with a compare-and-set after storing it, or is dead and its stores are
 * all visible), so tokens handed out strictly increase. An owner killed between its compare-and-set and its token
 * store handed out no token: the next owner continues from the last one stored.
 *
 * <p>Release: compare-and-set from our owner word to 0 (it fails only if we were taken for dead: the space was closed
 * under us). With journaling on, the acquisition record is appended right after acquiring and the release record
 * right before releasing, so one mutex's records appear in the journal in token order.
 */
final class MutexImpl extends Primitive implements Mutex {
    private static final VarHandle HOLDER_THREAD;

    static {
        try {
            HOLDER_THREAD = MethodHandles.lookup().findVarHandle(MutexImpl.class, "holderThread", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int lockOffset;
    private final int tokenOffset;
    private final int recoveredOffset;
    private final long me;
    private final OwnerLock lock;
    /** The thread of this agent that acquired the mutex last, for self-deadlock detection only. */
    @SuppressWarnings("unused") // accessed through HOLDER_THREAD
    private Thread holderThread;

    MutexImpl(final ShmSync sync, final String name, final int slotOffset) {
        super(sync, name, slotOffset, SyncDescriptor.KIND_MUTEX, 0);
        this.lockOffset = slotOffset + SyncDescriptor.STATE_OFFSET;
        this.tokenOffset = slotOffset + SyncDescriptor.TOKEN_OFFSET;
        this.recoveredOffset = slotOffset + SyncDescriptor.RECOVERED_TOKEN_OFFSET;
        this.me = sync.ownerWord();
        this.lock = new OwnerLock(sync, lockOffset);
    }

    @Override
    public long lock() {
        sync.ensureOpen();
        if (lock.tryFast()) {
            return acquired(0);
        }
        checkSelfDeadlock();
        return acquired(lock.acquire(OwnerLock.FOREVER));
    }

    @Override
    public long tryLock(final long timeout, final TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (timeout < 0) {
            throw new IllegalArgumentException("tryLock timeout must be >= 0, got " + timeout + " " + unit);
        }
        sync.ensureOpen();
        if (lock.tryFast()) {
            return acquired(0);
        }
        checkSelfDeadlock();
        final long r = lock.acquire(Math.min(unit.toNanos(timeout), OwnerLock.FOREVER - 1));
        if (r == OwnerLock.TIMED_OUT) {
            return TIMED_OUT;
        }
        if (r == OwnerLock.INTERRUPTED) {
            return INTERRUPTED;
        }
        return acquired(r);
    }

    /** Hands out the next token; {@code deadOwner} is the word taken over, or 0. */
    private long acquired(final long deadOwner) {
        // plain read: only the owner writes the token, and our CAS ordered us after the previous owner's store
        final long token = buffer.getLong(tokenOffset) + 1;
        buffer.putLongOrdered(tokenOffset, token);
        if (deadOwner != 0) {
            buffer.putLongOrdered(recoveredOffset, token);
        }
        HOLDER_THREAD.setRelease(this, Thread.currentThread());
        if (sync.journaling(slotOffset)) {
            try {
                if (deadOwner != 0) {
                    sync.journalRecovery(Op.LOCK_RECOVERED, token, name, deadOwner);
                } else {
                    sync.journal(Op.LOCK, token, name);
                }
            } catch (RuntimeException | Error e) {
                // the caller gets no token, so it would never unlock: do not keep the mutex
                HOLDER_THREAD.setRelease(this, null);
                buffer.compareAndSetLong(lockOffset, me, 0);
                throw e;
            }
        }
        return token;
    }

    /** The thread that acquired the mutex asking again while this agent still holds it would wait for itself forever. */
    private void checkSelfDeadlock() {
        if (HOLDER_THREAD.getAcquire(this) == Thread.currentThread() && buffer.getLongVolatile(lockOffset) == me) {
            throw new IllegalStateException("mutex '" + name + "' is already held by this thread (agent '" + sync.space().agentId()
                    + "'): a Mutex is not re-entrant; unlock it before locking again");
        }
    }

    @Override
    public void unlock() {
        sync.ensureOpen();
        final long w = buffer.getLongVolatile(lockOffset);
        if (w != me) {
            throw notOwner(w);
        }
        RuntimeException journalFailure = null;
        if (sync.journaling(slotOffset)) {
            try {
                sync.journal(Op.UNLOCK, buffer.getLong(tokenOffset), name); // before releasing: records stay in token order
            } catch (RuntimeException e) {
                journalFailure = e; // release anyway, then report it
            }
        }
        HOLDER_THREAD.setRelease(this, null);
        if (!buffer.compareAndSetLong(lockOffset, me, 0)) { // release (full fence): the next owner sees our writes
            throw notOwner(buffer.getLongVolatile(lockOffset));
        }
        if (journalFailure != null) {
            throw journalFailure;
        }
    }

    private IllegalMonitorStateException notOwner(final long w) {
        final String self = "this agent '" + sync.space().agentId() + "'";
        if (w == 0) {
            return new IllegalMonitorStateException("mutex '" + name + "' is not locked, so " + self + " cannot unlock it");
        }
        return new IllegalMonitorStateException("mutex '" + name + "' is held by " + sync.describe(w) + ", not by " + self);
    }

    @Override
    public boolean isHeldByCurrentAgent() {
        return buffer.getLongVolatile(lockOffset) == me;
    }

    @Override
    public Holder owner() {
        final long w = buffer.getLongVolatile(lockOffset);
        return w == 0 ? null : sync.holder(w, 1);
    }

    @Override
    public long lastToken() {
        return buffer.getLongVolatile(tokenOffset);
    }

    @Override
    public long lastRecoveredToken() {
        return buffer.getLongVolatile(recoveredOffset);
    }

    @Override
    public String toString() {
        return "Mutex{" + name + ", token=" + lastToken() + '}';
    }
}
