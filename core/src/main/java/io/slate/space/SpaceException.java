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
    private final String location;

    public SpaceException(final Path path, final String problem) {
        this(path, problem, null);
    }

    public SpaceException(final Path path, final String problem, final Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
        this.location = String.valueOf(path);
    }

    /** A problem of a space that is not in a file (a space of a distributed backend): {@code location} is its address. */
    public SpaceException(final String location, final String problem, final Throwable cause) {
        super(location + ": " + problem, cause);
        this.path = null;
        this.location = location;
    }

    /** The file or directory the problem is about; {@code null} for a space that is not in files. */
    public Path path() {
        return path;
    }

    /** What the problem is about: a file or directory, or a space's address. */
    public String location() {
        return location;
    }
}
