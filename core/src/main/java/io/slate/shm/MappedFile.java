package io.slate.shm;

import io.slate.space.SpaceAccessException;
import io.slate.space.SpaceFullException;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One small file of ours mapped read-write, accessed through an {@link UnsafeBuffer} (ordered and volatile access,
 * compare-and-set). The size is checked before mapping, so a truncated file is an error, never a SIGBUS.
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private MappedFile(final Path path, final MappedByteBuffer mapped) {
        this.path = path;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Creates the file zero-filled at {@code length} bytes, fully allocated (so a full file system fails here, not
     * later), with the mode its directory calls for ({@link SpaceFiles}). An existing file is overwritten.
     */
    public static MappedFile create(final Path path, final int length) {
        SpaceFiles.createFile(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            // write real zeros: on tmpfs a sparse file would fault (SIGBUS) on first touch when memory is short
            final ByteBuffer zeros = ByteBuffer.allocate(length);
            while (zeros.hasRemaining()) {
                ch.write(zeros);
            }
            ch.force(true);
        } catch (IOException e) {
            throw ioProblem(path, "cannot create", e);
        }
        return open(path, length);
    }

    /**
     * Creates the file complete: written under a temporary name, filled by {@code init}, then renamed into place, so
     * no process ever maps a half-made file. Call under the space's lock.
     */
    public static void createAtomically(final Path path, final int length, final java.util.function.Consumer<UnsafeBuffer> init) {
        final Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        final MappedFile f = create(tmp, length);
        try {
            init.accept(f.buffer());
        } finally {
            f.close();
        }
        try {
            java.nio.file.Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SpaceAccessException(path, "cannot create: " + e.getMessage(), e);
        }
    }

    /** Maps an existing regular file that must be at least {@code length} bytes (checked before mapping). */
    public static MappedFile open(final Path path, final int length) {
        SpaceFiles.requireFile(path, length, "file");
        try {
            return new MappedFile(path, IoUtil.mapExistingFile(path.toFile(), path.getFileName().toString(), 0, length));
        } catch (RuntimeException e) {
            throw ioProblem(path, "cannot map", e);
        }
    }

    static RuntimeException ioProblem(final Path path, final String what, final Exception e) {
        final String msg = describe(e);
        if (e instanceof AccessDeniedException || msg.contains("Permission denied")) {
            return new SpaceAccessException(path, what + ": permission denied", e);
        }
        if (msg.contains("Read-only file system")) {
            return new SpaceAccessException(path, what + ": read-only file system", e);
        }
        if (msg.contains("No space left")) {
            return new SpaceFullException(path, what + ": file system is full", e);
        }
        if (e instanceof FileSystemException) {
            return new SpaceAccessException(path, what + ": " + msg, e);
        }
        return new SpaceAccessException(path, what + ": " + msg, e);
    }

    /**
     * The problem an I/O exception reports, without the path it names (the message names it already): the file
     * system's reason, or, when the JDK gives none, what the exception's kind means.
     */
    private static String describe(final Exception e) {
        if (e instanceof FileSystemException) {
            final String reason = ((FileSystemException) e).getReason();
            if (reason != null) {
                return reason;
            }
            if (e instanceof java.nio.file.NoSuchFileException) {
                return "No such file or directory";
            }
            if (e instanceof java.nio.file.FileAlreadyExistsException) {
                return "File exists";
            }
            if (e instanceof java.nio.file.NotDirectoryException) {
                return "Not a directory";
            }
            if (e instanceof AccessDeniedException) {
                return "Permission denied";
            }
        }
        return String.valueOf(e.getMessage());
    }

    public UnsafeBuffer buffer() {
        return buffer;
    }

    public Path path() {
        return path;
    }

    /**
     * Releases the file. The mapping itself is left to the garbage collector rather than unmapped here: these files
     * are small, and a thread of the same process still reading one after its space was closed (a waiter, a reaper)
     * must get stale data at worst, never a SIGSEGV that kills the whole JVM.
     */
    @Override
    public void close() {
        // deliberately no IoUtil.unmap(mapped): see above
    }
}
