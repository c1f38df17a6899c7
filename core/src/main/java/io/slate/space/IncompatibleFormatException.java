package io.slate.space;

import java.nio.file.Path;

/** The space was written in a format version this build cannot read. */
public class IncompatibleFormatException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public IncompatibleFormatException(final Path path, final String problem) {
        super(path, problem);
    }

    public IncompatibleFormatException(final Path path, final String problem, final Throwable cause) {
        super(path, problem, cause);
    }
}
