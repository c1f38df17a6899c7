package io.slate.space;

import java.nio.file.Path;

/** The directory exists but does not hold a Slate space (no header, or a header of another kind). */
public class NotASpaceException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public NotASpaceException(final Path path, final String problem) {
        super(path, problem);
    }

    public NotASpaceException(final Path path, final String problem, final Throwable cause) {
        super(path, problem, cause);
    }
}
