package io.slate.gateway;

import io.slate.space.Space;
import io.slate.sync.Sync;
import io.slate.tuple.TupleSpace;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection of one gateway shares: the space (the gateway is one agent of it), the handles it opened
 * (tuple spaces, sync primitives), the per-name gates that let one connection at a time hold a mutex the agent holds,
 * and the pool of threads that blocking commands wait on, so that no event-loop thread ever waits. Thread-safe.
 */
final class Shared {
    final Space space;
    final GatewayConfig config;
    final Store.Live live;
    final int maxKeyBytes;
    final int maxValueBytes;
    final int maxBulkBytes;
    final ThreadPoolExecutor blocking;
    final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    final AtomicLong clientIds = new AtomicLong();
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong commandsProcessed = new AtomicLong();
    final long startedNanos = System.nanoTime();
    private final ConcurrentHashMap<String, TupleSpace> tupleSpaces = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, java.util.concurrent.Semaphore> gates = new ConcurrentHashMap<>();
    /** Blackboard handles by name: opened, used and closed only on {@link #boardThread}. */
    private final java.util.HashMap<String, io.slate.blackboard.Blackboard> boards = new java.util.HashMap<>();
    private final java.util.concurrent.ExecutorService boardThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "slate-gateway-blackboard");
        t.setDaemon(true);
        return t;
    });
    private volatile Sync sync;

    Shared(final Space space, final GatewayConfig config) {
        this.space = space;
        this.config = config;
        this.live = new Store.Live(space.kv());
        this.maxKeyBytes = space.options().maxKeyBytes();
        this.maxValueBytes = space.options().maxValueBytes();
        this.maxBulkBytes = config.maxBulkBytes() > 0 ? config.maxBulkBytes()
                : Math.max(maxValueBytes, io.slate.tuple.Tuple.MAX_ENCODED_BYTES) + (1 << 20);
        final AtomicInteger n = new AtomicInteger();
        this.blocking = new ThreadPoolExecutor(0, config.maxBlockedClients(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            final Thread t = new Thread(r, "slate-gateway-blocked-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The tuple space of this name, opened once per gateway (opening reads the journal) and kept. */
    TupleSpace tuples(final String name) {
        final TupleSpace ts = tupleSpaces.get(name);
        if (ts != null) {
            return ts;
        }
        return tupleSpaces.computeIfAbsent(name, k -> TupleSpace.of(space, k));
    }

    Iterable<String> tupleSpaceNames() {
        return tupleSpaces.keySet();
    }

    /**
     * Runs {@code action} with the blackboard of this name (defined before by some agent), on the gateway's one
     * blackboard thread: a blackboard handle wraps a journal tailer, which must only ever be used by one thread, so every
     * handle is opened, used and closed there. Waits for the result.
     */
    <T> T withBoard(final String name, final java.util.function.Function<io.slate.blackboard.Blackboard, T> action) throws InterruptedException {
        try {
            return boardThread.submit(() -> action.apply(boards.computeIfAbsent(name, k -> io.slate.blackboard.Blackboard.of(space, k)))).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    Sync sync() {
        Sync s = sync;
        if (s == null) {
            synchronized (this) {
                s = sync;
                if (s == null) {
                    s = Sync.of(space);
                    sync = s;
                }
            }
        }
        return s;
    }

    /**
     * The gate of a mutex: a Slate mutex is held by the agent (this process), so the gateway lets one connection at a
     * time hold or try to take it; the others wait here, in the order they came.
     */
    java.util.concurrent.Semaphore gate(final String mutexName) {
        return gates.computeIfAbsent(mutexName, k -> new java.util.concurrent.Semaphore(1, true));
    }

    void close() {
        blocking.shutdownNow();
        for (TupleSpace ts : tupleSpaces.values()) {
            ts.close();
        }
        tupleSpaces.clear();
        try {
            boardThread.submit(() -> {
                for (io.slate.blackboard.Blackboard b : boards.values()) {
                    b.close();
                }
                boards.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the space's close releases what is left
        }
        boardThread.shutdownNow();
    }
}
