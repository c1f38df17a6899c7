package io.slate.gateway;

import io.slate.space.Space;
import io.slate.sync.Sync;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection of one gateway shares: the space (the gateway is one agent of it), the gateway's agent and
 * the agents of named connections ({@link Agent}: the handles opened through them), the per-name gates that let one
 * connection at a time hold a mutex, and the pool of threads that blocking commands wait on, so that no event-loop
 * thread ever waits. Thread-safe.
 */
final class Shared {
    final Space space;
    final GatewayConfig config;
    /** The gateway's own agent: connections without a name write as it. */
    final Agent gateway;
    final int maxKeyBytes;
    final int maxValueBytes;
    final int maxBulkBytes;
    final ThreadPoolExecutor blocking;
    final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    /** The reply flusher of each event loop (see {@link ReplyFlusher}). */
    private final ConcurrentHashMap<io.netty.channel.EventLoop, ReplyFlusher> flushers = new ConcurrentHashMap<>();
    final AtomicLong clientIds = new AtomicLong();
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong commandsProcessed = new AtomicLong();
    final long startedNanos = System.nanoTime();
    /** The agents of named connections, by client name; guarded by {@link #agentLock}. */
    private final java.util.HashMap<String, Agent> agents = new java.util.HashMap<>();
    private final Object agentLock = new Object();
    private boolean closed;
    /** Closes the agents of named connections once their last connection is gone (closing one may wait on the network). */
    private final java.util.concurrent.ExecutorService agentCloser = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "slate-gateway-agent-closer");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<String, java.util.concurrent.Semaphore> gates = new ConcurrentHashMap<>();
    /**
     * Blackboard handles by agent, then by blackboard name: opened (on the agent's space handle, so its posts are that
     * agent's records), used and closed only on {@link #boardThread}.
     */
    private final java.util.IdentityHashMap<Agent, java.util.HashMap<String, io.slate.blackboard.Blackboard>> boards = new java.util.IdentityHashMap<>();
    private final java.util.concurrent.ExecutorService boardThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "slate-gateway-blackboard");
        t.setDaemon(true);
        return t;
    });

    Shared(final Space space, final GatewayConfig config) {
        this.space = space;
        this.config = config;
        this.gateway = new Agent(space, false);
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

    /** The reply flusher of {@code loop}: its connections' replies are written at the end of its pass. */
    ReplyFlusher flusher(final io.netty.channel.EventLoop loop) {
        return flushers.computeIfAbsent(loop, ReplyFlusher::new);
    }

    /**
     * The agent a connection named {@code name} writes as: the agent of this gateway's other connections of that name,
     * or a new one, opened on the space with {@code name} as its agent id. When a live agent of the space (another
     * gateway's client, a JVM agent) already has that id, the agent is {@code name#connectionId}. Opening waits on the
     * space (on etcd: a connection, a lease and a registration), so callers run on a blocked-client thread. Give it back
     * with {@link #dropAgent}.
     *
     * @throws GatewayError when the name cannot be an agent id or neither id is free
     */
    Agent acquireAgent(final String name, final long connectionId) {
        final int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > io.slate.space.SpaceOptions.MAX_AGENT_ID_BYTES) {
            throw new GatewayError("ERR Slate: client name '" + name.substring(0, 16) + "...' is " + bytes + " bytes; a named connection "
                    + "writes as an agent of that name, and agent ids are at most " + io.slate.space.SpaceOptions.MAX_AGENT_ID_BYTES + " bytes");
        }
        synchronized (agentLock) {
            if (closed) {
                throw new GatewayError("ERR Slate: the gateway is closing");
            }
            Agent a = agents.get(name);
            if (a == null) {
                a = openAgent(name, connectionId);
                agents.put(name, a);
            }
            a.refs++;
            return a;
        }
    }

    private Agent openAgent(final String name, final long connectionId) {
        try {
            return new Agent(Space.open(space.options().copy().agentId(name)), true);
        } catch (IllegalStateException taken) {
            final String other = name + "#" + connectionId;
            if (other.length() <= io.slate.space.SpaceOptions.MAX_AGENT_ID_BYTES) {
                try {
                    return new Agent(Space.open(space.options().copy().agentId(other)), true);
                } catch (IllegalStateException alsoTaken) {
                    throw new GatewayError("ERR Slate: a named connection writes as an agent of its name, and agent ids '" + name + "' and '"
                            + other + "' are both in use by live agents: " + alsoTaken.getMessage());
                }
            }
            throw new GatewayError("ERR Slate: a named connection writes as an agent of its name, and agent id '" + name
                    + "' is in use by a live agent: " + taken.getMessage());
        }
    }

    /** A connection no longer writes as {@code a}: closed (it leaves the space's registry) after its last connection, off the caller's thread. */
    void dropAgent(final Agent a) {
        if (!a.owned) {
            return;
        }
        try {
            agentCloser.execute(() -> {
                synchronized (agentLock) {
                    if (closed || --a.refs > 0) {
                        return;
                    }
                    agents.values().remove(a);
                    closeBoards(a);
                    a.close();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the gateway is closing: close() closes every agent
        }
    }

    /**
     * Runs {@code action} with agent {@code a}'s handle on the blackboard of this name (defined before by some agent), on
     * the gateway's one blackboard thread: a blackboard handle wraps a journal tailer, which must only ever be used by one
     * thread, so every handle is opened, used and closed there. The handle is opened on the agent's space handle, so what
     * it writes is that agent's (the entry's author). Waits for the result. The caller keeps {@code a} acquired meanwhile.
     */
    <T> T withBoard(final Agent a, final String name, final java.util.function.Function<io.slate.blackboard.Blackboard, T> action)
            throws InterruptedException {
        try {
            return boardThread.submit(() -> action.apply(boards.computeIfAbsent(a, k -> new java.util.HashMap<>())
                    .computeIfAbsent(name, k -> io.slate.blackboard.Blackboard.of(a.space, k)))).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Closes agent {@code a}'s blackboard handles on the blackboard thread (waiting, bounded), before its space handle
     * closes under them. Never called from the blackboard thread.
     */
    private void closeBoards(final Agent a) {
        try {
            boardThread.submit(() -> {
                final java.util.HashMap<String, io.slate.blackboard.Blackboard> mine = boards.remove(a);
                if (mine != null) {
                    for (io.slate.blackboard.Blackboard b : mine.values()) {
                        b.close();
                    }
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the space handle's close releases what is left
        }
    }

    /** The agents writing through this gateway now: the gateway's own, then those of named connections by name. */
    java.util.List<Agent> agents() {
        final java.util.List<Agent> all = new java.util.ArrayList<>();
        all.add(gateway);
        synchronized (agentLock) {
            final java.util.TreeMap<String, Agent> byName = new java.util.TreeMap<>(agents);
            all.addAll(byName.values());
        }
        return all;
    }

    Sync sync() {
        return gateway.sync();
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
        agentCloser.shutdown();
        try {
            agentCloser.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (agentLock) {
            closed = true;
            for (Agent a : agents.values()) {
                closeBoards(a);
                try {
                    a.close();
                } catch (RuntimeException e) {
                    // the process is going; the space gives back what a dead agent held
                }
            }
            agents.clear();
        }
        gateway.close();
        try {
            boardThread.submit(() -> {
                for (java.util.HashMap<String, io.slate.blackboard.Blackboard> mine : boards.values()) {
                    for (io.slate.blackboard.Blackboard b : mine.values()) {
                        b.close();
                    }
                }
                boards.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the space's close releases what is left
        }
        boardThread.shutdownNow();
    }
}
