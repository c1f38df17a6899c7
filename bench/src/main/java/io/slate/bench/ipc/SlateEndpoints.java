package io.slate.bench.ipc;

import io.slate.idle.BusySpinIdleStrategy;
import io.slate.shm.ChronicleJournal;
import io.slate.shm.ChronicleSpace;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.RecordHandler;
import io.slate.journal.Tailer;
import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.spi.BackendSpace;
import io.slate.spi.RecordLog;
import io.slate.sync.AtomicCounter;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import io.slate.tuple.Template;
import io.slate.tuple.TupleBuffer;
import io.slate.tuple.TupleSpace;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Slate cases, each through the API an agent would use, in one space both JVMs open with a busy-spinning idle
 * strategy:
 * <ul>
 *   <li>{@code slate-journal}: A appends a record ({@link ChronicleJournal#append}, the append path of tuples and
 *       sync; on etcd the SPI's {@link RecordLog#append}), B's {@link Tailer} reads it; both directions go through the one journal, so each side also reads past
 *       its own records, as every Slate reader does;</li>
 *   <li>{@code slate-kv}: A {@code put}s a key, B spins on {@code get} into an {@link EntryBuffer} until the version
 *       moves (on etcd, where every {@code get} is a read from the cluster, B waits in {@link KeyValue#awaitChange},
 *       which a watch answers);</li>
 *   <li>{@code slate-kv-await}: the same puts, B waiting in {@code awaitChange} into an {@link EntryBuffer}, the API
 *       for waiting on a key: in shared memory its thread's cursor follows the journal and B learns of the put from
 *       its committed record;</li>
 *   <li>{@code slate-tuple}: A {@code out}s ("ping", seq, stamp, filler), B takes it with {@code inp};</li>
 *   <li>{@code slate-mutex}: contended handoff: B waits in {@code tryLock} on a mutex A holds; A unlocks. On etcd
 *       ({@code etcd-mutex}), whose waiters queue by a commit of their own, the round trip goes round a ring of mutexes with
 *       waiter threads that queue ahead, so that every handoff is to a waiter queued in time ({@code MutexEndpoint.Ring}).</li>
 * </ul>
 * The {@code etcd-*} cases are the same endpoints on a space opened by {@code etcd://} address (see {@link Cases}).
 */
final class SlateEndpoints {
    private SlateEndpoints() {
    }

    /**
     * Whether the spaces this JVM opens may take the space's housekeeping duty ({@link SpaceOptions#housekeeping}).
     * The latency pairs run without it unless {@code --housekeeping} is given: both of their JVMs spin on pinned CPUs,
     * and on two CPUs the duty's thread can only run by taking one from a spinning thread.
     */
    static volatile boolean housekeeping = true;

    /** Opens {@code dir} as agent {@code agent}, spinning when it waits. */
    static Space open(final Path dir, final String agent) {
        return Space.open(SpaceOptions.at(dir).agentId(agent).idleStrategy(BusySpinIdleStrategy::new).housekeeping(housekeeping));
    }

    /**
     * Opens {@code location} as agent {@code agent}, spinning when it waits: an {@code etcd://} address through the
     * public API (the etcd cases), else a directory.
     */
    static Space open(final String location, final String agent) {
        if (isEtcd(location)) {
            return Space.open(SpaceOptions.of(location).agentId(agent).idleStrategy(BusySpinIdleStrategy::new).housekeeping(housekeeping));
        }
        return open(Paths.get(location), agent);
    }

    static boolean isEtcd(final String location) {
        return location.startsWith("etcd://");
    }

    /** The journal to append to: Chronicle's own in shared memory (as before), the SPI's record log elsewhere. */
    static RecordLog journal(final Space space) {
        return space instanceof ChronicleSpace ? ((ChronicleSpace) space).chronicleJournal() : BackendSpace.of(space, "the benchmark").log();
    }

    /** What the endpoints that carry a payload share: the payload buffer (and, from MessageEndpoint, what arrived last). */
    abstract static class Base extends MessageEndpoint {
        final byte[] payload;

        Base(final int payloadBytes, final boolean sideA) {
            super(sideA);
            this.payload = Payload.allocate(payloadBytes);
        }
    }

    /** {@code slate-journal}: a record appended in one JVM, read by a tailer in the other. */
    static final class JournalEndpoint extends Base implements RecordHandler {
        private final Space space;
        private final RecordLog journal;
        private final Tailer tailer;
        private final String outKey;
        private final String inKey;
        /**
         * On etcd, the reader waits in {@code Tailer.next(timeout)}, which parks until the handle's watch delivers,
         * instead of spinning on {@code poll} (as the key/value case waits in {@code awaitChange}): on etcd a record
         * comes from the members over the network, and a spinning reader takes a CPU they and the client's threads need.
         */
        private final boolean waits;
        private boolean matched;

        JournalEndpoint(final String dir, final int payloadBytes, final boolean sideA) {
            super(payloadBytes, sideA);
            waits = isEtcd(dir);
            space = open(dir, sideA ? "journal-a" : "journal-b");
            journal = journal(space);
            tailer = space.journal().tailerFromEnd();
            outKey = sideA ? "bench/ping" : "bench/pong";
            inKey = sideA ? "bench/pong" : "bench/ping";
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            journal.append(Op.PUT, 0, seq, outKey, payload, 0, payload.length);
        }

        @Override
        public boolean pollWaits() {
            return waits;
        }

        @Override
        public boolean poll() {
            matched = false;
            if (waits) {
                final JournalRecord r = tailer.next(100, TimeUnit.MILLISECONDS);
                if (r != null) {
                    onRecord(r);
                }
                return matched;
            }
            return tailer.poll(this) && matched;
        }

        @Override
        public void onRecord(final JournalRecord r) {
            if (r.keyEquals(inKey)) {
                arrived = System.nanoTime();
                seq = Payload.seq(r.valueBuffer(), 0);
                stamp = Payload.stamp(r.valueBuffer(), 0);
                matched = true;
            }
        }

        @Override
        public void close() {
            tailer.close();
            space.close();
        }
    }

    /** {@code slate-kv}: a put in one JVM, seen by the other spinning on {@code get} until the version moves. */
    static final class KeyValueEndpoint extends Base {
        private final Space space;
        private final KeyValue kv;
        private final EntryBuffer entry;
        private final String outKey;
        private final String inKey;
        /** On etcd, B waits in {@link KeyValue#awaitChange} (a watch) instead of spinning on {@code get} (a read each). */
        private final boolean awaitChanges;
        private long lastVersion;

        KeyValueEndpoint(final String dir, final int payloadBytes, final boolean sideA) {
            this(dir, payloadBytes, sideA, isEtcd(dir));
        }

        KeyValueEndpoint(final String dir, final int payloadBytes, final boolean sideA, final boolean awaitChanges) {
            super(payloadBytes, sideA);
            this.awaitChanges = awaitChanges;
            space = open(dir, sideA ? "kv-a" : "kv-b");
            kv = space.kv();
            entry = new EntryBuffer(payloadBytes);
            outKey = sideA ? "bench/ping" : "bench/pong";
            inKey = sideA ? "bench/pong" : "bench/ping";
            lastVersion = kv.version(inKey);
        }

        @Override
        public void send(final long seq, final long stamp) {
            Payload.write(payload, 0, seq, stamp);
            kv.put(outKey, payload, 0, payload.length);
        }

        @Override
        public boolean pollWaits() {
            return awaitChanges;
        }

        @Override
        public boolean poll() {
            final long v;
            if (awaitChanges) {
                try {
                    v = kv.awaitChange(inKey, lastVersion, entry, 100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            } else {
                v = kv.get(inKey, entry);
            }
            if (v <= lastVersion) {
                return false;
            }
            arrived = System.nanoTime();
            lastVersion = v;
            seq = Payload.seq(entry.buffer(), 0);
            stamp = Payload.stamp(entry.buffer(), 0);
            return true;
        }

        @Override
        public void close() {
            space.close();
        }
    }

    /** {@code slate-tuple}: {@code out} in one JVM, {@code inp} in the other. */
    static final class TupleEndpoint extends Base {
        private final Space space;
        private final TupleSpace tuples;
        private final TupleBuffer out;
        private final TupleBuffer in;
        private final String outName;
        private final Template inTemplate;
        /** On etcd, the taker waits in {@code in(template, timeout)}, which parks until the watch delivers (see the journal case). */
        private final boolean waits;

        TupleEndpoint(final String dir, final int payloadBytes, final boolean sideA) {
            super(payloadBytes, sideA);
            waits = isEtcd(dir);
            space = open(dir, sideA ? "tuple-a" : "tuple-b");
            tuples = TupleSpace.of(space, "bench");
            out = new TupleBuffer(payloadBytes + 64);
            in = new TupleBuffer(payloadBytes + 64);
            outName = sideA ? "ping" : "pong";
            inTemplate = Template.of(sideA ? "pong" : "ping", Template.ANY_LONG, Template.ANY_LONG, Template.ANY_BYTES);
        }

        @Override
        public void send(final long seq, final long stamp) {
            tuples.out(out.clear().addString(outName).addLong(seq).addLong(stamp)
                    .addBytes(payload, Payload.MIN_BYTES, payload.length - Payload.MIN_BYTES));
        }

        @Override
        public boolean pollWaits() {
            return waits;
        }

        @Override
        public boolean poll() {
            if (waits) {
                final io.slate.tuple.Tuple t = tuples.in(inTemplate, 100, TimeUnit.MILLISECONDS);
                if (t == null) {
                    return false;
                }
                arrived = System.nanoTime();
                seq = t.getLong(1);
                stamp = t.getLong(2);
                return true;
            }
            if (!tuples.inp(inTemplate, in)) {
                return false;
            }
            arrived = System.nanoTime();
            seq = in.getLong(1);
            stamp = in.getLong(2);
            return true;
        }

        @Override
        public void close() {
            tuples.close();
            space.close();
        }
    }

    /**
     * {@code slate-mutex}: contended handoff between two JVMs. A round-trip message is a mutex changing hands and
     * nothing else: the receiver waits in {@code tryLock} (slices of {@link #SLICE_MILLIS}) for a mutex the sender
     * holds, and the message arrives when that {@code tryLock} returns.
     *
     * <p>Round trip: two mutexes; A holds one and B the other, B waits for A's. A unlocks its own and waits for B's;
     * B, once it has A's, unlocks its own: two handoffs. Then they swap (each waits for the one the other now holds).
     * No counter needs to say which round a handoff belongs to: each side holds one mutex while it waits for the other,
     * so the only way to get the other's is that side's unlock in this round. Neither side waits for a mutex it has just
     * given up before the other has had it (it watches the fencing token move), so nobody barges. At the start B
     * waits until A holds its mutex (its first fencing token); at the end A writes {@link Payload#STOP} into a counter
     * and unlocks its mutex; B takes it, answers, and reads the counter (every millisecond) while it waits in vain for A
     * to take the answer (or when a slice passes without a mutex).
     *
     * <p>One way: one mutex and two counters A alone writes: the sequence number and the stamp the receiver needs, set
     * before the unlock; after each handoff the receiver unlocks it and the sender takes it back before the next.
     *
     * <p>Until session 13 a round trip also wrote the round's number into a counter before each unlock and the receiver
     * read it after each acquisition: nanoseconds in shared memory, but on etcd two requests in series around the
     * handoff's one commit (session 8 had already taken it from five). The case times the handoff.
     */
    static final class MutexEndpoint extends MessageEndpoint {
        private static final long SLICE_MILLIS = 100;
        private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

        private final Space space;
        /** Where waiters do not queue (shared memory): two mutexes, one thread a side. */
        private final Mutex[] pair;
        private final Mutex oneWay;
        /** Round trips end when this says {@link Payload#STOP} (A writes it; B reads it while it waits, not per round). */
        private final AtomicCounter rttStop;
        private final Written oneWaySeq;
        private final Written oneWayStamp;
        private final AtomicCounter oneWaySeqIn;
        private final AtomicCounter oneWayStampIn;
        private int held;
        /** The fencing token of this side's hold of {@code pair[held]}: what its {@code tryLock} returned. */
        private long heldToken;
        private boolean started;
        private long lastOneWay;
        /** On a backend whose waiters queue (etcd), the round trips go round a ring of mutexes instead: */
        private final Ring ring;

        /** A counter this side alone writes, with the value it wrote last. */
        private static final class Written {
            private final AtomicCounter counter;
            private long value;

            Written(final AtomicCounter counter) {
                this.counter = counter;
                this.value = counter.get();
            }

            void set(final long v) {
                if (!counter.compareAndSet(value, v)) {
                    throw new IllegalStateException("counter " + counter.name() + " is not at " + value + ", the value this side wrote last:"
                            + " another writer?");
                }
                value = v;
            }
        }

        MutexEndpoint(final String dir, final boolean sideA) {
            super(sideA);
            space = open(dir, sideA ? "mutex-a" : "mutex-b");
            final Sync sync = Sync.of(space);
            rttStop = sync.counter("bench-rtt-stop");
            oneWay = sync.mutex("bench-oneway");
            oneWaySeqIn = sync.counter("bench-oneway-seq");
            oneWayStampIn = sync.counter("bench-oneway-stamp");
            oneWaySeq = sideA ? new Written(oneWaySeqIn) : null;
            oneWayStamp = sideA ? new Written(oneWayStampIn) : null;
            if (isEtcd(dir)) {
                ring = new Ring(sync, sideA, rttStop);
                pair = null;
            } else {
                ring = null;
                pair = new Mutex[] {sync.mutex("bench-rtt-0"), sync.mutex("bench-rtt-1")};
                // A holds mutex 0 and B mutex 1; B's first wait is for mutex 0
                held = sideA ? 0 : 1;
                heldToken = acquire(pair[held]);
            }
        }

        /**
         * What the one-way counter says for message {@code seq}: {@code seq + 1}, so that the counter's initial 0 is no
         * message, and {@link Payload#STOP} as it is.
         */
        private static long published(final long seq) {
            return seq == Payload.STOP ? Payload.STOP : seq + 1;
        }

        private static long acquire(final Mutex m) {
            final long token = m.tryLock(Endpoint.PEER_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            if (token < 0) {
                throw new IllegalStateException("could not get mutex " + m.name() + " within 60 s (held by " + m.owner() + ")");
            }
            return token;
        }

        /** Waits until some other acquisition of {@code m} than {@code token} happened. */
        private static void awaitTakenAfter(final Mutex m, final long token) {
            awaitTakenAfter(m, token, null);
        }

        /**
         * Waits until some other acquisition of {@code m} than {@code token} happened (true), or {@code stop} (read
         * every millisecond of the wait; null: never) says {@link Payload#STOP} (false).
         */
        private static boolean awaitTakenAfter(final Mutex m, final long token, final AtomicCounter stop) {
            final long start = System.nanoTime();
            long nextStopCheck = start + STOP_CHECK_NANOS;
            while (m.lastToken() == token) {
                final long now = System.nanoTime();
                if (stop != null && now - nextStopCheck > 0) {
                    if (stop.get() == Payload.STOP) {
                        return false;
                    }
                    nextStopCheck = now + STOP_CHECK_NANOS;
                }
                if (now - start > Endpoint.PEER_TIMEOUT_NANOS) {
                    throw new IllegalStateException("the peer never took mutex " + m.name());
                }
                Thread.onSpinWait();
            }
            return true;
        }

        /**
         * Waits for {@code m} in slices until it is acquired (true; its token in {@link #heldToken}) or, between
         * slices, {@code stop} says {@link Payload#STOP} (false; null: never stop).
         */
        private boolean awaitHandoff(final Mutex m, final AtomicCounter stop, final String what) {
            final long deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
            long token;
            while ((token = m.tryLock(SLICE_MILLIS, TimeUnit.MILLISECONDS)) < 0) {
                if (stop != null && stop.get() == Payload.STOP) {
                    return false;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("no " + what + " from the peer (mutex " + m.name() + ")");
                }
            }
            arrived = System.nanoTime();
            heldToken = token;
            return true;
        }

        @Override
        public long roundTrip(final long round, final long t0) {
            if (!sideA) {
                throw new IllegalStateException("side B does not start round trips");
            }
            if (ring != null) {
                arrived = ring.roundTrip();
                return arrived;
            }
            final Mutex mine = pair[held];
            final Mutex theirs = pair[1 - held];
            mine.unlock();
            awaitHandoff(theirs, null, "answer to round " + round);
            held = 1 - held;
            return arrived;
        }

        @Override
        public void endRoundTrips() {
            rttStop.compareAndSet(0, Payload.STOP);
            if (ring != null) {
                ring.close(); // B, waiting for its next handoff, reads the STOP once none came for 50 ms
                return;
            }
            pair[held].unlock(); // B takes it and answers; waiting for A to take the answer, it reads the STOP
        }

        @Override
        public boolean echo() {
            if (ring != null) {
                if (ring.echo()) {
                    return true;
                }
                ring.close();
                return false;
            }
            final Mutex theirs = pair[1 - held];
            if (!started) {
                awaitTakenAfter(theirs, 0); // A's first hold of its mutex: from then on only A's unlock gives it to us
                started = true;
            }
            final long heldTokenBefore = heldToken;
            if (!awaitHandoff(theirs, rttStop, "round")) {
                pair[held].unlock();
                return false;
            }
            final Mutex mine = pair[held];
            final long token = heldTokenBefore;
            mine.unlock();
            held = 1 - held;
            // A takes it; only then may this side wait for it again. After the last round A takes nothing: STOP
            if (!awaitTakenAfter(mine, token, rttStop)) {
                pair[held].unlock();
                return false;
            }
            return true;
        }

        @Override
        public void startOneWay() {
            heldToken = acquire(oneWay);
        }

        @Override
        public void send(final long seq, final long stamp) {
            oneWaySeq.set(published(seq));
            oneWayStamp.set(stamp);
            oneWay.unlock();
            awaitTakenAfter(oneWay, heldToken);
            if (seq != Payload.STOP) {
                heldToken = acquire(oneWay); // the receiver gives it back right after taking it
            }
        }

        @Override
        public boolean pollWaits() {
            return true; // tryLock waits a slice
        }

        @Override
        public boolean poll() {
            final long token = oneWay.tryLock(SLICE_MILLIS, TimeUnit.MILLISECONDS);
            if (token < 0) {
                return false;
            }
            arrived = System.nanoTime();
            final long p = oneWaySeqIn.get();
            if (p == lastOneWay) {
                oneWay.unlock(); // nothing new: the sender had not taken it yet
                return false;
            }
            lastOneWay = p;
            seq = p == Payload.STOP ? Payload.STOP : p - 1;
            stamp = oneWayStampIn.get();
            oneWay.unlock();
            if (p != Payload.STOP) {
                awaitTakenAfter(oneWay, token); // the sender takes it back before the next message
            }
            return true;
        }

        @Override
        public void close() {
            if (ring != null) {
                ring.close();
            }
            space.close();
        }

        /**
         * The round trip where every handoff goes to a waiter that queued in time, as a mutex's waiters do when the
         * holder is busy: with two mutexes and one thread a side (above), a side can queue for the mutex it waits on
         * next only after its own unlock answered, while the peer unlocks that mutex as soon as that same unlock gives
         * it the other one; on etcd, whose waiters queue by a commit, one direction of every round trip then found the
         * mutex free (a release, a lock and an acquisition record: three commits where a handoff is one).
         *
         * <p>Here {@value Ring#N} mutexes go round. Handoff {@code k} (1, 2, ...) passes mutex {@code k % N}, from A to
         * B when {@code k} is odd and back when even ({@code N} is odd, so a mutex's handoffs alternate); its receiver
         * got it at handoff {@code k - N} and holds it until {@code k + N}. A side receives handoff {@code j} on the
         * mutex it gave away at {@code j - N}: it queues for it as soon as it knows the peer holds it, when it receives
         * {@code j - N + 1} (the peer gives that only once it received {@code j - N}). So the queue's commit has
         * {@code N - 2} handoffs' time to reach the peer's watch before the peer hands the mutex back, and a side waits
         * for {@code (N - 1) / 2} receipts at once, with a waiter thread each.
         * With fewer: one waiter thread a side and three mutexes (the waiter queued for {@code j + 2} once it had
         * received {@code j}), 10-20 % of handoffs found no successor on this 2-CPU machine (the peer's watch had not
         * delivered the queued key yet), and the waiter then read the queue and recorded its acquisition itself, two
         * more requests. So every handoff is to a queued waiter, one commit, as in a raw put seen by a watch. A handoff's
         * arrival is when the waiter's {@code tryLock} returned. Thread-safe between the side's threads: the waiters
         * publish each receipt through volatile fields.
         */
        private static final class Ring {
            private static final long SLICE_MILLIS = 100;
            private static final long STOP_QUIET_MILLIS = 50;
            /** Mutexes in the ring (odd). */
            static final int N = 5;
            private final Mutex[] m = new Mutex[N];
            private final AtomicCounter stop;
            /** The thread that waits for the waiters' receipts (unparked by them). */
            private volatile Thread main;
            private final Thread[] waiters = new Thread[(N - 1) / 2];
            private volatile boolean closing;
            /** The last handoff this side's waiters received, and when (written arrivedAt first). */
            private volatile long received;
            private volatile long arrivedAt;
            private volatile RuntimeException failed;
            /** The next handoff this side gives. */
            private long nextGive;

            Ring(final Sync sync, final boolean sideA, final AtomicCounter stop) {
                for (int i = 0; i < N; i++) {
                    m[i] = sync.mutex("bench-ring-" + i);
                }
                this.stop = stop;
                this.main = Thread.currentThread();
                // each mutex's first handoff (1..N) is given by the side that holds it from the start: A the odd ones
                for (int k = sideA ? 1 : 2; k <= N; k += 2) {
                    acquire(m[k % N]);
                }
                nextGive = sideA ? 1 : 2;
                final long firstReceipt = sideA ? 2 : 1;
                for (int i = 0; i < waiters.length; i++) {
                    final long first = firstReceipt + 2L * i;
                    final long step = 2L * waiters.length;
                    waiters[i] = new Thread(() -> receive(first, step), "bench-mutex-ring-waiter-" + i);
                    waiters[i].setDaemon(true);
                    waiters[i].start();
                }
            }

            /**
             * A waiter thread: receives handoffs {@code first}, {@code first + step}, ... until closed, queueing for each
             * as soon as the peer holds its mutex: once this side received handoff {@code j - N + 1} (the peer gives it
             * only once it received {@code j - N}, the mutex's handoff before {@code j}), or, for the first receipt on
             * a mutex the peer holds from the start, once the peer took it.
             */
            private void receive(final long first, final long step) {
                try {
                    final long deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
                    for (long j = first; !closing; j += step) {
                        final Mutex next = m[(int) (j % N)];
                        if (j > N) {
                            while (received < j - N + 1 && !closing) {
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // unparked by each receipt
                            }
                        } else {
                            while (next.lastToken() == 0 && !closing) { // a fresh space: no acquisition before the peer's
                                if (System.nanoTime() - deadline > 0) {
                                    throw new IllegalStateException("the peer never took mutex " + next.name());
                                }
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            }
                        }
                        while (next.tryLock(SLICE_MILLIS, TimeUnit.MILLISECONDS) < 0) {
                            if (closing) {
                                return;
                            }
                        }
                        // receipts come in order: the peer gives j + 2 only after it received j + 1, given after j
                        arrivedAt = System.nanoTime();
                        received = j;
                        LockSupport.unpark(main);
                        for (final Thread w : waiters) {
                            LockSupport.unpark(w);
                        }
                    }
                } catch (RuntimeException e) {
                    failed = e;
                    LockSupport.unpark(main);
                }
            }

            /**
             * Waits until a waiter received handoff {@code k} (true) or, when {@code stop} is given, it says
             * {@link Payload#STOP} (false). The counter is a read from etcd, which the thread cannot leave when the
             * receipt comes: it is read only once no handoff came for {@value #STOP_QUIET_MILLIS} ms (a round trip
             * takes a few), then every millisecond. (Read every millisecond from the start, the answering side was
             * inside a read when most receipts came: 1.6 ms from receipt to its answer's unlock at the median, 0.09 ms
             * on the side that reads nothing.)
             */
            private boolean awaitReceipt(final long k, final AtomicCounter stopCounter) {
                main = Thread.currentThread();
                final long deadline = System.nanoTime() + Endpoint.PEER_TIMEOUT_NANOS;
                long nextStopCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_QUIET_MILLIS);
                while (received < k) {
                    if (failed != null) {
                        throw new IllegalStateException("the mutex ring's waiter failed: " + failed.getMessage(), failed);
                    }
                    final long now = System.nanoTime();
                    if (stopCounter != null && now - nextStopCheck >= 0) {
                        if (stopCounter.get() == Payload.STOP) {
                            return false;
                        }
                        nextStopCheck = now + STOP_CHECK_NANOS;
                    }
                    if (now - deadline > 0) {
                        throw new IllegalStateException("no handoff " + k + " from the peer (mutex " + m[(int) (k % N)].name() + ")");
                    }
                    LockSupport.parkNanos(STOP_CHECK_NANOS);
                }
                return true;
            }

            /** Side A: gives the next handoff and waits for the answer; returns when the answer's mutex was acquired. */
            long roundTrip() {
                final long k = nextGive;
                m[(int) (k % N)].unlock();
                nextGive += 2;
                awaitReceipt(k + 1, null);
                return arrivedAt;
            }

            /** Side B: waits for A's next handoff and answers it; false when A said the round trips are over. */
            boolean echo() {
                if (!awaitReceipt(nextGive - 1, stop)) {
                    return false;
                }
                m[(int) (nextGive % N)].unlock();
                nextGive += 2;
                return true;
            }

            /** Stops the waiters (they leave the queues they wait in); the mutexes this side holds stay held. */
            void close() {
                closing = true;
                for (final Thread w : waiters) {
                    w.interrupt();
                }
                try {
                    for (final Thread w : waiters) {
                        w.join(TimeUnit.SECONDS.toMillis(10));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
