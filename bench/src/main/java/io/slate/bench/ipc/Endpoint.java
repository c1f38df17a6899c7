package io.slate.bench.ipc;

import java.util.concurrent.TimeUnit;

/**
 * One JVM's end of a case: a two-way channel to the peer JVM. Side A sends "pings" and receives "pongs", side B the
 * other way round; every message carries the case's payload with the sequence number and a stamp in its first 16 bytes
 * ({@link Payload}).
 *
 * <p>The harness drives every case with the same loops ({@link Loops}): a round trip is {@link #roundTrip} on A and
 * {@link #echo} on B; a one-way message is {@link #send} on A and {@link #poll} on B. Message-passing transports only
 * implement {@code send} and {@code poll}; a case whose round trip is not two messages (the mutex) overrides the
 * defaults. Single-threaded: one thread of each JVM uses its endpoint.
 */
interface Endpoint extends AutoCloseable {
    /** How long any wait for the peer may take before the case fails. */
    long PEER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Side B: what side A needs to reach it (a port, a path), printed with its READY line; empty when nothing. */
    default String address() {
        return "";
    }

    /** Called once on both sides before the first message (B after printing READY): waits for the peer where needed. */
    default void connect() {
    }

    /** Sends one message to the peer. */
    void send(long seq, long stamp);

    /**
     * Looks for the next message from the peer, without blocking or for a short slice where the transport only offers
     * blocking reads; true when one arrived, described by {@link #seq()}, {@link #stamp()} and {@link #arrivedNanos()}.
     */
    boolean poll();

    /**
     * True when {@link #poll()} itself waits (up to 100 ms, the etcd receivers): then the caller reads the clock after
     * every poll, not every 256, so that a peer gone for good is noticed after {@link #PEER_TIMEOUT_NANOS}, not 256
     * waits later.
     */
    default boolean pollWaits() {
        return false;
    }

    /** Sequence number of the message last received. */
    long seq();

    /** Stamp of the message last received. */
    long stamp();

    /** {@link System#nanoTime()} when {@link #poll()} found the message last received. */
    long arrivedNanos();

    /** Side A: one round trip for {@code seq}, started at {@code t0}; returns when the answer is in, its arrival time. */
    default long roundTrip(final long seq, final long t0) {
        send(seq, t0);
        Loops.await(this);
        if (seq() != seq) {
            throw new IllegalStateException("answer " + seq() + " to message " + seq);
        }
        return arrivedNanos();
    }

    /** Side A: tells B that the round trips are over. */
    default void endRoundTrips() {
        send(Payload.STOP, 0);
    }

    /** Side B: answers one round trip; false when A said they are over. */
    default boolean echo() {
        Loops.await(this);
        if (seq() == Payload.STOP) {
            return false;
        }
        send(seq(), stamp());
        return true;
    }

    /** Side A, after the round trips: prepares to send one-way messages. */
    default void startOneWay() {
    }

    @Override
    void close();
}
