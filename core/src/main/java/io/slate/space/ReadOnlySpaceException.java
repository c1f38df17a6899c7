package io.slate.space;

import java.nio.file.Path;

/** A write through a space opened as an observer ({@link SpaceOptions#observer(boolean)}), which changes nothing. */
public class ReadOnlySpaceException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public ReadOnlySpaceException(final Path path, final String problem) {
        super(path, problem);
    }

    /** A read-only handle on a space that is not in files (a distributed backend): {@code location} is its address. */
    public ReadOnlySpaceException(final String location, final String problem) {
        super(location, problem, null);
    }
}
