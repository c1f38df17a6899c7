package io.slate.cli;

/**
 * An expected failure of a command: not found, version conflict, bad usage, no space here. It carries the exit
 * code and the one-line message printed on stderr after {@code "slate: "}.
 */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliFailure(final int exitCode, final String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The answer is no (a missing key, a version conflict, a verify mismatch): exit code 1. */
    static CliFailure failed(final String message) {
        return new CliFailure(SlateCli.EXIT_FAILED, message);
    }

    /** Bad usage: exit code 2. */
    static CliFailure usage(final String message) {
        return new CliFailure(SlateCli.EXIT_USAGE, message);
    }

    /** A problem with the space: exit code 3. */
    static CliFailure space(final String message) {
        return new CliFailure(SlateCli.EXIT_SPACE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
