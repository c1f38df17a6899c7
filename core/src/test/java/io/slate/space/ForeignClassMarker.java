package io.slate.space;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A class no file of a space may name: loading it (its static initializer) or making one (its constructor) writes
 * the file named by the system property {@value #MARKER_PROPERTY}. The foreign-content tests put its name in the
 * headers Chronicle reads, and check the marker file: absent when Slate opens the space, present when Chronicle
 * alone is given the same file. Its name has exactly the length of {@code io.slate.internal.EntryMarshaller}, so it
 * can take that name's place in a map header.
 */
public final class ForeignClassMarker {
    /** The system property naming the marker file. */
    public static final String MARKER_PROPERTY = "slate.test.marker";

    static {
        mark("loaded");
    }

    public ForeignClassMarker() {
        mark("instantiated");
    }

    private static void mark(final String what) {
        final String file = System.getProperty(MARKER_PROPERTY);
        if (file != null) {
            try {
                Files.writeString(Path.of(file), what + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
