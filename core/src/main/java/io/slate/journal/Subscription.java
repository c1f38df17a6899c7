package io.slate.journal;

/** A running subscription: a thread feeding journal records to a handler. Close it to stop the thread. */
public interface Subscription extends AutoCloseable {
    /** Index of the last record handed to the handler, or -1. */
    long lastIndex();

    /** Stops the thread (waiting for the handler's current call to return). */
    @Override
    void close();
}
