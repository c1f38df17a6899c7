package io.slate.space;

import java.nio.file.Path;

/** The space cannot be created or written: read-only file system, no permission, owned by another user. */
public class SpaceAccessException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public SpaceAccessException(final Path path, final String problem) {
        super(path, problem);
    }

    public SpaceAccessException(final Path path, final String problem, final Throwable cause) {
        super(path, problem, cause);
    }
}
