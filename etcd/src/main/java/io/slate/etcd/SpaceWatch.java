package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One watch per space handle on the space's key/value and sync keys (the range from {@code k/} to the end of the space:
 * {@code k/}, {@code m/}, {@code y/} and the rarer {@code n/ r/ s/ t/}; not the journal's records, which each journal
 * reader follows with a watch of its own), fanned out in-process to the
 * threads waiting for a key or a prefix to change: a key/value {@code awaitChange}, a mutex waiter waiting for the
 * key before its own to go, a latch, a barrier or a semaphore waiting for its state to move. A waiter costs no request
 * and no watch of its own: it is told by the event.
 *
 * <p>The pattern of every waiter: {@link #subscribe} first, then read the state (a linearizable read), then wait for
 * an event newer than that read — in that order no change is lost: a change committed before the read is in the read,
 * one after it is delivered to the subscription, because the watch started before the subscription ({@link #subscribe}
 * starts it, from a revision read before it returns). When the watch fails (compacted, cancelled, a member lost the
 * leader: it is opened with require-leader) it is reopened after the last revision it delivered, and every waiter is
 * woken ({@link Waiter#reset}) to read again; waiters also read again at least every second whatever happens, so a
 * watch stuck on a frozen member costs latency, never a lost wake-up.
 *
 * <p>Thread-safe. Events are handed to waiters on jetcd's callback thread: a waiter only records them and wakes its
 * thread.
 */
final class SpaceWatch implements AutoCloseable {
    /** Told of every event under its key or prefix (on jetcd's thread), and of a reset of the watch. */
    interface Waiter {
        void event(WatchEvent event);

        /**
         * After the events of one response that concern this waiter (once per subscription that matched): the events
         * of one revision come in one response, so a waiter woken here sees every change of a Txn at once.
         */
        default void endOfResponse() {
        }

        void reset();
    }

    /** A subscription; closing it ends it. */
    final class Subscription implements AutoCloseable {
        private final ByteSequence key;
        private final boolean prefix;
        private final Waiter waiter;

        private Subscription(final ByteSequence key, final boolean prefix, final Waiter waiter) {
            this.key = key;
            this.prefix = prefix;
            this.waiter = waiter;
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    /**
     * The changes of one key or prefix, for a thread that waits in a loop of "read the state; if it is not what I wait
     * for, {@link #await} a change after the revision read". Open it before the loop's first read.
     */
    final class Changes implements AutoCloseable, Waiter {
        private final java.util.concurrent.Semaphore signal = new java.util.concurrent.Semaphore(0);
        private final Subscription subscription;
        /** The highest revision of a change delivered so far. */
        private volatile long newest;
        private volatile boolean reset;

        private Changes(final ByteSequence key, final boolean prefix) {
            subscription = subscribe(key, prefix, this);
        }

        @Override
        public void event(final WatchEvent event) {
            final long r = event.getKeyValue().getModRevision();
            if (r > newest) {
                newest = r;
            }
            signal.release();
        }

        @Override
        public void reset() {
            reset = true;
            signal.release();
        }

        /**
         * Waits at most {@code maxNanos} for a change committed after {@code revision}. True when there was one (or the
         * watch was reset, so the caller must read again anyway); false when the time passed without one.
         */
        boolean await(final long revision, final long maxNanos) throws InterruptedException {
            final long deadline = System.nanoTime() + maxNanos;
            while (true) {
                if (newest > revision || reset) {
                    reset = false;
                    return true;
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !signal.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    return false;
                }
            }
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    /** The changes of {@code key} (every key under it with {@code prefix}) from now on. */
    Changes changes(final ByteSequence key, final boolean prefix) {
        return new Changes(key, prefix);
    }

    /** Pause before reopening a failed watch, so that a cluster that keeps refusing it is not asked in a tight loop. */
    private static final long REOPEN_DELAY_MILLIS = 50;
    private final EtcdConnection connection;
    private final SpaceLayout layout;
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private Watch.Watcher watcher;
    /** Bumped for every watch opened: events of an older one are dropped. */
    private long generation;
    /** The revision the next watch starts from (after the last one delivered). */
    private long nextRevision;
    private boolean closed;

    SpaceWatch(final EtcdConnection connection, final SpaceLayout layout) {
        this.connection = connection;
        this.layout = layout;
    }

    /**
     * Subscribes {@code waiter} to the changes of {@code key} (every key under it with {@code prefix}) committed from
     * now on; starts the watch if it is not running. Subscribe before reading the state the wait is about.
     */
    Subscription subscribe(final ByteSequence key, final boolean prefix, final Waiter waiter) {
        final Subscription s = new Subscription(key, prefix, waiter);
        subscriptions.add(s);
        try {
            ensureStarted();
        } catch (RuntimeException e) {
            subscriptions.remove(s);
            throw e;
        }
        return s;
    }

    private synchronized void ensureStarted() {
        if (watcher != null || closed) {
            return;
        }
        if (nextRevision == 0) {
            // any member's revision now is at most that of every later linearizable read: nothing a waiter reads
            // after this can be missed by a watch from the revision after it
            nextRevision = connection.get(layout.markerKey(), GetOption.builder().withSerializable(true).withKeysOnly(true).build(),
                    "watch of space '" + layout.space() + "'").getHeader().getRevision() + 1;
        }
        open();
    }

    /** Opens the watch from {@link #nextRevision}. Called holding the monitor. */
    private void open() {
        final long gen = ++generation;
        // from k/ to the end of the space: the key/value state, mutex queues (m/), sync state (y/) and the rarer
        // n/, r/, s/, t/ keys, but not the journal's records (j/) nor the agent registry (a/), which sort before k/
        final byte[] p = layout.spacePrefix().getBytes();
        final byte[] end = p.clone();
        end[end.length - 1]++; // the '/' that ends the prefix, plus one: the first key after every key of the space
        watcher = connection.client().getWatchClient().watch(layout.kvPrefix(),
                WatchOption.builder().withRange(ByteSequence.from(end)).withRevision(nextRevision).withRequireLeader(true).build(),
                new Watch.Listener() {
                    @Override
                    public void onNext(final WatchResponse response) {
                        delivered(gen, response);
                    }

                    @Override
                    public void onError(final Throwable t) {
                        failed(gen, connection.translate(t, "watch of space '" + layout.space() + "'"));
                    }

                    @Override
                    public void onCompleted() {
                        failed(gen, null);
                    }
                });
    }

    private void delivered(final long gen, final WatchResponse response) {
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            for (final WatchEvent e : response.getEvents()) {
                nextRevision = Math.max(nextRevision, e.getKeyValue().getModRevision() + 1);
            }
        }
        for (final Subscription s : subscriptions) {
            boolean told = false;
            for (final WatchEvent e : response.getEvents()) {
                final ByteSequence k = e.getKeyValue().getKey();
                if (s.prefix ? k.startsWith(s.key) : k.equals(s.key)) {
                    s.waiter.event(e);
                    told = true;
                }
            }
            if (told) {
                s.waiter.endOfResponse();
            }
        }
    }

    private void failed(final long gen, final EtcdFailure failure) {
        synchronized (this) {
            if (gen != generation || closed) {
                return;
            }
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
            generation++;
            if (failure != null && failure.kind() == EtcdFailure.Kind.COMPACTED) {
                nextRevision = 0; // the revisions after the last delivered are gone: start again from now
            }
        }
        for (final Subscription s : subscriptions) {
            s.waiter.reset(); // they read again, so whatever the failed watch did not deliver is not lost to them
        }
        CompletableFuture.runAsync(() -> {
            try {
                if (!subscriptions.isEmpty()) {
                    ensureStarted();
                }
            } catch (RuntimeException e) {
                // no member answers now: the next subscription (or a waiter's re-read) tries again
            }
        }, CompletableFuture.delayedExecutor(REOPEN_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Override
    public synchronized void close() {
        closed = true;
        generation++;
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        subscriptions.clear();
    }
}
