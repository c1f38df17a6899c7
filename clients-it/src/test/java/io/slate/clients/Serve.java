package io.slate.clients;

import io.slate.cli.SlateCli;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code slate serve --port 0} over a fresh space, in its own JVM (killed and its space removed after the test). */
final class Serve {
    private static final Pattern LISTENING = Pattern.compile("slate serve: listening on 127\\.0\\.0\\.1:(\\d+) ");

    final Path space;
    final ChildJvm process;
    final int port;

    Serve(final Processes processes, final String label) throws InterruptedException {
        space = processes.dir(label);
        process = processes.child("serve-" + label, SlateCli.class, "serve", "--space", space.toString(), "--port", "0");
        final String line = process.awaitLineStartingWith("slate serve: listening on", 120, TimeUnit.SECONDS);
        final Matcher m = LISTENING.matcher(line);
        if (!m.find()) {
            throw new AssertionError("slate serve printed an unexpected first line: " + line);
        }
        port = Integer.parseInt(m.group(1));
    }
}
