package io.slate.space;

import java.nio.file.Path;

/**
 * A space could not do what was asked because of the space itself or its files (as opposed to a bad
 * argument, which is an {@link IllegalArgumentException}). The message always names the path and the problem.
 * Nothing acknowledged before the exception is lost or changed by it.
 */
public class SpaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    public SpaceException(final Path path, final String problem) {
        this(path, problem, null);
    }

    public SpaceException(final Path path, final String problem, final Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The file or directory the problem is about. */
    public Path path() {
        return path;
    }
}
