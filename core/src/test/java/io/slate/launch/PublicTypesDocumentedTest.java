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
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public API's javadoc documents every public type (javadoc's doclint runs with "missing" off,
 * because it would also ask for @param and @return on every member; this is the part of it the project keeps).
 * Reads core's sources but the backends' implementation packages, which the javadoc leaves out too (see the parent pom).
 */
@Timeout(60)
class PublicTypesDocumentedTest {
    /** Packages under io.slate that are implementation, not API (shm and engine: the backend split of issue #10). */
    private static final java.util.Set<String> IMPLEMENTATION = java.util.Set.of("internal", "shm", "engine");

    /** A type declaration: top level, or nested and public. */
    private static final Pattern TYPE = Pattern.compile(
            "^(public |(\\s+)public )(static |final |abstract |sealed |non-sealed )*(class|interface|enum|record|@interface) \\w+.*");

    @Test
    void everyPublicTypeHasADocComment() throws IOException {
        final Path root = Paths.get("src/main/java/io/slate");
        assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " (run from core/)");
        final List<String> undocumented = new ArrayList<>();
        int types = 0;
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !IMPLEMENTATION.contains(root.relativize(p).getName(0).toString()))
                    .sorted().collect(Collectors.toList());
        }
        for (Path f : files) {
            if (f.getFileName().toString().equals("package-info.java")) {
                continue;
            }
            final List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!TYPE.matcher(lines.get(i)).matches()) {
                    continue;
                }
                types++;
                int j = i - 1;
                while (j >= 0 && lines.get(j).trim().startsWith("@")) {
                    j--; // annotations between the comment and the declaration
                }
                if (j < 0 || !lines.get(j).trim().endsWith("*/")) {
                    undocumented.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertTrue(types > 50, "found only " + types + " public types: the pattern no longer matches the sources");
        assertEquals(List.of(), undocumented, "public types without a doc comment");
    }
}
