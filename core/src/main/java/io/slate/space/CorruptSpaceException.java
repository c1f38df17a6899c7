package io.slate.space;

import java.nio.file.Path;

/** A file of the space is truncated, zeroed or not in a Slate format. */
public class CorruptSpaceException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public CorruptSpaceException(final Path path, final String problem) {
        super(path, problem);
    }

    public CorruptSpaceException(final Path path, final String problem, final Throwable cause) {
        super(path, problem, cause);
    }

    /** Damage in a space that is not in files: {@code location} is its address. */
    public CorruptSpaceException(final String location, final String problem) {
        super(location, problem, null);
    }
}
