package io.slate.space;

import java.nio.file.Path;

/** A write through a space opened as an observer ({@link SpaceOptions#observer(boolean)}), which changes nothing. */
public class ReadOnlySpaceException extends SpaceException {
    private static final long serialVersionUID = 1L;

    public ReadOnlySpaceException(final Path path, final String problem) {
        super(path, problem);
    }
}
