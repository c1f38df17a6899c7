package io.slate.contract;

import io.slate.space.Space;
import io.slate.sync.AtomicCounter;
import io.slate.sync.Mutex;
import io.slate.sync.Semaphore;
import io.slate.sync.Sync;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sync primitives on any backend: exclusion, fencing tokens that only grow, and a dead owner's mutex taken over. */
public abstract class SyncContract extends ContractBase {
    @Test
    void fencingTokensStrictlyIncrease() {
        final Mutex m = Sync.of(open("a")).mutex("m");
        long last = 0;
        for (int i = 0; i < 20; i++) {
            final long token = m.lock();
            assertTrue(token > last, "token " + token + " after " + last);
            last = token;
            m.unlock();
        }
    }

    @Test
    void aHeldMutexExcludesOthersAndADeadOwnersIsTakenOver() throws Exception {
        final Mutex m = Sync.of(open("survivor")).mutex("drone");
        final ChildJvm holder = agent("lock-and-hold", "drone");
        final long held = Long.parseLong(expect(holder, "token"));
        assertEquals(Mutex.TIMED_OUT, m.tryLock(200, TimeUnit.MILLISECONDS), "a live holder is never robbed");
        holder.kill();
        final long token = m.tryLock(30, TimeUnit.SECONDS);
        assertTrue(token > held, "taken over with a higher token: " + token + " after " + held);
        m.unlock();
    }

    @Test
    void semaphoresAndCountersHoldTheirCounts() {
        final Sync sync = Sync.of(open("a"));
        final Semaphore sem = sync.semaphore("uplink", 2);
        assertTrue(sem.tryAcquire(1, 0, TimeUnit.MILLISECONDS));
        assertTrue(sem.tryAcquire(1, 0, TimeUnit.MILLISECONDS));
        assertTrue(!sem.tryAcquire(1, 0, TimeUnit.MILLISECONDS), "no third permit");
        sem.release(2);
        final AtomicCounter c = sync.counter("c");
        assertEquals(5, c.add(5));
        assertEquals(3, c.add(-2));
        assertEquals(3, c.get());
    }
}
