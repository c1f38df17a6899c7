package io.slate.cli;

import io.slate.space.Space;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * The run that {@code scripts/slate} records its class-data-sharing archive from ({@code -XX:ArchiveClassesAtExit}):
 * the commands of the command line, in-process, on a scratch space that is deleted afterwards, so that the classes
 * every command loads (Chronicle's above all) are archived and later commands map them instead of loading them.
 * Prints nothing; exits 0 when every command did what it should. The scratch space is a sibling of the space root
 * ({@code /dev/shm/.slate-cds-training-PID} for the default root), not inside it: the run creates no root it would
 * have to remove (removing one races with an agent creating its first space there).
 *
 * <pre>
 *   java -XX:ArchiveClassesAtExit=slate.jsa -cp slate.jar io.slate.cli.CdsTraining
 * </pre>
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(final String[] args) throws Exception {
        final Path root = Paths.get(System.getProperty("slate.root", "/dev/shm/slate")).toAbsolutePath();
        final Path dir = root.resolveSibling(".slate-cds-training-" + ProcessHandle.current().pid());
        final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, "UTF-8");
        final String space = dir.toString();
        final Map<String, String> env = Map.of();
        final String[][] commands = {
            {"put", "k", "v", "--space", space},
            {"get", "k", "--space", space},
            {"cas", "k", "1", "w", "--space", space},
            {"incr", "n", "--space", space},
            {"del", "n", "--space", space},
            {"tail", "--space", space},
            {"tail", "--format", "json", "--space", space},
            {"stat", "--space", space},
            {"agents", "--space", space},
            {"verify", "--space", space},
            {"out", "--name", "t", "job", "1", "--space", space},
            {"rdp", "--name", "t", "job", "?long", "--space", space},
            {"tuples", "--name", "t", "--space", space},
            {"inp", "--name", "t", "job", "?long", "--space", space},
            {"locks", "--all", "--space", space},
        };
        int failures = 0;
        try {
            for (String[] c : commands) {
                if (SlateCli.run(c, env, quiet, quiet) != SlateCli.EXIT_OK) {
                    failures++;
                }
            }
        } finally {
            if (Files.exists(dir)) {
                Space.delete(dir);
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
