package io.slate.cli;

import io.slate.internal.JvmFlags;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class-data-sharing training run ({@code scripts/slate} runs it in a JVM of its own) leaves nothing behind: its
 * scratch space, a sibling of the space root, is deleted, and it creates no root (nor touches one that exists). Run as
 * a real child JVM on a root of the test's own.
 */
class CdsTrainingTest {
    private static final long WAIT_SECONDS = 120;

    private final Path root = TestSpaces.newDirectory("cds-root");

    @AfterEach
    void tearDown() throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        try {
            Files.deleteIfExists(root.getParent());
        } catch (java.nio.file.DirectoryNotEmptyException othersStillThere) {
            // other tests' spaces
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void noRootIsCreatedAndTheScratchSpaceGoes() throws Exception {
        assertFalse(Files.exists(root));
        train();
        assertFalse(Files.exists(root), "the training run created the space root " + root);
        try (Stream<Path> left = Files.list(root.getParent())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".slate-cds-training-")),
                    "the training run left its scratch space in " + root.getParent());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRootThatExistedStaysWithWhatWasInIt() throws Exception {
        final Path other = Files.createDirectories(root.resolve("someone-elses-space"));
        train();
        assertTrue(Files.isDirectory(other), "the training run removed what it did not create");
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(List.of(other), left.toList(), "the training run changed the existing root " + root);
        }
    }

    private void train() throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.arguments());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dslate.root=" + root);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CdsTraining.class.getName());
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the training run did not exit within " + WAIT_SECONDS + " s");
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "the training run failed:\n" + out);
        } finally {
            p.destroyForcibly();
        }
    }
}
