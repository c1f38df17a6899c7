package io.slate.bench.ipc;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;

import java.util.BitSet;

/**
 * Pins the calling thread to one CPU with OpenHFT Affinity, or says why it could not; the harness prints the outcome
 * and keeps it with the results. {@link AffinityLock#acquireLock(int)} first (it also marks the CPU taken for other
 * Affinity users); where it will not hand out that CPU (it keeps CPU 0 for the operating system, which on a 2-CPU
 * machine leaves a pair one CPU), the thread's affinity is set directly with {@link Affinity#setAffinity(BitSet)} and
 * read back.
 */
final class Pinning {
    private final AffinityLock lock;
    private final String description;

    private Pinning(final AffinityLock lock, final String description) {
        this.lock = lock;
        this.description = description;
    }

    /** Pins to {@code cpu}; a negative cpu means "do not pin" for the reason given. */
    static Pinning pin(final int cpu, final String whyNot) {
        if (cpu < 0) {
            return new Pinning(null, "unpinned (" + whyNot + ")");
        }
        try {
            final AffinityLock l = AffinityLock.acquireLock(cpu);
            if (l.isAllocated() && l.cpuId() == cpu) {
                return new Pinning(l, "cpu " + cpu);
            }
            final String got = l.isAllocated() ? "cpu " + l.cpuId() : "no lock";
            l.release();
            final BitSet mask = new BitSet();
            mask.set(cpu);
            Affinity.setAffinity(mask);
            if (mask.equals(Affinity.getAffinity())) {
                return new Pinning(null, "cpu " + cpu + " (sched_setaffinity; AffinityLock offered " + got + ")");
            }
            return new Pinning(null, "unpinned (asked for cpu " + cpu + ", AffinityLock offered " + got
                    + ", setAffinity left " + Affinity.getAffinity() + ")");
        } catch (RuntimeException | LinkageError e) {
            return new Pinning(null, "unpinned (Affinity failed: " + e + ")");
        }
    }

    /**
     * Lets the calling thread run on every CPU again (releasing this pinning first): for a writer JVM about to open an
     * etcd space, whose client threads (gRPC's and Netty's event loops, jetcd's executor) inherit the CPUs of the
     * thread that starts them. Returns what it did, for the report.
     */
    Pinning everyCpu() {
        release();
        try {
            final BitSet all = new BitSet();
            all.set(0, 64); // the JVM's processor count is the pinned one now; CPUs the machine lacks are ignored
            Affinity.setAffinity(all);
            return new Pinning(null, "unpinned (an etcd writer waits on every request; its client's threads need every CPU)");
        } catch (RuntimeException | LinkageError e) {
            return new Pinning(null, "left as it was (Affinity failed: " + e + ")");
        }
    }

    /** "cpu N" or "unpinned (reason)". */
    String description() {
        return description;
    }

    void release() {
        if (lock != null) {
            lock.release();
        }
    }
}
