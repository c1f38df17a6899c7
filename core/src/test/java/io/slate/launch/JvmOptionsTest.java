package io.slate.launch;

import io.slate.internal.JvmFlags;
import io.slate.testing.ChildJvm;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up check: child JVMs started without all of Slate's options fail their first {@code Space.open} with
 * one message naming exactly the missing options (never an IllegalAccessError from Chronicle or Agrona) and create
 * nothing; with the options, in any of the launcher forms, they open the space.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JvmOptionsTest {
    private static final List<String> SYSPROPS = List.of("-Dchronicle.analytics.disable=true");

    @RegisterExtension
    final Processes processes = new Processes();

    private final List<ChildJvm> children = new ArrayList<>();

    private ChildJvm child(final String label, final List<String> jvmOptions, final Map<String, String> env, final Class<?> main,
                           final String... args) {
        final ChildJvm c = ChildJvm.startWithOptions(label, jvmOptions, env, main, args);
        children.add(c);
        return c;
    }

    @org.junit.jupiter.api.AfterEach
    void killChildren() {
        children.forEach(ChildJvm::close);
    }

    /** The options a child runs OpenSpaceChild with; returns its stdout once it has exited with {@code exitCode}. */
    private List<String> runOpen(final String label, final List<String> jvmOptions, final Map<String, String> env, final Path dir,
                                 final int exitCode) throws InterruptedException {
        final ChildJvm c = child(label, jvmOptions, env, OpenSpaceChild.class, dir.toString());
        final int exit = c.awaitExit(120, TimeUnit.SECONDS);
        assertEquals(exitCode, exit, label + " exit code; stdout:\n" + c.lastLines(80) + "\nstderr:\n" + c.stderr());
        assertFalse(c.stderr().contains("IllegalAccessError"), c.stderr());
        return c.output();
    }

    private static List<String> prefixed(final List<String> out, final String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).collect(Collectors.toList());
    }

    /** The message's block of missing options: the indented lines after its first line. */
    private static List<String> missingBlock(final List<String> out) {
        final int start = out.indexOf("MESSAGE") + 2;
        final List<String> block = new ArrayList<>();
        for (int i = start; i < out.size() && out.get(i).startsWith("    "); i++) {
            block.add(out.get(i).trim());
        }
        return block;
    }

    /**
     * The options a JVM started with none of them lacks: all, except those its modules' descriptors grant to everyone
     * anyway (jdk.unsupported exports sun.misc, for one). Read from the descriptors, not from this JVM's flags.
     */
    private static List<String> lackedByDefault() {
        return required().stream().filter(a -> {
            final String modulePackage = a.substring(a.indexOf('=') + 1, a.lastIndexOf('='));
            final String pkg = modulePackage.substring(modulePackage.indexOf('/') + 1);
            final java.lang.module.ModuleDescriptor d = ModuleLayer.boot().findModule(modulePackage.substring(0, modulePackage.indexOf('/')))
                    .orElseThrow().getDescriptor();
            final boolean opened = d.isOpen() || d.opens().stream().anyMatch(o -> !o.isQualified() && o.source().equals(pkg));
            final boolean exported = opened || d.exports().stream().anyMatch(e -> !e.isQualified() && e.source().equals(pkg));
            return a.startsWith("--add-opens") ? !opened : !exported;
        }).collect(Collectors.toList());
    }

    private static String modulePackages(final List<String> options, final String option) {
        return options.stream().filter(a -> a.startsWith(option))
                .map(a -> a.substring(a.indexOf('=') + 1, a.lastIndexOf('='))).collect(Collectors.joining(" "));
    }

    private static List<String> required() {
        return JvmOptions.commandLine().stream().filter(a -> a.startsWith("--add-")).collect(Collectors.toList());
    }

    @Test
    void theFormsAreTheBuildsOneList() {
        final List<String> launched = new ArrayList<>(JvmOptions.commandLine());
        launched.addAll(JvmOptions.startOptions());
        assertEquals(JvmFlags.arguments(), launched);
        assertFalse(JvmOptions.startOptions().isEmpty(), "the parent pom's slate.startOptions");
        assertFalse(JvmOptions.opens().isEmpty());
        assertFalse(JvmOptions.exports().isEmpty());
        final List<String> expected = new ArrayList<>();
        JvmOptions.opens().forEach(p -> expected.add("--add-opens=" + p + "=ALL-UNNAMED"));
        JvmOptions.exports().forEach(p -> expected.add("--add-exports=" + p + "=ALL-UNNAMED"));
        assertEquals(expected, required());
        assertEquals(String.join(" ", JvmOptions.commandLine()), JvmOptions.jdkJavaOptions());
        assertEquals(String.join(" ", JvmOptions.opens()), JvmOptions.manifestAddOpens());
        assertEquals(String.join(" ", JvmOptions.exports()), JvmOptions.manifestAddExports());
        assertTrue(JvmOptions.opens().contains("java.base/java.lang"), JvmOptions.opens().toString());
        assertTrue(JvmOptions.exports().contains("java.base/jdk.internal.misc"), JvmOptions.exports().toString());
    }

    /** A child JVM started by our launchers runs with every start option in effect, as given on its command line. */
    @Test
    void childJvmsRunWithTheStartOptions() throws Exception {
        final ChildJvm c = ChildJvm.start("start-options", StartOptionsChild.class);
        children.add(c);
        assertEquals(0, c.awaitExit(60, TimeUnit.SECONDS), c.stderr());
        final List<String> expected = new ArrayList<>();
        for (String o : JvmOptions.startOptions()) {
            assertTrue(o.startsWith("-XX:") && o.contains("="), "a -XX:Name=value option: " + o);
            final String name = o.substring(4, o.indexOf('='));
            final String value = o.substring(o.indexOf('=') + 1);
            expected.add(name + " " + (value.matches("[0-9]+") ? value + ".0" : value) + " VM_CREATION");
        }
        assertEquals(expected, c.output().stream().filter(l -> !l.startsWith("[")).collect(Collectors.toList()));
    }

    /** Prints each start option's value in this JVM and where it came from. */
    static final class StartOptionsChild {
        public static void main(final String[] args) {
            final com.sun.management.HotSpotDiagnosticMXBean hotspot = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            for (String o : JvmOptions.startOptions()) {
                final com.sun.management.VMOption v = hotspot.getVMOption(o.substring(4, o.indexOf('=')));
                System.out.println(v.getName() + " " + v.getValue() + " " + v.getOrigin());
            }
        }
    }

    @Test
    void thisTestJvmHasThemAll() {
        assertEquals(List.of(), JvmOptions.missing());
        JvmOptions.check();
    }

    @Test
    void withoutAnyOptionTheFirstOpenNamesThemAllAndCreatesNothing() throws Exception {
        final Path dir = processes.dir("no-options");
        final List<String> out = runOpen("no-options", SYSPROPS, Map.of(), dir, 3);
        final List<String> lacked = lackedByDefault();
        assertTrue(lacked.contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), lacked.toString());
        assertEquals(lacked, prefixed(out, "MISSING "));
        assertEquals(lacked, missingBlock(out));
        final String message = String.join("\n", out.subList(out.indexOf("MESSAGE") + 1, out.indexOf("END")));
        assertTrue(message.startsWith("Slate cannot run on this JVM"), message);
        final String all = String.join(" ", lacked);
        assertTrue(message.contains("java " + all + " -cp"), message);
        assertTrue(message.contains("JDK_JAVA_OPTIONS=\"" + all + "\""), message);
        assertTrue(message.contains("<argLine>" + all + "</argLine>"), message);
        assertTrue(message.contains("Add-Opens: " + modulePackages(lacked, "--add-opens") + "\n"), message);
        assertTrue(message.endsWith("Add-Exports: " + modulePackages(lacked, "--add-exports")), message);
        assertFalse(message.contains("IllegalAccessError"), message);
        assertFalse(Files.exists(dir), "the check runs before anything is created: " + dir);
    }

    @Test
    void withSomeOptionsItNamesExactlyTheOthers() throws Exception {
        // only the exports: every open is missing, and nothing else
        final List<String> exportsOnly = required().stream().filter(a -> a.startsWith("--add-exports")).collect(Collectors.toList());
        final List<String> opens = required().stream().filter(a -> a.startsWith("--add-opens")).collect(Collectors.toList());
        final List<String> options = new ArrayList<>(SYSPROPS);
        options.addAll(exportsOnly);
        final List<String> out = runOpen("exports-only", options, Map.of(), processes.dir("exports-only"), 3);
        assertEquals(opens, prefixed(out, "MISSING "));
        assertEquals(opens, missingBlock(out));
        final String message = String.join("\n", out);
        assertFalse(message.contains("Add-Exports:"), message);

        // all but one: that one
        final List<String> allButOne = new ArrayList<>(required());
        final String dropped = allButOne.remove(allButOne.indexOf("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"));
        allButOne.addAll(SYSPROPS);
        final List<String> out2 = runOpen("all-but-one", allButOne, Map.of(), processes.dir("all-but-one"), 3);
        assertEquals(List.of(dropped), prefixed(out2, "MISSING "));
        assertEquals(List.of(dropped), missingBlock(out2));
        assertTrue(String.join("\n", out2).contains("this option"), String.join("\n", out2));
    }

    @Test
    void withTheCommandLineFormTheSpaceOpens() throws Exception {
        final List<String> out = runOpen("command-line", JvmOptions.commandLine(), Map.of(), processes.dir("command-line"), 0);
        assertEquals(List.of("1"), prefixed(out, "OPENED "));
    }

    @Test
    void withJdkJavaOptionsAloneTheSpaceOpens() throws Exception {
        final List<String> out = runOpen("jdk-java-options", List.of(), Map.of("JDK_JAVA_OPTIONS", JvmOptions.jdkJavaOptions()),
                processes.dir("jdk-java-options"), 0);
        assertEquals(List.of("1"), prefixed(out, "OPENED "));
    }

    /** Opens a space, writes a key and loads JNA's native library (as Affinity and Slate's posix calls do). */
    public static final class NativeChild {
        public static void main(final String[] args) {
            try (Space space = Space.open(SpaceOptions.at(Paths.get(args[0])))) {
                space.kv().putString("k", "v");
                System.out.println("NATIVE " + com.sun.jna.Native.POINTER_SIZE);
            }
        }
    }

    /**
     * Java 24 and later print warnings on every start about Chronicle's memory access through sun.misc.Unsafe and
     * JNA's native library load; the command line's release options silence both. Older releases get none (their
     * launchers reject them). (The core suite also runs on Java 25 in CI: there the warnings are checked for real.)
     */
    @Test
    void theCommandLineLeavesThisJavaReleaseNothingToWarnAbout() throws Exception {
        if (Runtime.version().feature() >= 24) {
            assertEquals(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"), JvmOptions.releaseOptions());
        } else {
            assertEquals(List.of(), JvmOptions.releaseOptions());
        }
        assertTrue(JvmOptions.commandLine().containsAll(JvmOptions.releaseOptions()));
        final ChildJvm c = child("release", JvmOptions.commandLine(), Map.of(), NativeChild.class, processes.dir("release").toString());
        assertEquals(0, c.awaitExit(120, TimeUnit.SECONDS), c.stderr());
        assertEquals(1, prefixed(c.output(), "NATIVE ").size(), c.lastLines(20));
        assertFalse(c.stderr().contains("sun.misc.Unsafe"), c.stderr());
        assertFalse(c.stderr().contains("restricted method"), c.stderr());
    }

    @Test
    void theMainPrintsTheFormsAndChecks() throws Exception {
        final ChildJvm lines = child("main-lines", SYSPROPS, Map.of(), JvmOptions.class);
        assertEquals(0, lines.awaitExit(60, TimeUnit.SECONDS), lines.stderr());
        assertEquals(JvmOptions.commandLine(), lines.output());

        final ChildJvm start = child("main-start", SYSPROPS, Map.of(), JvmOptions.class, "--start-options");
        assertEquals(0, start.awaitExit(60, TimeUnit.SECONDS), start.stderr());
        assertEquals(JvmOptions.startOptions(), start.output());

        final ChildJvm check = child("main-check", SYSPROPS, Map.of(), JvmOptions.class, "--check");
        assertEquals(1, check.awaitExit(60, TimeUnit.SECONDS), check.stderr());
        assertTrue(check.stderr().contains("Slate cannot run on this JVM"), check.stderr());
        for (String option : lackedByDefault()) {
            assertTrue(check.stderr().contains("    " + option), option + " in\n" + check.stderr());
        }

        final ChildJvm ok = child("main-check-ok", JvmOptions.commandLine(), Map.of(), JvmOptions.class, "--check");
        assertEquals(0, ok.awaitExit(60, TimeUnit.SECONDS), ok.stderr());
    }
}
