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
 * the commands of the command line, in-process, on a scratch space that is deleted afterwards (and the space root with
 * it when this run created it and nothing else is in it), so that the classes
 * every command loads (Chronicle's above all) are archived and later commands map them instead of loading them.
 * Prints nothing; exits 0 when every command did what it should.
 *
 * <pre>
 *   java -XX:ArchiveClassesAtExit=slate.jsa -cp slate.jar io.slate.cli.CdsTraining
 * </pre>
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(final String[] args) throws Exception {
        final Path root = Paths.get(System.getProperty("slate.root", "/dev/shm/slate"));
        final boolean rootExisted = Files.isDirectory(root);
        final Path dir = root.resolve(".cds-training-" + ProcessHandle.current().pid());
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
            if (!rootExisted) {
                try {
                    Files.deleteIfExists(root); // the root this run created, when no space was made in it meanwhile
                } catch (java.nio.file.DirectoryNotEmptyException someoneElsesSpace) {
                    // another agent's space lives there now: the root stays
                }
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
