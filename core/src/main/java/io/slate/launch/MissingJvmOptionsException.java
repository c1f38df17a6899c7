package io.slate.launch;

import java.util.List;

/**
 * The running JVM lacks options Slate needs (see {@link JvmOptions}). Thrown by the first attempt to open a space on
 * such a JVM, before anything is created or mapped. The message lists exactly the missing options and how to add
 * them on the command line, in {@code JDK_JAVA_OPTIONS}, in a Maven {@code argLine} and in an executable jar's
 * manifest.
 */
public final class MissingJvmOptionsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    /** The missing options in command-line form. */
    private final List<String> missing;

    MissingJvmOptionsException(final List<String> missing, final String message) {
        super(message);
        this.missing = List.copyOf(missing);
    }

    /** The missing options in command-line form, for example {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}. */
    public List<String> missing() {
        return missing;
    }
}
