package io.slate.bench.ipc;

/**
 * What every endpoint (Slate's and the peers') keeps: which side of the pair it is, and the sequence number, stamp
 * and arrival time of the message it received last.
 */
abstract class MessageEndpoint implements Endpoint {
    final boolean sideA;
    long seq;
    long stamp;
    long arrived;

    MessageEndpoint(final boolean sideA) {
        this.sideA = sideA;
    }

    @Override
    public long seq() {
        return seq;
    }

    @Override
    public long stamp() {
        return stamp;
    }

    @Override
    public long arrivedNanos() {
        return arrived;
    }
}
