package io.slate.gateway;

import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.sync.Sync;
import io.slate.tuple.TupleSpace;

import java.util.concurrent.ConcurrentHashMap;

/**
 * An agent of the space that connections write as: its space handle (whose agent id every record it writes
 * names), the key/value store over it, and the tuple spaces and sync primitives opened through it.
 *
 * <p>The gateway's own agent serves every connection that has no name. A connection named with {@code CLIENT SETNAME}
 * or {@code HELLO ... SETNAME} gets an agent of its own, opened by {@link Shared#acquireAgent} with the name as its
 * agent id and shared by the connections of this gateway that have that name; it is closed (and leaves the space's
 * registry) when the last of them closes, and dies with the gateway's process. Thread-safe.
 */
final class Agent {
    final String id;
    final Space space;
    final KeyValue kv;
    final Store.Live live;
    /** Opened for connections (closed when {@link #refs} drops to 0); false for the gateway's own agent. */
    final boolean owned;
    /** Connections using this agent; guarded by the {@link Shared}'s agent lock. */
    int refs;
    private final ConcurrentHashMap<String, TupleSpace> tupleSpaces = new ConcurrentHashMap<>();
    private volatile Sync sync;

    Agent(final Space space, final boolean owned) {
        this.id = space.agentId();
        this.space = space;
        this.kv = space.kv();
        this.live = new Store.Live(kv);
        this.owned = owned;
    }

    /** The tuple space of this name, opened once per agent (opening reads the journal) and kept. */
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

    /** The tuple spaces opened through this agent so far, by name (a copy; opens nothing). */
    java.util.Map<String, TupleSpace> openedTupleSpaces() {
        return new java.util.HashMap<>(tupleSpaces);
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

    /** Closes the tuple spaces opened through this agent, then (when it was opened for connections) its space handle. */
    void close() {
        for (TupleSpace ts : tupleSpaces.values()) {
            try {
                ts.close();
            } catch (RuntimeException e) {
                // the space handle's close below releases what is left
            }
        }
        tupleSpaces.clear();
        if (owned) {
            space.close();
        }
    }

    @Override
    public String toString() {
        return "Agent{" + id + (owned ? ", refs=" + refs : ", gateway") + '}';
    }
}
