package io.slate.internal;

import net.openhft.affinity.Affinity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.ThreadFactory;

/**
 * Slate's own background threads (the snapshot duty, retention, the journal's pretoucher, subscriptions, the etcd
 * backend's duty): daemon threads that run on the CPUs the process was started with, not on those of the thread that
 * happened to start them.
 *
 * <p>Linux gives a new thread the CPU affinity of the thread that creates it. An agent pins its hot thread to one CPU
 * (OpenHFT Affinity, or {@code sched_setaffinity}) and then opens a space, or appends from it: without this, every
 * thread Slate starts on its behalf would be pinned to that same CPU and take turns with the agent's spinning or
 * appending thread there, while the other CPUs idle (measured: a pinned writer's journal append took 1.27-1.31×
 * as long as an unpinned one's, the snapshot duty reading every record on its CPU). So each thread first moves itself
 * to the process's CPUs: the affinity of the process's main thread as the kernel reports it ({@code Cpus_allowed_list}
 * in {@code /proc/self/status}), which is what {@code taskset} or a container gave the process, and which pinning a
 * Java thread does not change. Where that cannot be read or set (not Linux, no native binding), the thread keeps the
 * affinity it inherited, as any thread does.
 */
public final class ServiceThreads {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final String CPUS_ALLOWED = "Cpus_allowed_list:";

    private ServiceThreads() {
    }

    /** A started daemon thread named {@code name} that runs {@code task} on the process's CPUs. */
    public static Thread start(final String name, final Runnable task) {
        final Thread t = newThread(name, task);
        t.start();
        return t;
    }

    /** A daemon thread named {@code name}, not yet started, that runs {@code task} on the process's CPUs. */
    public static Thread newThread(final String name, final Runnable task) {
        final Thread t = new Thread(() -> {
            onProcessCpus();
            task.run();
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** A factory of such threads, all named {@code name} (for an executor of one thread). */
    public static ThreadFactory factory(final String name) {
        return task -> newThread(name, task);
    }

    /**
     * Runs {@code work} on the process's CPUs and returns its result: in the calling thread when it runs on them
     * already, else in a thread of its own ({@code name}) that the caller waits for. For work that starts threads
     * Slate does not create itself (a client library's event loops and executors, started by whichever thread first
     * needs them): started from a pinned thread, they would all inherit its one CPU. What {@code work} throws is
     * thrown here as it was. The wait is not interruptible (work such as opening a connection cannot be left halfway);
     * an interrupt meanwhile is kept for the caller.
     */
    public static <T> T callOnProcessCpus(final String name, final java.util.function.Supplier<T> work) {
        if (onlyProcessCpus()) {
            return work.get();
        }
        final Object[] result = new Object[1];
        final Throwable[] failure = new Throwable[1];
        final Thread t = newThread(name, () -> {
            try {
                result[0] = work.get();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof RuntimeException) {
            throw (RuntimeException) failure[0];
        }
        if (failure[0] instanceof Error) {
            throw (Error) failure[0];
        }
        if (failure[0] != null) {
            throw new IllegalStateException(name + " failed: " + failure[0], failure[0]);
        }
        @SuppressWarnings("unchecked")
        final T r = (T) result[0];
        return r;
    }

    /** Whether the calling thread may run on every CPU of the process (true also where that cannot be told). */
    private static boolean onlyProcessCpus() {
        final BitSet process = processCpus();
        if (process == null) {
            return true;
        }
        try {
            return process.equals(Affinity.getAffinity());
        } catch (RuntimeException | LinkageError e) {
            return true; // no native binding: nothing could be moved anyway
        }
    }

    /**
     * Moves the calling thread to the process's CPUs if it runs on fewer (it was pinned, or inherited a pin); true when
     * it runs on them afterwards, false when they could not be read or set.
     */
    public static boolean onProcessCpus() {
        final BitSet process = processCpus();
        if (process == null) {
            return false;
        }
        try {
            if (process.equals(Affinity.getAffinity())) {
                return true;
            }
            Affinity.setAffinity(process);
            return process.equals(Affinity.getAffinity());
        } catch (RuntimeException | LinkageError e) {
            return false; // no native binding on this platform: the inherited affinity stays
        }
    }

    /** The CPUs the process may run on (its main thread's affinity), or null where the kernel does not say. */
    public static BitSet processCpus() {
        final String text;
        try {
            text = Files.readString(STATUS, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or no /proc
        }
        for (final String line : text.split("\n")) {
            if (line.startsWith(CPUS_ALLOWED)) {
                return parseCpuList(line.substring(CPUS_ALLOWED.length()).trim());
            }
        }
        return null;
    }

    /** The kernel's CPU list format ({@code 0-3,8,10-11}); null for anything else. */
    static BitSet parseCpuList(final String list) {
        final BitSet cpus = new BitSet();
        if (list.isEmpty()) {
            return null;
        }
        try {
            for (final String part : list.split(",")) {
                final int dash = part.indexOf('-');
                final int from = Integer.parseInt((dash < 0 ? part : part.substring(0, dash)).trim());
                final int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
                if (from < 0 || to < from || to > 65_535) {
                    return null;
                }
                cpus.set(from, to + 1);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return cpus;
    }
}
