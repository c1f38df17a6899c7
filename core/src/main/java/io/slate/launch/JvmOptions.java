package io.slate.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The JVM options Slate needs, for launchers, and the check that the running JVM has them.
 *
 * <p>Chronicle Map and Chronicle Queue, on which Slate's shared-memory spaces run, use JDK internals that Java 17
 * and later close by default. A JVM that runs Slate therefore needs a few {@code --add-opens} and
 * {@code --add-exports} options. The list is Slate's own (it is generated into the jar from the build's one list);
 * this class gives it in the forms launchers use:
 * <ul>
 *   <li>{@link #commandLine()}: arguments for a {@code java} command line or a {@code ProcessBuilder};</li>
 *   <li>{@link #jdkJavaOptions()}: one string for the {@code JDK_JAVA_OPTIONS} environment variable (or a Maven
 *       {@code argLine});</li>
 *   <li>{@link #manifestAddOpens()} and {@link #manifestAddExports()}: the values of an executable jar's
 *       {@code Add-Opens} and {@code Add-Exports} manifest attributes.</li>
 * </ul>
 * Run {@code java -cp slate-core.jar io.slate.launch.JvmOptions --help} to print them from a shell.
 *
 * <p>Opening a space calls {@link #check()} first: on a JVM that lacks an option, it fails at once with a
 * {@link MissingJvmOptionsException} that names exactly the missing options and how to add them, rather than with an
 * {@code IllegalAccessError} from deep inside a dependency.
 *
 * <p>The options are for Slate on the class path (the supported set-up), where they open the packages to
 * {@code ALL-UNNAMED}. When Slate's jar is on the module path, the check tests them against Slate's own module and
 * the messages name that module instead.
 *
 * <p>Thread-safe: everything here is immutable or idempotent.
 */
public final class JvmOptions {
    private static final String RESOURCE = "/io/slate/jvm-flags.properties";
    private static final String ALL_UNNAMED = "ALL-UNNAMED";

    private static final List<String> OPENS;
    private static final List<String> EXPORTS;
    private static final List<String> SYSTEM_PROPERTIES;
    private static final List<String> START_OPTIONS;
    private static final List<String> RELEASE_OPTIONS;
    /** The first Java release that needs {@link #releaseOptions()} (and whose launcher knows them). */
    static final int JAVA_24 = 24;

    static {
        final Properties p = new Properties();
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from Slate's jar: the jar is damaged or was repackaged without its resources");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from Slate's jar", e);
        }
        OPENS = words(p, "opens", false);
        EXPORTS = words(p, "exports", false);
        SYSTEM_PROPERTIES = words(p, "sysprops", true);
        START_OPTIONS = startWords(p);
        final List<String> release = new ArrayList<>();
        for (String s : p.getProperty("jdk24", "").trim().split("\\s+")) {
            if (s.startsWith("--")) {
                release.add(s);
            }
        }
        RELEASE_OPTIONS = Runtime.version().feature() >= JAVA_24 ? Collections.unmodifiableList(release) : List.of();
    }

    /** Set once the running JVM was found to have every option; the options of a running JVM do not go away. */
    private static volatile boolean verified;

    private JvmOptions() {
    }

    /** The packages Slate needs opened, as {@code module/package} (for example {@code java.base/java.lang}). */
    public static List<String> opens() {
        return OPENS;
    }

    /** The packages Slate needs exported, as {@code module/package} (for example {@code java.base/jdk.internal.misc}). */
    public static List<String> exports() {
        return EXPORTS;
    }

    /**
     * System properties recommended with Slate, as {@code -Dname=value}: they turn off Chronicle's usage analytics
     * and its disk-space monitor thread. Optional: opening a space sets them itself when they are unset.
     */
    public static List<String> systemProperties() {
        return SYSTEM_PROPERTIES;
    }

    /**
     * JVM options recommended for a JVM that runs an agent, not required: they make a fresh JVM's start cheaper and
     * leave what it does once warm unchanged. Today {@code -XX:CompileThresholdScaling=3}: the JIT compiles a method
     * after three times the default number of calls (and loop iterations), so code that runs only while the JVM
     * starts mostly stays interpreted instead of being compiled and thrown away (about a quarter of a fresh agent's
     * CPU time); hot paths are still compiled by C1 and then C2 as before, a little later. Not in {@link #commandLine()};
     * add them before the main class.
     */
    public static List<String> startOptions() {
        return START_OPTIONS;
    }

    /**
     * Everything for a {@code java} command line: one {@code --add-opens=module/package=ALL-UNNAMED} per opened
     * package, one {@code --add-exports=module/package=ALL-UNNAMED} per exported package, then the
     * {@link #systemProperties()}. Pass them before the main class (or {@code -jar}).
     */
    public static List<String> commandLine() {
        final List<String> args = new ArrayList<>(requiredArguments(ALL_UNNAMED));
        args.addAll(SYSTEM_PROPERTIES);
        args.addAll(RELEASE_OPTIONS);
        return Collections.unmodifiableList(args);
    }

    /**
     * Options the running Java release needs on top of the {@link #commandLine()}'s opens and exports, none of which a
     * jar's manifest can carry in full: on Java 24 and later {@code --sun-misc-unsafe-memory-access=allow} and
     * {@code --enable-native-access=ALL-UNNAMED} (Chronicle's memory access through {@code sun.misc.Unsafe} and JNA's
     * native library load, which Java 24+ warns about on every start); empty before Java 24, whose launchers reject
     * them. Included in {@link #commandLine()}; not required ({@link #check()} does not ask for them).
     */
    public static List<String> releaseOptions() {
        return RELEASE_OPTIONS;
    }

    /**
     * The {@link #commandLine()} as one space-separated string: the value for the {@code JDK_JAVA_OPTIONS}
     * environment variable (read by the {@code java} launcher of JDK 9 and later) or for a Maven
     * surefire/failsafe {@code argLine}.
     */
    public static String jdkJavaOptions() {
        return String.join(" ", commandLine());
    }

    /** The value of an executable jar's {@code Add-Opens} manifest attribute: the {@link #opens()}, space-separated. */
    public static String manifestAddOpens() {
        return String.join(" ", OPENS);
    }

    /** The value of an executable jar's {@code Add-Exports} manifest attribute: the {@link #exports()}, space-separated. */
    public static String manifestAddExports() {
        return String.join(" ", EXPORTS);
    }

    /**
     * The options the running JVM lacks, in command-line form, empty when it has them all. An option for a module
     * this runtime does not have (a trimmed image without {@code jdk.compiler}, say), or for a package the module
     * no longer contains, is not needed here and is never reported.
     */
    public static List<String> missing() {
        final Module slate = JvmOptions.class.getModule();
        final String target = slate.isNamed() ? slate.getName() : ALL_UNNAMED;
        final List<String> missing = new ArrayList<>();
        for (String modulePackage : OPENS) {
            final Optional<Module> m = moduleHolding(modulePackage);
            if (m.isPresent() && !m.get().isOpen(packageOf(modulePackage), slate)) {
                missing.add(argument("--add-opens", modulePackage, target));
            }
        }
        for (String modulePackage : EXPORTS) {
            final Optional<Module> m = moduleHolding(modulePackage);
            if (m.isPresent() && !m.get().isExported(packageOf(modulePackage), slate)) {
                missing.add(argument("--add-exports", modulePackage, target));
            }
        }
        return Collections.unmodifiableList(missing);
    }

    /**
     * Checks that the running JVM has every option Slate needs. Opening a space calls this first; launchers and
     * applications may call it at start-up to fail before doing anything else.
     *
     * @throws MissingJvmOptionsException naming exactly the missing options and how to add them
     */
    public static void check() {
        if (verified) {
            return;
        }
        final List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new MissingJvmOptionsException(missing, message(missing));
        }
        verified = true;
    }

    /**
     * Prints the options for a shell. No argument or {@code --lines}: the {@link #commandLine()}, one per line (for
     * {@code mapfile} in bash); {@code --start-options}: the {@link #startOptions()}, one per line;
     * {@code --jdk-java-options}: the {@link #jdkJavaOptions()} string;
     * {@code --manifest}: the two manifest attributes; {@code --check}: exits with 1 and the message when this JVM
     * lacks an option, 0 otherwise.
     *
     * @param args one of the forms above
     */
    public static void main(final String[] args) {
        final String form = args.length == 0 ? "--lines" : args[0];
        switch (form) {
            case "--lines":
                commandLine().forEach(System.out::println);
                break;
            case "--start-options":
                startOptions().forEach(System.out::println);
                break;
            case "--jdk-java-options":
                System.out.println(jdkJavaOptions());
                break;
            case "--manifest":
                System.out.println("Add-Opens: " + manifestAddOpens());
                System.out.println("Add-Exports: " + manifestAddExports());
                break;
            case "--check":
                try {
                    check();
                    System.out.println("this JVM has every option Slate needs");
                } catch (MissingJvmOptionsException e) {
                    System.err.println(e.getMessage());
                    System.exit(1);
                }
                break;
            default:
                System.err.println("usage: java -cp slate-core.jar io.slate.launch.JvmOptions [--lines | --start-options | --jdk-java-options | --manifest | --check]");
                System.exit("--help".equals(form) || "-h".equals(form) ? 0 : 2);
        }
    }

    private static List<String> requiredArguments(final String target) {
        final List<String> args = new ArrayList<>();
        for (String modulePackage : OPENS) {
            args.add(argument("--add-opens", modulePackage, target));
        }
        for (String modulePackage : EXPORTS) {
            args.add(argument("--add-exports", modulePackage, target));
        }
        return args;
    }

    private static String argument(final String option, final String modulePackage, final String target) {
        return option + "=" + modulePackage + "=" + target;
    }

    /** The module of {@code module/package} in the boot layer, when it is there and holds the package. */
    private static Optional<Module> moduleHolding(final String modulePackage) {
        final int slash = modulePackage.indexOf('/');
        return ModuleLayer.boot().findModule(modulePackage.substring(0, slash))
                .filter(m -> m.getPackages().contains(packageOf(modulePackage)));
    }

    private static String packageOf(final String modulePackage) {
        return modulePackage.substring(modulePackage.indexOf('/') + 1);
    }

    /** The start options of the resource: JVM options ({@code -X...}), space-separated. */
    private static List<String> startWords(final Properties p) {
        final List<String> out = new ArrayList<>();
        for (String s : p.getProperty("start", "").trim().split("\\s+")) {
            if (s.isEmpty()) {
                continue;
            }
            if (!s.startsWith("-X") || s.length() < 3) {
                throw new IllegalStateException(RESOURCE + ": start has '" + s + "', which is not a -X JVM option (the jar was built from a broken list)");
            }
            out.add(s);
        }
        return Collections.unmodifiableList(out);
    }

    /** The space-separated words of one property of the resource: module/package pairs, or -Dname=value. */
    private static List<String> words(final Properties p, final String key, final boolean systemProperties) {
        final List<String> out = new ArrayList<>();
        for (String s : p.getProperty(key, "").trim().split("\\s+")) {
            if (s.isEmpty()) {
                continue;
            }
            final int slash = s.indexOf('/');
            final boolean ok = systemProperties ? s.startsWith("-D") && s.length() > 2 : slash > 0 && slash < s.length() - 1;
            if (!ok) {
                throw new IllegalStateException(RESOURCE + ": " + key + " has '" + s + "', which is not "
                        + (systemProperties ? "-Dname=value" : "module/package") + " (the jar was built from a broken list)");
            }
            out.add(s);
        }
        return Collections.unmodifiableList(out);
    }

    private static String message(final List<String> missing) {
        final List<String> opens = new ArrayList<>();
        final List<String> exports = new ArrayList<>();
        for (String m : missing) {
            final String modulePackage = m.substring(m.indexOf('=') + 1, m.lastIndexOf('='));
            (m.startsWith("--add-opens") ? opens : exports).add(modulePackage);
        }
        final String oneLine = String.join(" ", missing);
        final String nl = System.lineSeparator();
        final StringBuilder b = new StringBuilder();
        b.append("Slate cannot run on this JVM (Java ").append(Runtime.version()).append(" at ").append(System.getProperty("java.home"))
                .append("): it was started without ").append(missing.size() == 1 ? "this option" : "these " + missing.size() + " options")
                .append(", which Chronicle Map and Chronicle Queue (Slate's shared-memory backend) need on Java 17 and later:").append(nl);
        for (String m : missing) {
            b.append("    ").append(m).append(nl);
        }
        b.append("Add them in one of these ways (io.slate.launch.JvmOptions gives the whole list to launchers):").append(nl);
        b.append("  command line:     java ").append(oneLine).append(" -cp ... your.Main").append(nl);
        b.append("  environment:      export JDK_JAVA_OPTIONS=\"").append(oneLine).append("\"").append(nl);
        b.append("  Maven:            surefire/failsafe <argLine>").append(oneLine).append("</argLine>;").append(nl);
        b.append("                    exec:exec: each as an <argument> before the main class;")
                .append(" exec:java runs inside Maven's own JVM: put them in MAVEN_OPTS").append(nl);
        b.append("  executable jar:   in META-INF/MANIFEST.MF (java -jar reads them, for the class path only):");
        if (!opens.isEmpty()) {
            b.append(nl).append("                      Add-Opens: ").append(String.join(" ", opens));
        }
        if (!exports.isEmpty()) {
            b.append(nl).append("                      Add-Exports: ").append(String.join(" ", exports));
        }
        return b.toString();
    }
}
