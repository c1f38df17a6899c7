package io.slate.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs {@code slate verify}, {@code slate tail} and {@code slate stat} on each space directory given, in a child JVM
 * (a fault on a mapped file would kill it, not the test), through the real entry point. Prints, per command, one line
 * {@code RESULT <dir name> <command> <exit code> <stderr line count> <first stdout line>|<stderr>}, after
 * {@code CASE <dir name>} so a crash shows where it happened.
 */
final class CliBatchChild {
    private CliBatchChild() {
    }

    public static void main(final String[] args) {
        for (String dir : args) {
            final String name = Path.of(dir).getFileName().toString();
            System.out.println("CASE " + name);
            for (String command : new String[] {"verify", "tail", "stat"}) {
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                final ByteArrayOutputStream err = new ByteArrayOutputStream();
                final int code = SlateCli.run(new String[] {command, "--space", dir}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
                final String e = err.toString(StandardCharsets.UTF_8);
                final String firstOut = out.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
                System.out.println("RESULT " + name + " " + command + " " + code + " " + e.lines().count() + " " + firstOut + "|" + e.strip());
            }
        }
        System.out.println("END");
    }
}
