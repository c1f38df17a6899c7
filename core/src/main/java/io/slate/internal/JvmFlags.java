package io.slate.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags Chronicle needs on Java 17+, and the start options recommended for agent JVMs, as generated into
 * {@code io/slate/jvm-flags.properties} from the parent pom (the one place they are kept). Launchers of child JVMs
 * (tests, demo, benchmarks, scripts) use {@link #arguments()}.
 */
public final class JvmFlags {
    private static final List<String> ARGS = load();

    private JvmFlags() {
    }

    /**
     * {@code --add-opens}/{@code --add-exports}, system properties and the start options
     * ({@link io.slate.launch.JvmOptions#startOptions()}), ready for a java command line.
     */
    public static List<String> arguments() {
        return ARGS;
    }

    /**
     * Prints the flags one per line, for scripts that start a JVM with {@code -cp} (where the jar manifest does not
     * apply); with the argument {@code jar-extras}, only the options of this Java release that a jar's manifest does
     * not carry ({@link io.slate.launch.JvmOptions#releaseOptions()}), for scripts that start it with {@code -jar}.
     */
    public static void main(final String[] args) {
        for (String a : args.length > 0 && args[0].equals("jar-extras") ? io.slate.launch.JvmOptions.releaseOptions() : ARGS) {
            System.out.println(a);
        }
    }

    private static List<String> load() {
        final Properties p = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream("/io/slate/jvm-flags.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/slate/jvm-flags.properties is missing from the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final List<String> args = new ArrayList<>();
        for (String s : p.getProperty("opens", "").trim().split("\\s+")) {
            if (!s.isEmpty()) {
                args.add("--add-opens=" + s + "=ALL-UNNAMED");
            }
        }
        for (String s : p.getProperty("exports", "").trim().split("\\s+")) {
            if (!s.isEmpty()) {
                args.add("--add-exports=" + s + "=ALL-UNNAMED");
            }
        }
        for (String s : p.getProperty("sysprops", "").trim().split("\\s+")) {
            if (!s.isEmpty()) {
                args.add(s);
            }
        }
        args.addAll(io.slate.launch.JvmOptions.releaseOptions()); // JvmOptions.commandLine()'s order, then the start options
        for (String s : p.getProperty("start", "").trim().split("\\s+")) {
            if (!s.isEmpty()) {
                args.add(s);
            }
        }
        return Collections.unmodifiableList(args);
    }
}
