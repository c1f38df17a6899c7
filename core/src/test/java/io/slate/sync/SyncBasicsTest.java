package io.slate.sync;

import io.slate.shm.sync.SyncDescriptor;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.CorruptSpaceException;
import io.slate.space.IncompatibleFormatException;
import io.slate.space.Space;
import io.slate.space.SpaceFullException;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primitives within one JVM, with two agents (two handles on one space, as two processes would have): ownership,
 * tokens, recovery from a closed agent, bad inputs, journaling, a damaged sync file.
 */
class SyncBasicsTest {
    private static final long WAIT_SECONDS = 30;

    private Path dir;
    private final List<Space> spaces = new ArrayList<>();
    private ExecutorService threads;

    @BeforeEach
    void setUp() {
        dir = TestSpaces.newDirectory("sync");
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        spaces.forEach(Space::close);
        TestSpaces.delete(dir);
    }

    private Space agent(final String id) {
        final Space s = Space.open(SpaceOptions.at(dir).agentId(id));
        spaces.add(s);
        return s;
    }

    @Test
    void mutexIsOwnedByTheAgentWithIncreasingTokens() {
        final Mutex a = Sync.of(agent("a")).mutex("m");
        final Mutex b = Sync.of(agent("b")).mutex("m");
        assertEquals(0, a.lastToken());
        assertNull(a.owner());
        final long t1 = a.lock();
        assertEquals(1, t1);
        assertTrue(a.isHeldByCurrentAgent());
        assertFalse(b.isHeldByCurrentAgent());
        assertEquals("a", b.owner().agentId());
        assertEquals(ProcessHandle.current().pid(), b.owner().pid());
        assertTrue(b.owner().isAlive());
        assertEquals(Mutex.TIMED_OUT, b.tryLock(0, TimeUnit.SECONDS));
        assertEquals(Mutex.TIMED_OUT, b.tryLock(50, TimeUnit.MILLISECONDS));
        final IllegalMonitorStateException notOwner = assertThrows(IllegalMonitorStateException.class, b::unlock);
        assertTrue(notOwner.getMessage().contains("mutex 'm' is held by agent 'a'") && notOwner.getMessage().contains("not by this agent 'b'"),
                notOwner.getMessage());
        a.unlock();
        final long t2 = b.tryLock(1, TimeUnit.SECONDS);
        assertTrue(t2 > t1);
        assertEquals("b", a.owner().agentId());
        assertThrows(IllegalMonitorStateException.class, a::unlock);
        b.unlock();
        final IllegalMonitorStateException free = assertThrows(IllegalMonitorStateException.class, a::unlock);
        assertTrue(free.getMessage().contains("mutex 'm' is not locked"), free.getMessage());
        assertEquals(t2 + 1, a.lock());
        a.unlock();
        assertEquals(0, a.lastRecoveredToken());
        assertSame(a, Sync.of(spaces.get(0)).mutex("m"), "handles are cached per space handle");
    }

    @Test
    void notReentrantButOtherThreadsOfTheAgentWaitAndMayUnlock() throws Exception {
        final Mutex m = Sync.of(agent("a")).mutex("m");
        final long t = m.lock();
        final IllegalStateException self = assertThrows(IllegalStateException.class, m::lock);
        assertTrue(self.getMessage().contains("not re-entrant"), self.getMessage());
        assertThrows(IllegalStateException.class, () -> m.tryLock(1, TimeUnit.SECONDS));
        // another thread of the same agent: waits (no exception), times out while we hold it
        assertEquals(Mutex.TIMED_OUT, threads.submit(() -> m.tryLock(50, TimeUnit.MILLISECONDS)).get(WAIT_SECONDS, TimeUnit.SECONDS));
        final Future<Long> waiter = threads.submit(() -> m.tryLock(WAIT_SECONDS, TimeUnit.SECONDS));
        Thread.sleep(100);
        assertFalse(waiter.isDone(), "the other thread waits while this one holds the mutex");
        m.unlock();
        final long t2 = waiter.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(t + 1, t2);
        assertTrue(m.isHeldByCurrentAgent());
        m.unlock(); // the agent owns it, not the thread: this thread may release what the other acquired
        assertFalse(m.isHeldByCurrentAgent());
    }

    @Test
    void mutualExclusionAcrossAgentsAndThreads() throws Exception {
        final Mutex[] ms = {Sync.of(agent("a")).mutex("m"), Sync.of(agent("b")).mutex("m")};
        final int perThread = 5_000;
        final long[] plain = new long[1];
        final List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            final Mutex m = ms[i % 2];
            fs.add(threads.submit(() -> {
                long lastToken = 0;
                for (int k = 0; k < perThread; k++) {
                    final long token = m.tryLock(WAIT_SECONDS, TimeUnit.SECONDS);
                    assertTrue(token > lastToken, "tokens increase: " + lastToken + " then " + token);
                    lastToken = token;
                    plain[0]++; // not atomic, not volatile: the mutex's acquire and release order it
                    m.unlock();
                }
                return lastToken;
            }));
        }
        for (Future<Long> f : fs) {
            f.get(WAIT_SECONDS * 4, TimeUnit.SECONDS);
        }
        assertEquals(4L * perThread, plain[0]);
        assertEquals(4L * perThread, ms[0].lastToken());
    }

    @Test
    void closedAgentsMutexAndPermitsGoToTheNextWaiter() {
        final Space spaceA = agent("a");
        final Sync a = Sync.of(spaceA);
        final Sync b = Sync.of(agent("b"));
        final long t1 = a.mutex("m", Journaling.ON).lock();
        a.semaphore("s", 3).acquire(2);
        spaceA.close(); // like dying while holding them
        assertThrows(IllegalStateException.class, () -> a.mutex("m").unlock(), "a closed space's handles refuse");
        assertFalse(b.mutex("m").owner().isAlive());
        final long t2 = b.mutex("m").tryLock(0, TimeUnit.SECONDS); // a zero timeout also takes over from a dead owner
        assertTrue(t2 > t1);
        assertEquals(t2, b.mutex("m").lastRecoveredToken());
        assertTrue(b.semaphore("s", 3).tryAcquire(3, WAIT_SECONDS, TimeUnit.SECONDS));
        b.semaphore("s", 3).release(3);
        b.mutex("m").unlock();
        assertEquals(t2 + 1, b.mutex("m").lock());
        assertEquals(t2, b.mutex("m").lastRecoveredToken(), "a normal acquisition is not a recovery");
        b.mutex("m").unlock();
    }

    @Test
    void closingTheSpaceEndsAWaitWithAClearError() throws Exception {
        final Mutex held = Sync.of(agent("a")).mutex("m");
        held.lock();
        final Space spaceB = agent("b");
        final Mutex waiting = Sync.of(spaceB).mutex("m");
        final Future<Long> waiter = threads.submit(waiting::lock);
        Thread.sleep(50);
        assertFalse(waiter.isDone());
        spaceB.close();
        final java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> waiter.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException && e.getCause().getMessage().contains("closed"), e.getCause()::toString);
        assertTrue(held.isHeldByCurrentAgent(), "the holder was not disturbed");
        held.unlock();
    }

    @Test
    void semaphoreCountsPermitsPerAgent() {
        final Semaphore a = Sync.of(agent("a")).semaphore("s", 3);
        final Semaphore b = Sync.of(agent("b")).semaphore("s", 3);
        assertEquals(3, a.permits());
        a.acquire(2);
        assertEquals(1, b.availablePermits());
        assertEquals(2, a.heldByCurrentAgent());
        assertEquals(0, b.heldByCurrentAgent());
        assertFalse(b.tryAcquire(2, 0, TimeUnit.SECONDS));
        assertFalse(b.tryAcquire(2, 20, TimeUnit.MILLISECONDS));
        assertTrue(b.tryAcquire(1, 0, TimeUnit.SECONDS));
        assertEquals(0, a.availablePermits());
        assertEquals(2, a.holders().size());
        final IllegalMonitorStateException tooMany = assertThrows(IllegalMonitorStateException.class, () -> b.release(2));
        assertTrue(tooMany.getMessage().contains("holds 1 permit, cannot release 2"), tooMany.getMessage());
        b.release();
        assertThrows(IllegalMonitorStateException.class, b::release);
        a.release(1);
        a.acquire();
        assertEquals(2, a.heldByCurrentAgent());
        a.release(2);
        assertEquals(3, b.availablePermits());
        assertTrue(a.holders().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> a.acquire(4), "more than the semaphore has");
        assertThrows(IllegalArgumentException.class, () -> a.acquire(0));
        assertThrows(IllegalArgumentException.class, () -> a.release(-1));
        assertThrows(IllegalArgumentException.class, () -> a.tryAcquire(-1, 1, TimeUnit.SECONDS));
        assertEquals(Semaphore.MAX_HOLDERS, SyncDescriptor.HOLDERS);
    }

    @Test
    void aFullHolderTableMakesTheNextAgentWaitEvenWithPermitsFree() {
        final List<Semaphore> holders = new ArrayList<>();
        for (int i = 0; i < Semaphore.MAX_HOLDERS; i++) {
            final Semaphore s = Sync.of(agent("h" + i)).semaphore("wide", 30);
            assertTrue(s.tryAcquire(1, 0, TimeUnit.SECONDS));
            holders.add(s);
        }
        final Semaphore late = Sync.of(agent("late")).semaphore("wide", 30);
        assertEquals(10, late.availablePermits());
        assertFalse(late.tryAcquire(1, 20, TimeUnit.MILLISECONDS), "no holder entry left for a 21st agent");
        holders.get(7).release();
        assertTrue(late.tryAcquire(1, 0, TimeUnit.SECONDS), "the freed entry is taken");
        assertEquals(1, late.heldByCurrentAgent());
        assertEquals(Semaphore.MAX_HOLDERS, late.holders().size());
    }

    @Test
    void counterLatchAndBarrier() throws Exception {
        final Sync a = Sync.of(agent("a"));
        final Sync b = Sync.of(agent("b"));
        final AtomicCounter c = a.counter("c");
        assertEquals(0, c.get());
        assertEquals(5, c.add(5));
        assertEquals(2, b.counter("c").add(-3));
        assertTrue(b.counter("c").compareAndSet(2, 40));
        assertFalse(c.compareAndSet(2, 41));
        assertEquals(40, c.get());

        final CountDownLatch la = a.latch("l", 2);
        assertEquals(2, la.initialCount());
        assertFalse(la.await(0, TimeUnit.SECONDS));
        final Future<Boolean> waiter = threads.submit(() -> b.latch("l", 2).await(WAIT_SECONDS, TimeUnit.SECONDS));
        b.latch("l", 2).countDown();
        assertFalse(la.await(20, TimeUnit.MILLISECONDS));
        la.countDown();
        assertTrue(waiter.get(WAIT_SECONDS, TimeUnit.SECONDS));
        la.countDown();
        assertEquals(0, la.getCount(), "never below zero");
        la.await();
        assertTrue(a.latch("zero", 0).await(0, TimeUnit.SECONDS));

        final int parties = 3;
        final int generations = 4;
        final List<Future<int[]>> fs = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            final Barrier barrier = (p == 0 ? a : b).barrier("b", parties);
            fs.add(threads.submit(() -> {
                final int[] idx = new int[generations];
                for (int g = 0; g < generations; g++) {
                    idx[g] = barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
                }
                return idx;
            }));
        }
        final int[][] got = new int[parties][];
        for (int p = 0; p < parties; p++) {
            got[p] = fs.get(p).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        for (int g = 0; g < generations; g++) {
            final List<Integer> idx = new ArrayList<>();
            for (int p = 0; p < parties; p++) {
                idx.add(got[p][g]);
            }
            idx.sort(null);
            assertEquals(List.of(0, 1, 2), idx, "arrival indices of generation " + g);
        }
        assertEquals(generations, a.barrier("b", parties).generation());

        final Barrier two = a.barrier("two", 2);
        assertEquals(Barrier.TIMED_OUT, two.await(30, TimeUnit.MILLISECONDS));
        assertEquals(0, two.arrived(), "a timed-out party withdraws");
        assertEquals(0, two.generation());
        assertEquals(0, a.barrier("one", 1).await(), "a single party trips it alone");
    }

    @Test
    void badInputsGetClearErrors() {
        final Space space = agent("a");
        final Sync sync = Sync.of(space);
        assertEquals("sync primitive name must not be empty", assertThrows(IllegalArgumentException.class, () -> sync.mutex("")).getMessage());
        final String tooLong = "é".repeat(33);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sync.mutex(tooLong)).getMessage().contains("66 UTF-8 bytes, at most 64"));
        assertEquals("é".repeat(32), sync.mutex("é".repeat(32)).name(), "64 bytes is allowed");
        assertThrows(IllegalArgumentException.class, () -> sync.counter("bad \ud800 surrogate"));
        assertThrows(NullPointerException.class, () -> sync.mutex(null));

        sync.mutex("x");
        final IllegalArgumentException clash = assertThrows(IllegalArgumentException.class, () -> sync.semaphore("x", 2));
        assertTrue(clash.getMessage().contains("'x'") && clash.getMessage().contains("is a mutex, not a semaphore"), clash.getMessage());
        // another agent, which has nothing cached, is refused too
        final Sync other = Sync.of(agent("b"));
        assertThrows(IllegalArgumentException.class, () -> other.counter("x"));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> sync.semaphore("s", 0)).getMessage().contains("at least 1 permit"));
        assertThrows(IllegalArgumentException.class, () -> sync.semaphore("s", -2));
        sync.semaphore("s", 2);
        final IllegalArgumentException permits = assertThrows(IllegalArgumentException.class, () -> other.semaphore("s", 5));
        assertTrue(permits.getMessage().contains("exists with 2 permits; asked for 5"), permits.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sync.barrier("b", 0)).getMessage().contains("at least 1 party"));
        assertThrows(IllegalArgumentException.class, () -> sync.latch("l", -1));
        sync.latch("l", 2);
        assertThrows(IllegalArgumentException.class, () -> sync.latch("l", 3));

        assertThrows(IllegalArgumentException.class, () -> sync.mutex("m").tryLock(-1, TimeUnit.MILLISECONDS));
        assertThrows(IllegalArgumentException.class, () -> sync.latch("l", 2).await(-1, TimeUnit.MILLISECONDS));
        assertThrows(IllegalArgumentException.class, () -> sync.barrier("b", 2).await(0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> sync.barrier("b", 2).await(-5, TimeUnit.SECONDS));

        final Space fake = (Space) Proxy.newProxyInstance(Space.class.getClassLoader(), new Class<?>[] {Space.class}, (p, m, args) -> null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sync.of(fake)).getMessage().contains("Space.open"));
        space.close();
        assertThrows(IllegalStateException.class, () -> Sync.of(space));
        assertThrows(IllegalStateException.class, () -> sync.mutex("x"));
        assertThrows(IllegalStateException.class, () -> sync.counter("c0"));
    }

    @Test
    void journalingRecordsEventsOnlyWhenOn() {
        final Space space = agent("a");
        final Sync sync = Sync.of(space);
        final Mutex quiet = sync.mutex("quiet");
        quiet.lock();
        quiet.unlock();
        final Mutex loud = sync.mutex("loud", Journaling.ON);
        final long t = loud.lock();
        loud.unlock();
        final Semaphore s = sync.semaphore("s", 2, Journaling.ON);
        s.acquire(2);
        s.release(2);
        sync.counter("c", Journaling.ON).add(7);
        sync.latch("l", 1, Journaling.ON).countDown();
        sync.barrier("b", 1, Journaling.ON).await();
        sync.mutex("loud", Journaling.OFF).lock(); // switched off: not journaled
        loud.unlock();
        assertTrue(sync.primitives().stream().filter(p -> p.name().equals("s")).findFirst().orElseThrow().journaling());

        final List<String> records = new ArrayList<>();
        try (Tailer tailer = space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = tailer.next(0, TimeUnit.MILLISECONDS)) != null) {
                records.add(r.op().label() + " " + r.key() + "@" + r.version() + " " + r.agent() + " " + r.valueAsString());
            }
        }
        assertEquals(List.of("lock loud@" + t + " a ", "unlock loud@" + t + " a ", "sem-acquire s@2 a ", "sem-release s@2 a ",
                "counter-add c@7 a 7", "latch-count-down l@0 a ", "barrier-trip b@1 a "), records);
        assertTrue(space.journal().verify().ok(), "sync records do not disturb verify");
    }

    @Test
    void listsPrimitivesWithHolders() {
        final Sync a = Sync.of(agent("a"));
        final Sync b = Sync.of(agent("b"));
        a.mutex("m").lock();
        b.semaphore("s", 3).acquire(2);
        a.counter("c").add(9);
        a.latch("l", 4).countDown();
        a.barrier("b", 2);
        final List<PrimitiveInfo> list = b.primitives();
        assertEquals(List.of("m", "s", "c", "l", "b"), list.stream().map(PrimitiveInfo::name).collect(java.util.stream.Collectors.toList()));
        final PrimitiveInfo m = list.get(0);
        assertEquals(PrimitiveInfo.Kind.MUTEX, m.kind());
        assertEquals(1, m.value());
        assertEquals(1, m.lastToken());
        assertEquals("a", m.holders().get(0).agentId());
        final PrimitiveInfo s = list.get(1);
        assertEquals(3, s.parameter());
        assertEquals(1, s.value());
        assertEquals("b", s.holders().get(0).agentId());
        assertEquals(2, s.holders().get(0).permits());
        assertEquals(9, list.get(2).value());
        assertEquals(3, list.get(3).value());
        assertEquals(2, list.get(4).parameter());
        a.mutex("m").unlock();
        b.semaphore("s", 3).release(2);
    }

    @Test
    void damagedSyncFileIsRefusedNotMapped() throws Exception {
        final Path file = dir.resolve(SyncDescriptor.FILE_NAME);
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("maker"))) {
            Sync.of(s).counter("c").add(1);
        }
        final long length = Files.size(file);
        final byte[] original = Files.readAllBytes(file);

        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length - 4096);
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("reader"))) {
            final CorruptSpaceException e = assertThrows(CorruptSpaceException.class, () -> Sync.of(s));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        }

        Files.write(file, original);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(SyncDescriptor.MAGIC_OFFSET);
            raf.write(new byte[] {'N', 'O', 'T', 'S', 'Y', 'N', 'C', '!'});
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("reader"))) {
            assertTrue(assertThrows(CorruptSpaceException.class, () -> Sync.of(s)).getMessage().contains("bad magic"));
        }

        Files.write(file, original);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(SyncDescriptor.FORMAT_MAJOR_OFFSET);
            raf.write(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}); // major 2, minor 0
        }
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("reader"))) {
            assertTrue(assertThrows(IncompatibleFormatException.class, () -> Sync.of(s)).getMessage().contains("sync file format 2.0"));
        }

        Files.write(file, original);
        try (Space s = Space.open(SpaceOptions.at(dir).agentId("reader"))) {
            assertEquals(1, Sync.of(s).counter("c").get(), "the restored file opens with its state");
        }
    }

    @Test
    void slotsRunOutWithAClearError() {
        final Sync sync = Sync.of(agent("a"));
        for (int i = 0; i < Sync.MAX_PRIMITIVES; i++) {
            sync.counter("c" + i);
        }
        final SpaceFullException e = assertThrows(SpaceFullException.class, () -> sync.counter("one-too-many"));
        assertTrue(e.getMessage().contains("all 1024 sync primitive slots are in use"), e.getMessage());
        assertNotNull(sync.counter("c1023"), "existing ones are still found");
    }
}
