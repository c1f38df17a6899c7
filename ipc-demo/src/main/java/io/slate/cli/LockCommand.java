package io.slate.cli;

import io.slate.space.Space;
import io.slate.sync.Holder;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code slate lock NAME -- COMMAND...}: runs a command while holding a space's mutex, like flock(1). */
@Command(name = "lock", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Acquires the mutex NAME of the space, runs COMMAND while holding it, releases it, and exits with COMMAND's exit code.",
            "COMMAND gets the acquisition's fencing token in the environment variable " + LockCommand.TOKEN_ENV + " (it increases "
                + "with every acquisition of the mutex, by any agent), and inherits stdin, stdout and stderr.",
            "Put COMMAND after '--' when it has options of its own: slate lock build -- make -j4.",
            "Without --timeout it waits as long as it takes (Ctrl-C gives up). A holder that dies (even killed) loses the "
                + "mutex to the next waiter within milliseconds; a live holder keeps it however long it runs.",
            "Exits with 1 when the mutex was not acquired in time, 127 when COMMAND cannot be started. Creates the space if it "
                + "does not exist.",
        })
final class LockCommand extends SpaceCommand {
    /** The environment variable carrying the fencing token to the command. */
    static final String TOKEN_ENV = "SLATE_FENCING_TOKEN";
    /** Exit code when the command cannot be started (as shells, env(1) and timeout(1) report it). */
    static final int EXIT_CANNOT_RUN = 127;
    /** How long one wait for the mutex or the command lasts before checking Ctrl-C. */
    private static final long POLL_MILLIS = 200;
    /** How long a command asked to stop (SIGTERM) has before it is killed. */
    private static final long STOP_GRACE_MILLIS = 2_000;

    @Parameters(index = "0", paramLabel = "NAME", description = "The mutex's name (1 to 64 UTF-8 bytes).")
    private String name;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    private List<String> command;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up (exit 1) when the mutex is not acquired within DURATION: 500ms, 5s, 2m, 1h, or seconds "
                + "(0: one attempt). Default: wait as long as it takes.")
    private Duration timeout;

    @Override
    int execute() {
        if (command == null || command.isEmpty()) {
            throw CliFailure.usage("no command given: slate lock NAME -- COMMAND [ARG...]");
        }
        if (name.isEmpty()) {
            throw CliFailure.usage("mutex name must not be empty");
        }
        try (Space s = openOrCreate()) {
            final Mutex mutex = Sync.of(s).mutex(name);
            final long token = acquire(mutex);
            try {
                return run(token);
            } finally {
                mutex.unlock();
            }
        }
    }

    /** Waits in slices so Ctrl-C is noticed; returns the token or fails with exit code 1. */
    private long acquire(final Mutex mutex) {
        final long limitNanos = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
        final long start = System.nanoTime();
        while (true) {
            final long waited = System.nanoTime() - start;
            final long slice = Math.min(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS), Math.max(limitNanos - waited, 0));
            final long token = mutex.tryLock(slice, TimeUnit.NANOSECONDS);
            if (token > 0) {
                return token;
            }
            if (stopRequested()) {
                throw CliFailure.failed("stopped while waiting for mutex '" + name + "'" + heldBy(mutex));
            }
            if (System.nanoTime() - start >= limitNanos) {
                throw CliFailure.failed("timed out after " + text(timeout) + " waiting for mutex '" + name + "'" + heldBy(mutex));
            }
        }
    }

    private static String heldBy(final Mutex mutex) {
        final Holder h = mutex.owner();
        return h == null ? "" : ", held by agent '" + h.agentId() + "' (pid " + h.pid() + ")";
    }

    /** Runs the command with the token in its environment; returns its exit code. */
    private int run(final long token) {
        final ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(TOKEN_ENV, Long.toString(token));
        final Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CliFailure(EXIT_CANNOT_RUN, "cannot run '" + Text.abbreviate(command.get(0)) + "': " + e.getMessage());
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                        return p.exitValue();
                    }
                    if (stopRequested()) {
                        // asked to stop (SIGTERM, or Ctrl-C, which the command got too): give it a moment, then kill it
                        p.destroy();
                        if (!p.waitFor(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                            p.destroyForcibly();
                            p.waitFor(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                        }
                        return p.isAlive() ? SlateCli.EXIT_FAILED : p.exitValue();
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the mutex is released only once the command is done
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String text(final Duration d) {
        final long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** Durations as {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h}, plain seconds, or ISO-8601 ({@code PT5S}). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

        @Override
        public Duration convert(final String value) {
            final String v = value.strip().toLowerCase(Locale.ROOT);
            if (v.startsWith("-")) {
                throw new TypeConversionException("duration must be >= 0, got '" + value + "'");
            }
            final Matcher m = SIMPLE.matcher(v);
            if (m.matches()) {
                final double amount = Double.parseDouble(m.group(1));
                final String unit = m.group(2) == null ? "s" : m.group(2);
                final double nanosPerUnit;
                switch (unit) {
                    case "ms":
                        nanosPerUnit = 1e6;
                        break;
                    case "m":
                        nanosPerUnit = 60e9;
                        break;
                    case "h":
                        nanosPerUnit = 3600e9;
                        break;
                    default:
                        nanosPerUnit = 1e9;
                }
                return Duration.ofNanos((long) Math.min(amount * nanosPerUnit, Long.MAX_VALUE));
            }
            try {
                final Duration d = Duration.parse(value.strip().toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new TypeConversionException("duration must be >= 0, got '" + value + "'");
                }
                return d;
            } catch (java.time.format.DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (use 500ms, 5s, 2m, 1h or PT5S)");
            }
        }
    }
}
