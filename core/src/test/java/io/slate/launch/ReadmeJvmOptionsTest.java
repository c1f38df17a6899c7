package io.slate.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README shows users the JVM options; they are the build's one list, as {@link JvmOptions} gives it. */
@Timeout(30)
class ReadmeJvmOptionsTest {
    private static final String INTRO = "Every JVM that opens a space needs these options";

    @Test
    void theReadmesOptionsAreTheBuildsList() throws IOException {
        final Path readme = Paths.get("../README.md");
        assertTrue(Files.isRegularFile(readme), readme.toAbsolutePath() + " (run from core/)");
        final List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith(INTRO)) {
            i++;
        }
        assertTrue(i < lines.size(), "README.md has no line starting with '" + INTRO + "'");
        i++;
        while (i < lines.size() && !lines.get(i).startsWith("```")) {
            i++;
        }
        final List<String> shown = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
            for (String word : lines.get(i).trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    shown.add(word);
                }
            }
        }
        // the block is the options every release needs; Java 24+ adds releaseOptions(), which the text after it names
        final List<String> everyRelease = new ArrayList<>(JvmOptions.commandLine());
        everyRelease.removeAll(JvmOptions.releaseOptions());
        assertEquals(everyRelease, shown, "the options in README.md's block after '" + INTRO + "'");
        final String text = String.join("\n", lines).replace('\n', ' ');
        assertTrue(text.contains("`--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED`"),
                "README.md names the Java 24+ options");
    }
}
