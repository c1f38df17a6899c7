package io.slate.space;

import io.slate.agent.AgentInfo;
import io.slate.journal.Op;
import io.slate.sync.Sync;
import io.slate.testing.TestSpaces;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SpaceOptions#observer(boolean)}: reads everything, is not an agent, creates and changes nothing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ObserverTest {
    private final Path dir = TestSpaces.newDirectory("observer");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void anObserverCreatesNothing() {
        final NotASpaceException missing = assertThrows(NotASpaceException.class, () -> Space.open(SpaceOptions.at(dir).observer(true)));
        assertTrue(missing.getMessage().contains("observer creates nothing"), missing.getMessage());
        assertFalse(Files.exists(dir), "no directory made");
    }

    @Test
    void anObserverReadsEverythingAndIsNotAnAgent() throws Exception {
        try (Space agent = Space.open(SpaceOptions.at(dir).agentId("writer"))) {
            agent.kv().putString("k", "v");
            try (TupleSpace ts = TupleSpace.of(agent, "jobs")) {
                ts.out(Tuple.of("job", 1L));
            }
            Sync.of(agent).counter("n").add(1);
            try (Space o = Space.open(SpaceOptions.at(dir).observer(true))) {
                assertTrue(o.options().observer());
                assertTrue(o.agentId().startsWith("observer-"), o.agentId());
                assertEquals("v", new String(o.kv().get("k").value(), StandardCharsets.UTF_8));
                assertEquals(1, o.kv().size());
                assertTrue(o.journal().verify().ok());
                assertEquals(agent.journal().lastIndex(), o.journal().lastIndex());
                try (TupleSpace ts = TupleSpace.of(o, "jobs")) {
                    assertNotNull(ts.rdp(Template.of("job", Template.ANY_LONG)));
                }
                assertEquals(1, Sync.of(o).primitives().get(0).value());
                final List<String> ids = o.agents().stream().map(AgentInfo::id).collect(Collectors.toList());
                assertEquals(List.of("writer"), ids, "the observer is not listed");
                assertEquals(List.of("writer"), agent.agents().stream().map(AgentInfo::id).collect(Collectors.toList()));
                assertEquals(1, o.stats().agentsAlive());
            }
        }
    }

    @Test
    void everyWriteThroughAnObserverFailsClearlyAndChangesNothing() throws Exception {
        try (Space agent = Space.open(SpaceOptions.at(dir).agentId("writer"))) {
            agent.kv().putString("k", "v");
            try (TupleSpace ts = TupleSpace.of(agent, "jobs")) {
                ts.out(Tuple.of("job", 1L));
            }
        }
        final long lastIndex;
        final List<String> filesBefore = files();
        try (Space o = Space.open(SpaceOptions.at(dir).observer(true))) {
            lastIndex = o.journal().lastIndex();
            final byte[] v = "x".getBytes(StandardCharsets.UTF_8);
            refused(() -> o.kv().put("k", v, 0, v.length), "write key 'k'");
            refused(() -> o.kv().putIfAbsent("new", v, 0, v.length), "write key 'new'");
            refused(() -> o.kv().compareAndSet("k", 1, v, 0, v.length), "write key 'k'");
            refused(() -> o.kv().remove("k"), "remove key 'k'");
            refused(() -> o.kv().increment("n", 1), "increment key 'n'");
            refused(() -> o.kv().update("k", b -> b), "key 'k'");
            refused(() -> ((io.slate.shm.ChronicleSpace) o).chronicleJournal().append(Op.TUPLE_OUT, 0, 0, "jobs", v, 0, 1), "journal");
            refused(() -> o.journal().namedTailer("mine"), "name a tailer");
            refused(() -> Sync.of(o).mutex("m"), "mutex 'm'");
            refused(() -> Sync.of(o).counter("c"), "counter 'c'");
            try (TupleSpace ts = TupleSpace.of(o, "jobs")) {
                refused(() -> ts.out(Tuple.of("job", 2L)), "journal");
                refused(() -> ts.inp(Template.of("job", Template.ANY_LONG)), "journal");
                assertNotNull(ts.rdp(Template.of("job", Template.ANY_LONG)), "the take was refused: the tuple is still there");
            }
            assertEquals(lastIndex, o.journal().lastIndex());
        }
        try (Space check = Space.open(SpaceOptions.at(dir).observer(true))) {
            assertEquals("v", new String(check.kv().get("k").value(), StandardCharsets.UTF_8));
            assertEquals(lastIndex, check.journal().lastIndex());
        }
        assertEquals(filesBefore, files(), "an observer creates no file (sync.slate is made by its first user, an agent)");
    }

    private static void refused(final Executable write, final String what) {
        final ReadOnlySpaceException e = assertThrows(ReadOnlySpaceException.class, write);
        assertTrue(e.getMessage().contains("observer") && e.getMessage().contains(what), e.getMessage());
    }

    private List<String> files() throws java.io.IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).filter(n -> !n.startsWith("journal/") || n.endsWith(".cq4t")).sorted()
                    .collect(Collectors.toList());
        }
    }
}
