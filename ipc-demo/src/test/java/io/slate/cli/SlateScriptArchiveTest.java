package io.slate.cli;

import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code scripts/slate}'s class-data-sharing archive, with the real script run by bash as a real process: the first
 * command makes the archive (a static one, which holds picocli's Java 5 class files on Java 17), later commands map
 * their classes from it, a failed or interrupted build leaves nothing behind that a command would use, an unusable
 * archive only makes a command slower, and a jar newer than the archive makes it again.
 *
 * <p>The script runs the jar {@code ipc-demo/target/slate.jar} next to its own directory; {@code mvn verify} runs this
 * test before that jar is packaged, so the test lays out a copy of the script beside a jar of its own: this module's
 * class path (directories jarred, since class-data sharing takes jars only) behind a manifest like slate.jar's
 * (Main-Class, Class-Path, and the Add-Opens/Add-Exports of {@code io/slate/jvm-flags.properties}).
 */
class SlateScriptArchiveTest {
    /** Generous: one archive is a training JVM and a dump JVM, a few seconds alone, far more on a loaded 2-core host. */
    private static final long COMMAND_SECONDS = 240;

    private Path root;
    private Path target;
    private Path jar;
    private Path space;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory("slate-script-cds");
        target = Files.createDirectories(root.resolve("ipc-demo/target"));
        final Path scripts = Files.createDirectories(root.resolve("scripts"));
        final Path script = Paths.get("..", "scripts", "slate").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(script), () -> "no script at " + script);
        Files.copy(script, scripts.resolve("slate"));
        Files.setPosixFilePermissions(scripts.resolve("slate"), PosixFilePermissions.fromString("rwx------"));
        jar = target.resolve("slate.jar");
        writeJar(jar, Files.createDirectories(root.resolve("lib")));
        space = TestSpaces.newDirectory("cli-cds");
    }

    @AfterEach
    void tearDown() throws IOException {
        TestSpaces.delete(space);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void firstCommandMakesTheArchiveAndLaterOnesMapItsClasses() throws Exception {
        final String java = javaCommand();
        final Result put = slate(Map.of("JAVA", java), "put", "k", "v", "--space", space.toString());
        assertEquals(0, put.code, put::describe);
        final List<Path> made = archives();
        assertEquals(1, made.size(), () -> "one archive next to the jar: " + listing());
        assertEquals(List.of(), leftovers(), () -> "temporary files left: " + listing());
        // the options this java's release needs beyond the manifest (none before Java 24), asked once and kept
        final List<Path> options = optionFiles();
        assertEquals(1, options.size(), () -> "one list of release options next to the jar: " + listing());
        assertEquals(io.slate.launch.JvmOptions.releaseOptions(), Files.readAllLines(options.get(0), StandardCharsets.UTF_8));

        // -Xshare:on: the JVM exits with an error if it cannot map the archive, instead of running without it
        final Result get = slate(Map.of("JAVA", java, "SLATE_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info"),
                "get", "k", "--space", space.toString());
        assertEquals(0, get.code, get::describe);
        assertTrue(get.out.lines().anyMatch("v"::equals), get::describe);
        assertShared(get, "io.slate.cli.SlateCli");
        assertShared(get, "net.openhft.chronicle.map.ChronicleMapBuilder");
        if (Runtime.version().feature() == 17) {
            // the reason the archive is a static one: Java 17's dynamic archive (ArchiveClassesAtExit) refuses them
            assertShared(get, "picocli.CommandLine");
        }

        // an unusable archive (here: not an archive at all, and newer than the jar) makes a command slower, not fail
        final Path archive = made.get(0);
        Files.write(archive, "not an archive".getBytes(StandardCharsets.US_ASCII));
        final Result slow = slate(Map.of("JAVA", java), "get", "k", "--space", space.toString());
        assertEquals(0, slow.code, slow::describe);
        assertEquals("v", slow.out.strip(), slow::describe);
        assertEquals("", slow.err, slow::describe);

        // a jar newer than the archive: the next command makes it again
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(archive).toMillis() + 10_000));
        final Result again = slate(Map.of("JAVA", java, "SLATE_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info"),
                "get", "k", "--space", space.toString());
        assertEquals(0, again.code, again::describe);
        assertEquals(List.of(archive), archives(), this::listing);
        assertTrue(Files.size(archive) > 1_000_000, this::listing);
        assertShared(again, "io.slate.cli.SlateCli");
        assertEquals(List.of(), leftovers(), this::listing);
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aFailedBuildLeavesNothingThatWouldBeUsed() throws Exception {
        // a java whose archive dump writes half a file and fails, as a full disk or a kill would leave it; every other
        // run (the training run, the command) is the real java
        final Path fakeHome = Files.createDirectories(root.resolve("failing-jdk/bin"));
        final Path fake = fakeHome.resolve("java");
        Files.writeString(fake, "#!/usr/bin/env bash\n"
                + "for a in \"$@\"; do\n"
                + "  case \"$a\" in -XX:SharedArchiveFile=*) out=\"${a#-XX:SharedArchiveFile=}\" ;; esac\n"
                + "done\n"
                + "for a in \"$@\"; do\n"
                + "  if [ \"$a\" = -Xshare:dump ]; then printf 'half an archive' > \"$out\"; exit 1; fi\n"
                + "done\n"
                + "exec '" + javaCommand() + "' \"$@\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));

        final Result put = slate(Map.of("JAVA", fake.toString()), "put", "k", "v", "--space", space.toString());
        assertEquals(0, put.code, put::describe);
        assertEquals("", put.err, put::describe);
        assertEquals(List.of(), archives(), () -> "no archive after a failed dump: " + listing());
        assertEquals(List.of(), leftovers(), () -> "temporary files left: " + listing());

        final Result get = slate(Map.of("JAVA", fake.toString()), "get", "k", "--space", space.toString());
        assertEquals(0, get.code, get::describe);
        assertEquals("v", get.out.strip(), get::describe);
        assertEquals(List.of(), archives(), this::listing);
    }

    private static void assertShared(final Result r, final String className) {
        final String line = r.out.lines().filter(l -> l.contains("[class,load] " + className + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(className + " was not loaded: " + r.describe()));
        assertTrue(line.endsWith("source: shared objects file"), () -> className + " not from the archive: " + line);
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jsa")).sorted().collect(Collectors.toList());
        }
    }

    /**
     * Files next to the jar that are neither the jar nor an archive nor the list of this java's release options (a
     * build's temporary archive or class list).
     */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> !p.equals(jar) && !p.getFileName().toString().endsWith(".jsa") && !p.getFileName().toString().endsWith(".options"))
                    .sorted().collect(Collectors.toList());
        }
    }

    /** The release options the script keeps next to the jar, one file per java. */
    private List<Path> optionFiles() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".options")).sorted().collect(Collectors.toList());
        }
    }

    private String listing() {
        try (Stream<Path> s = Files.list(target)) {
            return s.map(p -> {
                try {
                    return p.getFileName() + " (" + Files.size(p) + " bytes)";
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).collect(Collectors.joining(", "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaCommand() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Result slate(final Map<String, String> env, final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(root.resolve("scripts/slate").toString());
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("SLATE_CDS");
        pb.environment().remove("SLATE_JAVA_OPTS");
        pb.environment().remove("SLATE_SPACE");
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        final Path out = Files.createTempFile(root, "out", ".txt");
        final Path err = Files.createTempFile(root, "err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        final Process p = pb.start();
        try {
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                final String running = p.descendants().map(h -> h.info().commandLine().orElse("?"))
                        .collect(Collectors.joining("\n  "));
                fail("scripts/slate " + String.join(" ", args) + " did not finish within " + COMMAND_SECONDS
                        + " s; still running:\n  " + running + "\nstdout: " + Files.readString(out) + "\nstderr: "
                        + Files.readString(err));
            }
            return new Result(String.join(" ", args), p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static final class Result {
        final String command;
        final int code;
        final String out;
        final String err;

        Result(final String command, final int code, final String out, final String err) {
            this.command = command;
            this.code = code;
            this.out = out;
            this.err = err;
        }

        String describe() {
            final String o = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
            return "slate " + command + ": exit " + code + "\nstdout (end): " + o + "\nstderr: " + err;
        }
    }

    /**
     * A jar like slate.jar for this test's class path: Main-Class, Add-Opens/Add-Exports from the project's flags, and a
     * Class-Path of the class path's jars (directories jarred into {@code lib} first).
     */
    private static void writeJar(final Path jar, final Path lib) throws IOException {
        final List<String> classPath = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Paths.get(entry).toAbsolutePath();
            if (Files.isDirectory(p)) {
                final Path packed = lib.resolve("dir" + (n++) + ".jar");
                jarDirectory(p, packed);
                p = packed;
            } else if (!Files.isRegularFile(p)) {
                continue;
            }
            classPath.add(jar.getParent().relativize(p).toString().replace(File.separatorChar, '/').replace(" ", "%20"));
        }
        final Properties flags = new Properties();
        try (InputStream in = SlateScriptArchiveTest.class.getResourceAsStream("/io/slate/jvm-flags.properties")) {
            assertTrue(in != null, "io/slate/jvm-flags.properties is on the class path");
            flags.load(in);
        }
        final Manifest m = new Manifest();
        final Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, SlateCli.class.getName());
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        a.putValue("Add-Opens", flags.getProperty("opens", "").trim());
        a.putValue("Add-Exports", flags.getProperty("exports", "").trim());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
    }

    private static void jarDirectory(final Path dir, final Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                j.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }
}
