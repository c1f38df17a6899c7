package io.slate.cli;

import io.slate.space.Space;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** A command that works on one space: takes {@code --space}, and reports failures through {@link SlateCli}. */
abstract class SpaceCommand implements Callable<Integer> {
    @ParentCommand
    private SlateCli cli;

    @Option(names = "--space", paramLabel = "NAME|DIR",
            description = "The space: a name under /dev/shm/slate, a directory (contains '/'), or an address scheme://... of another "
                    + "backend. Default: $" + SlateCli.SPACE_ENV + ".")
    private String space;

    @Option(names = "--group-shared", description = "Create the space readable and writable by your group, or open a group-shared "
            + "space another user created (see 'slate --help').")
    private boolean groupShared;

    /** Runs the command; returns the exit code. Failures are thrown ({@link CliFailure}, space and argument exceptions). */
    abstract int execute();

    @Override
    public final Integer call() {
        return cli.execute(this);
    }

    /** The {@code --space} given to this command, or {@code null}. */
    final String space() {
        return space;
    }

    /** Whether {@code --group-shared} was given to this command. */
    final boolean groupShared() {
        return groupShared;
    }

    final PrintStream out() {
        return cli.out();
    }

    final java.util.Map<String, String> env() {
        return cli.env();
    }

    final boolean stopRequested() {
        return cli.stopRequested();
    }

    /** Opens an existing space; refuses (exit 3) when there is none, creating nothing. */
    final Space openExisting() {
        return cli.open(this, false);
    }

    /** Opens an existing space as an observer (not an agent, changes nothing); refuses (exit 3) when there is none. */
    final Space observe() {
        return cli.observe(this);
    }

    /** Opens the space, creating it when missing. */
    final Space openOrCreate() {
        return cli.open(this, true);
    }

    /** Refuses an empty key before anything is opened or created. */
    static void requireKey(final String key) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
    }

    /**
     * Refuses a key longer than the space allows, for reads too (the map only checks the length on writes, so a read
     * of an over-long key would otherwise just report "not found").
     */
    static void checkKey(final Space s, final String key) {
        requireKey(key);
        final int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        final int max = s.options().maxKeyBytes();
        if (bytes > max) {
            throw new IllegalArgumentException("key '" + Text.abbreviate(key) + "' is " + bytes + " UTF-8 bytes; the space at "
                    + s.address() + " allows at most " + max + " (maxKeyBytes)");
        }
    }

    /** The key as error messages show it. */
    static String quoteKey(final String key) {
        return "'" + Text.abbreviate(key) + "'";
    }
}
