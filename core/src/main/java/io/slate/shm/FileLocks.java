package io.slate.shm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file across processes and threads: a JVM-wide lock per path (file locks are per
 * process, so two threads of one JVM would otherwise collide) around an OS file lock, which the kernel releases
 * when the holder dies. For rare, slow operations only (creating a space, naming a tailer).
 */
public final class FileLocks {
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /** Something to do under the lock. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} holding the exclusive lock on {@code lockFile} (created if missing). */
    public static <T> T withLock(final Path lockFile, final Action<T> action) throws IOException {
        final ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
             FileLock ignored = ch.lock()) {
            return action.run();
        } finally {
            jvmLock.unlock();
        }
    }
}
