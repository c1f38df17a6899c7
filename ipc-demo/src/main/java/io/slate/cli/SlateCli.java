package io.slate.cli;

import io.slate.idle.BackoffIdleStrategy;
import io.slate.space.Space;
import io.slate.space.SpaceException;
import io.slate.space.SpaceOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code slate} command line: reads and writes a space's keys, tails its journal, and reports on the space, its
 * agents and its consistency. A command that writes attaches to the space as an agent {@code cli-<pid>} and closes it
 * before exiting; a read-only command (get, tail, stat, agents, verify, tuples, locks, rd, rdp) opens it as an
 * observer, which is not an agent and changes nothing.
 *
 * <p>Exit codes: {@value #EXIT_OK} success; {@value #EXIT_FAILED} key not found, version conflict or verify
 * mismatch; {@value #EXIT_USAGE} bad usage (unknown command or option, bad number, key too long...);
 * {@value #EXIT_SPACE} the space cannot be used (missing, not a space, incompatible, full, no access). Errors are
 * one line on stderr starting with {@code slate: }.
 *
 * <p>{@link #run(String[], Map, PrintStream, PrintStream)} runs one command in-process without exiting, for tests
 * and embedding; {@link #main(String[])} runs it and exits with its code.
 */
@Command(
        name = "slate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Shared memory for the agents on this host: a Slate space's versioned keys and its journal of every write.",
            "",
            "The space is named with --space (or the environment variable SLATE_SPACE): a name without '/' means "
                + "/dev/shm/slate/NAME, anything with a '/' is a directory. put, cas, del and incr create the space if it does "
                + "not exist; the other commands need an existing space.",
            "",
            "Values are UTF-8 text; write b64:BASE64 to give bytes. get and tail show values that are not text as b64:BASE64. "
                + "A value that looks like an option goes after '--': slate put KEY -- --VALUE.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  slate put task/42 'summarize the logs' --space team    # prints the new version, 1",
            "  export SLATE_SPACE=team",
            "  slate cas task/42 1 done && slate incr tasks-done",
            "  slate tail --follow --format json                      # new writes as JSON lines, until Ctrl-C",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:key not found, version conflict, or verify found mismatches",
            "2:bad usage: unknown command or option, bad number, key or value too long",
            "3:the space cannot be used: missing, not a space, incompatible, full, no access",
        })
public final class SlateCli implements Callable<Integer> {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The answer is no: key not found, version conflict, verify mismatch. */
    public static final int EXIT_FAILED = 1;
    /** Bad usage: parameters, numbers, keys or values the space refuses. */
    public static final int EXIT_USAGE = 2;
    /** The space cannot be used. */
    public static final int EXIT_SPACE = 3;
    /** The environment variable that names the space when {@code --space} is not given. */
    public static final String SPACE_ENV = "SLATE_SPACE";

    /**
     * The commands, in the order help lists them. Registered with picocli one by one at run time, and only the one
     * invoked when the command line names one: building picocli's model of every command (annotations read by
     * reflection; picocli's classes are too old a format for the class-data archive) took a third of a command's
     * start-up (issue 17).
     */
    private static final Class<?>[] COMMANDS = {
        PutCommand.class,
        GetCommand.class,
        CasCommand.class,
        DelCommand.class,
        IncrCommand.class,
        TailCommand.class,
        StatCommand.class,
        AgentsCommand.class,
        VerifyCommand.class,
        ReplayCommand.class,
        OutCommand.class,
        RdCommand.class,
        InCommand.class,
        RdpCommand.class,
        InpCommand.class,
        TuplesCommand.class,
        LockCommand.class,
        LocksCommand.class,
        ServeCommand.class,
        AgentCommand.class,
        CommandLine.HelpCommand.class,
    };

    /** How long {@code tail --follow} parks at most between polls once idle. */
    private static final long FOLLOW_MAX_PARK_NANOS = 10_000_000L;
    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final String JETCD_LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.io.etcd.jetcd";
    private static final AtomicLong INVOCATIONS = new AtomicLong();
    /** The thread of {@link #warmUp()}, when {@link #main} started one. */
    private static volatile Thread warmUp;

    @Option(names = "--space", paramLabel = "NAME|DIR",
            description = "The space: a name under /dev/shm/slate, a directory (contains '/'), or an address scheme://... of another "
                    + "backend. Default: $" + SPACE_ENV + ".")
    private String space;

    @Option(names = "--group-shared", description = "Create the space readable and writable by your group (directories 2770, files "
            + "0660; default: 0700 and 0600, yours only), or open a group-shared space another user created.")
    private boolean groupShared;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private StopSignal stop;

    private SlateCli(final Map<String, String> env, final PrintStream out, final PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Runs one command and exits the JVM with its exit code. */
    public static void main(final String[] args) {
        quietLogging();
        warmUp();
        final PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
                StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        final int code = run(args, System.getenv(), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command with the process environment; returns its exit code. Does not exit. */
    public static int run(final String[] args, final PrintStream out, final PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /**
     * Runs one command; returns its exit code. Does not exit.
     *
     * @param env the environment to read {@value #SPACE_ENV} from
     * @param out where results go (flushed before returning)
     * @param err where the one-line error goes
     */
    public static int run(final String[] args, final Map<String, String> env, final PrintStream out, final PrintStream err) {
        quietLogging();
        for (int i = 0; i < args.length; i++) {
            final String problem = Text.undecodable(args[i]);
            if (problem != null) {
                err.println("slate: argument " + (i + 1) + " '" + Text.printable(args[i]) + "' " + problem);
                err.flush();
                return EXIT_USAGE;
            }
        }
        final SlateCli cli = new SlateCli(env, out, err);
        final CommandLine cmd = new CommandLine(cli);
        final Class<?> invoked = invokedCommand(args);
        for (Class<?> c : COMMANDS) {
            if (invoked == null || c == invoked) {
                cmd.addSubcommand(c);
            }
        }
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cmd.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cmd.setParameterExceptionHandler((ex, ignored) -> {
            final String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("slate: " + usageMessage(ex, cmd) + " (see '" + command + " --help')");
            return EXIT_USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, ignored, parseResult) -> cli.report(ex));
        try {
            return cmd.execute(args);
        } finally {
            cmd.getOut().flush();
            cmd.getErr().flush();
            out.flush();
            err.flush();
        }
    }

    /**
     * The command the arguments name (the first word that is not a top-level option or its value), or null when they
     * name none of ours (help, --version, nothing, or an unknown word: then every command is registered, for help
     * and for the error message).
     */
    private static Class<?> invokedCommand(final String[] args) {
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (a.equals("--space")) {
                i++;
            } else if (!a.startsWith("-")) {
                for (Class<?> c : COMMANDS) {
                    final Command annotation = c.getAnnotation(Command.class);
                    if (annotation != null && annotation.name().equals(a) && c != CommandLine.HelpCommand.class) {
                        return c;
                    }
                }
                return null;
            } else if (!a.startsWith("--space=") && !a.equals("--group-shared")) {
                return null; // --help, --version, or an unknown option: picocli reports it with every command known
            }
        }
        return null;
    }

    /** Picocli's message, except that a word where the command belongs is called an unknown command. */
    private static String usageMessage(final CommandLine.ParameterException ex, final CommandLine top) {
        if (ex instanceof CommandLine.UnmatchedArgumentException && ex.getCommandLine() == top) {
            final List<String> unmatched = ((CommandLine.UnmatchedArgumentException) ex).getUnmatched();
            if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
                return "unknown command '" + unmatched.get(0) + "'";
            }
        }
        return oneLine(ex.getMessage());
    }

    /**
     * Initializes Chronicle's heaviest classes on a second thread while this one parses the command line (issue 17):
     * Chronicle Core's {@code Jvm} (which loads Java-Thread-Affinity and its JNA library), Chronicle Wire's
     * {@code Wires} (date formats, time zones) and the map and queue builders. On a machine with a free core that
     * hides most of their cost. The command's thread joins this one before it touches Chronicle
     * ({@link #awaitWarmUp()}), so no class is ever initialized by both threads at once (no class-initialization
     * dead-lock). A failure here is left for the command to meet and report.
     */
    private static void warmUp() {
        final Thread t = new Thread(() -> {
            try {
                io.slate.internal.ChronicleStartup.prepare();
                Class.forName("net.openhft.chronicle.core.Jvm");
                Class.forName("net.openhft.chronicle.wire.Wires");
                Class.forName("net.openhft.chronicle.map.ChronicleMapBuilder");
                Class.forName("net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder");
            } catch (ClassNotFoundException | LinkageError ignored) {
                // the command reports whatever is wrong when it gets there
            }
        }, "slate-warm-up");
        t.setDaemon(true);
        warmUp = t;
        t.start();
    }

    /** Waits for {@link #warmUp()} to finish, if it was started (by {@link #main}). */
    private static void awaitWarmUp() {
        final Thread t = warmUp;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Keeps Chronicle's informational logging off the terminal unless the user asked for it, and jetcd's warnings about
     * the attempts it gives up (the etcd backend retries what is safe to retry itself, and reports what fails in one line).
     */
    private static void quietLogging() {
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        if (System.getProperty(JETCD_LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(JETCD_LOG_LEVEL_PROPERTY, "error");
        }
    }

    /** {@code slate} without a command. */
    @Override
    public Integer call() {
        err.println("slate: no command given; commands: put, get, cas, del, incr, tail, stat, agents, verify, replay (see 'slate --help')");
        return EXIT_USAGE;
    }

    /** Runs a space command, mapping every failure to its exit code and one line on stderr. */
    int execute(final SpaceCommand command) {
        try (StopSignal s = StopSignal.install()) {
            stop = s;
            return command.execute();
        } catch (RuntimeException | InternalError e) {
            return report(e);
        } finally {
            out.flush();
        }
    }

    private int report(final Throwable e) {
        final int code;
        final String message;
        if (e instanceof CliFailure) {
            code = ((CliFailure) e).exitCode();
            message = e.getMessage();
        } else if (e instanceof SpaceException) {
            code = EXIT_SPACE;
            message = e.getMessage();
        } else if (e instanceof IllegalArgumentException) {
            code = EXIT_USAGE;
            message = e.getMessage();
        } else if (e instanceof IllegalStateException) {
            // core reports a live agent with the same id, or a space closed under us, this way
            code = EXIT_SPACE;
            message = e.getMessage();
        } else {
            code = EXIT_SPACE;
            message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        err.println("slate: " + oneLine(message == null ? e.getClass().getSimpleName() : message));
        return code;
    }

    /** A message on one line: line breaks become "; ", other control characters are shown escaped (never sent to the terminal). */
    static String oneLine(final String s) {
        return Text.printable(s.strip().replaceAll("\\s*\\R\\s*", "; "));
    }

    // ---------------------------------------------------------------- for the commands

    PrintStream out() {
        return out;
    }

    /** The environment this invocation reads ({@value #SPACE_ENV}, the gateway's password variable). */
    Map<String, String> env() {
        return env;
    }

    /** True once Ctrl-C or SIGTERM asked this process to stop. */
    boolean stopRequested() {
        return stop != null && stop.requested();
    }

    /** The options for the space a command names, this invocation's agent id included. */
    SpaceOptions options(final SpaceCommand command) {
        String name = command.space();
        if (name == null) {
            name = space;
        }
        if (name == null) {
            name = env.get(SPACE_ENV);
        }
        if (name == null || name.isBlank()) {
            throw CliFailure.usage("no space given: use --space NAME|DIR or set " + SPACE_ENV);
        }
        final SpaceOptions options;
        try {
            options = SpaceOptions.of(name);
        } catch (InvalidPathException e) {
            throw CliFailure.usage("space '" + Text.abbreviate(name) + "' is not a valid path: " + e.getReason());
        }
        return options
                .groupShared(groupShared || command.groupShared())
                .agentId(nextAgentId())
                .idleStrategy(() -> new BackoffIdleStrategy(BackoffIdleStrategy.DEFAULT_SPINS, BackoffIdleStrategy.DEFAULT_YIELDS,
                        BackoffIdleStrategy.DEFAULT_MIN_PARK_NANOS, FOLLOW_MAX_PARK_NANOS));
    }

    /**
     * Opens the space a command names.
     *
     * @param create whether to create it when missing; when false a directory without a space header is refused
     */
    Space open(final SpaceCommand command, final boolean create) {
        final SpaceOptions options = options(command);
        awaitWarmUp();
        if (!create) {
            requireSpace(options);
        }
        return Space.open(options);
    }

    /**
     * Opens an existing space as an observer: registers no agent, creates nothing, changes nothing (for the read-only
     * commands: get, tail, stat, agents, verify, tuples, locks, rd, rdp).
     */
    Space observe(final SpaceCommand command) {
        final SpaceOptions options = options(command).agentId(null).observer(true);
        awaitWarmUp();
        requireSpace(options);
        return Space.open(options);
    }

    /** Refuses a space that does not exist (a directory without a space, or an address nothing holds), creating nothing. */
    static void requireSpace(final SpaceOptions options) {
        if (options.directory() != null) {
            requireSpace(options.directory());
        } else if (!Space.exists(options.address())) {
            throw CliFailure.space(options.address() + ": no Slate space here");
        }
    }

    /** Refuses a directory that does not hold a space, without creating anything. */
    static void requireSpace(final Path directory) {
        if (!Space.exists(directory)) {
            throw CliFailure.space(directory + ": no Slate space here");
        }
    }

    /** {@code cli-<pid>}; later invocations in the same JVM (tests, embedding) add a sequence number. */
    static String nextAgentId() {
        final long n = INVOCATIONS.incrementAndGet();
        final long pid = ProcessHandle.current().pid();
        return n == 1 ? "cli-" + pid : "cli-" + pid + "-" + n;
    }
}
