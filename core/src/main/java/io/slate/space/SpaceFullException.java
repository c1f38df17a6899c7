package io.slate.space;

import java.nio.file.Path;

/** No room: the key/value map reached its configured capacity, or the file system holding the space is full. */
public class SpaceFullException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public SpaceFullException(final Path path, final String problem) {
        super(path, problem);
    }

    public SpaceFullException(final Path path, final String problem, final Throwable cause) {
        super(path, problem, cause);
    }

    /** No room in a space that is not in files (a distributed backend's quota): {@code location} is its address. */
    public SpaceFullException(final String location, final String problem, final Throwable cause) {
        super(location, problem, cause);
    }
}
