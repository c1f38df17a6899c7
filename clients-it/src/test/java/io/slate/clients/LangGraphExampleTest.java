package io.slate.clients;

import io.slate.demo.LangGraphWatch;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example of clients/node/langgraph/example: two Node processes run a LangGraph.js graph on ONE thread at the same
 * time, its checkpoints in Slate through {@code slate serve} (a real process); a JVM agent ({@link LangGraphWatch})
 * follows the thread's checkpoints through the journal. The thread's history must stay one line (no hidden fork),
 * every round an agent saw complete must be in the final state, every refused step must be one removed checkpoint in
 * the journal, and the JVM must have seen every checkpoint of the history with its parent.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LangGraphExampleTest {
    private static final int ROUNDS = 4;
    private static final Pattern DONE = Pattern.compile("^DONE (\\w+) rounds=(\\d+) conflicts=(\\d+)$", Pattern.MULTILINE);
    private static final Pattern HISTORY = Pattern.compile("^HISTORY (\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final Pattern SEEN = Pattern.compile("^checkpoint (\\S+) parent (\\S+) ");

    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void twoNodeProcessesShareOneThreadAndAJvmWatchesItsCheckpoints() throws Exception {
        final Path pkg = Node.langgraphPackage();
        final Serve serve = new Serve(processes, "lg-example");
        final String port = Integer.toString(serve.port);
        final String thread = "trip-" + ProcessHandle.current().pid();
        final ChildJvm watch = processes.child("lg-watch", LangGraphWatch.class, serve.space.toString(), thread, "240");
        watch.awaitLineStartingWith("WATCHING", 60, TimeUnit.SECONDS);

        int conflicts = 0;
        try (Node.Proc alice = new Node.Proc(List.of(Node.node(), "example/agent.js", port, thread, "alice", Integer.toString(ROUNDS)), pkg, Map.of());
                Node.Proc bob = new Node.Proc(List.of(Node.node(), "example/agent.js", port, thread, "bob", Integer.toString(ROUNDS)), pkg, Map.of())) {
            for (Node.Proc p : List.of(alice, bob)) {
                final Node.Result r = p.await(180);
                assertEquals(0, r.exit, r.toString());
                final Matcher m = DONE.matcher(r.out);
                assertTrue(m.find(), r.toString());
                assertEquals(ROUNDS, Integer.parseInt(m.group(2)));
                conflicts += Integer.parseInt(m.group(3));
            }
        }

        final Node.Result check;
        try (Node.Proc p = new Node.Proc(List.of(Node.node(), "example/check.js", port, thread), pkg, Map.of())) {
            check = p.await(120);
        }
        assertEquals(0, check.exit, check.toString());
        assertTrue(check.out.contains("LINEAR true\n"), "the thread's history is one line, no hidden fork:\n" + check);
        int acts = 0;
        for (String agent : List.of("alice", "bob")) {
            for (int round = 0; round < ROUNDS; round++) {
                assertTrue(check.out.contains("EVENT act:" + agent + "-" + round + "\n"),
                        "a round " + agent + " saw complete is in the final state: act:" + agent + "-" + round + "\n" + check);
            }
        }
        for (String line : check.out.split("\n")) {
            if (line.startsWith("EVENT act:")) {
                acts++;
            }
        }
        assertTrue(check.out.contains("ACTS " + acts + "\n"), "the state's count matches its log (" + acts + " acts):\n" + check);

        // the JVM saw every checkpoint of the history, with the same parent, through the journal
        final Map<String, String> history = new HashMap<>();
        final Matcher h = HISTORY.matcher(check.out);
        while (h.find()) {
            history.put(h.group(1), h.group(2));
        }
        assertTrue(history.size() >= 2 * ROUNDS * 3, "a few checkpoints per round: " + history.size());
        final Map<String, String> seen = new HashMap<>();
        final List<String> removed = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!seen.keySet().containsAll(history.keySet()) || removed.size() < conflicts) {
            assertTrue(System.nanoTime() < deadline, "the watcher saw " + seen.size() + " of " + history.size() + " checkpoints and "
                    + removed.size() + " of " + conflicts + " removals:\n" + String.join("\n", watch.output()));
            final String line = watch.awaitLine(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            final Matcher s = SEEN.matcher(line);
            if (s.find()) {
                seen.put(s.group(1), s.group(2));
            } else if (line.startsWith("removed ")) {
                removed.add(line);
            }
        }
        for (Map.Entry<String, String> e : history.entrySet()) {
            assertEquals(e.getValue(), seen.get(e.getKey()), "parent of checkpoint " + e.getKey() + " as the JVM read it from the journal");
        }
        // every refused step is one checkpoint written and then removed, nothing more
        assertEquals(conflicts, removed.size(), "one removal per conflict: " + removed);
        assertEquals(history.size() + conflicts, seen.size(), "every checkpoint written is in the history or was refused");
        System.out.println("[LangGraphExampleTest] " + history.size() + " checkpoints in one line, " + conflicts + " refused steps retried");
    }
}
