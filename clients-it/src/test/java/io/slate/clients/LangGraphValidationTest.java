package io.slate.clients;

import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LangGraph's own checkpointer validation suite (@langchain/langgraph-checkpoint-validation, from npm) against the Slate
 * saver of clients/node/langgraph, over {@code slate serve} started as a real process on a free port over a fresh
 * space; in the same vitest run, LangGraph's MemorySaver through the same suite (the baseline), the store checked
 * against LangGraph's InMemoryStore, and the saver's fencing tests. Every test MemorySaver passes must pass for the
 * Slate saver, and nothing may fail.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LangGraphValidationTest {
    private static final Pattern FILE = Pattern.compile("^FILE (\\S+) passed (\\d+) failed (\\d+) skipped (\\d+)$", Pattern.MULTILINE);
    private static final Pattern COMPARED = Pattern.compile("^COMPARED (\\d+) (\\d+)$", Pattern.MULTILINE);

    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void theSlateSaverPassesEverythingMemorySaverPasses() throws Exception {
        final Path pkg = Node.langgraphPackage();
        final Serve serve = new Serve(processes, "lg-validate");
        final Path report = Files.createTempFile("slate-vitest-", ".json");
        try {
            final Node.Result run;
            try (Node.Proc p = new Node.Proc(List.of(Node.node(), "node_modules/vitest/vitest.mjs", "run", "--globals", "--reporter=dot",
                    "--reporter=json", "--outputFile=" + report), pkg, Map.of("SLATE_GATEWAY_PORT", Integer.toString(serve.port)))) {
                run = p.await(240);
            }
            assertEquals(0, run.exit, "vitest failed:\n" + run);
            final Node.Result summary;
            try (Node.Proc p = new Node.Proc(List.of(Node.node(), "test/summary.js", report.toString()), pkg, Map.of())) {
                summary = p.await(60);
            }
            assertEquals(0, summary.exit, summary.toString());
            final Map<String, int[]> files = new HashMap<>();
            final Matcher m = FILE.matcher(summary.out);
            while (m.find()) {
                files.put(m.group(1), new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))});
            }
            System.out.println("[LangGraphValidationTest] " + summary.out.trim().replace("\n", "; "));
            for (String f : List.of("validation.memory.test.js", "validation.slate.test.js", "store.test.js", "saver.test.js")) {
                assertTrue(files.containsKey(f), "vitest ran " + f + ": " + summary.out);
                assertEquals(0, files.get(f)[1], f + " has failures: " + summary.out);
                assertTrue(files.get(f)[0] > 0, f + " passed nothing: " + summary.out);
            }
            final int[] memory = files.get("validation.memory.test.js");
            final int[] slate = files.get("validation.slate.test.js");
            assertTrue(memory[0] > 100, "the validation suite ran in full for MemorySaver: " + summary.out);
            assertTrue(slate[0] >= memory[0], "the Slate saver passes at least what MemorySaver passes: " + summary.out);
            assertTrue(!summary.out.contains("MISSING "), "tests MemorySaver passes and the Slate saver does not:\n" + summary.out);
            final Matcher c = COMPARED.matcher(summary.out);
            assertTrue(c.find() && Integer.parseInt(c.group(1)) == memory[0], "every test MemorySaver passed was compared: " + summary.out);
        } finally {
            Files.deleteIfExists(report);
        }
    }
}
