package io.slate.gateway;

import io.slate.agent.AgentInfo;
import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.tuple.Template;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A named connection writes as its own agent: records, versions' writers and tuples name the client, not the
 * gateway; the agent is in the space's registry while a connection of that name is open, and leaves it when the last
 * one closes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GwNamedAgentsTest {

    @Test
    void twoPythonClientsWithDifferentNamesAreToldApartInTheJournal() throws Exception {
        final Path python = Tools.python();
        try (GwServer s = new GwServer("named-py")) {
            final Tools.Result r = Tools.run(List.of(python.toString(), GwRealClientsTest.script("named_agents.py").toString(),
                    Integer.toString(s.port()), s.space.agentId()), null, Map.of(), 90);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.startsWith("ok 8 records told apart"), r.toString());
            // what `slate tail` prints comes from the same records: the journal, read by a JVM agent
            final List<String> writers = new ArrayList<>();
            try (Tailer t = s.space.journal().tailerFromStart()) {
                JournalRecord rec;
                while ((rec = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    if (rec.key().toString().equals("plan")) {
                        writers.add(rec.agent().toString());
                    }
                }
            }
            assertEquals(List.of("planner", "critic", "critic", s.space.agentId()), writers);
            // the Python agents are gone with their connections
            awaitAgents(s.space, List.of(s.space.agentId()));
        }
    }

    /**
     * Every write path of a named connection is its agent's, through python3-redis: tuples out, taken and acknowledged,
     * a mutex, semaphore permits, a counter, blackboard posts (the entries' author, read back by a JVM agent) and a
     * transaction pipeline with WATCH; SLATE.INFO lists the agents writing through the gateway.
     */
    @Test
    void aNamedPythonConnectionWritesAsItselfOnEveryWritePath() throws Exception {
        final Path python = Tools.python();
        try (GwServer s = new GwServer("named-all")) {
            journalSyncEvents(s.space);
            final Tools.Result r = Tools.run(List.of(python.toString(), GwRealClientsTest.script("named_agents_everywhere.py").toString(),
                    Integer.toString(s.port()), s.space.agentId()), null, Map.of(), 90);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.startsWith("ok 13 records of 3 agents"), r.toString());
            assertEquals(List.of("planner", "critic", s.space.agentId()), boardAuthors(s.space));
            awaitAgents(s.space, List.of(s.space.agentId()));
        }
    }

    /** The same through npm redis, whose {@code name} option is sent as {@code HELLO 3 SETNAME}; SLATE.INFO as a RESP3 map. */
    @Test
    void aNodeConnectionNamedByHelloPostsAndLocksAsItself() throws Exception {
        final Path clients = Tools.nodeClients();
        try (GwServer s = new GwServer("named-node")) {
            journalSyncEvents(s.space);
            final Tools.Result r = Tools.run(List.of(Tools.node().toString(), GwRealClientsTest.script("named_agents_node.js").toString(),
                    Integer.toString(s.port()), s.space.agentId()), null, Map.of("NODE_PATH", clients.resolve("node_modules").toString()), 90);
            assertEquals(0, r.exit, r.toString());
            assertTrue(r.out.startsWith("ok node-redis 6.") && r.out.contains(" 6 records"), r.toString());
            assertEquals(List.of("scout-js"), boardAuthors(s.space));
            awaitAgents(s.space, List.of(s.space.agentId()));
        }
    }

    /** Defines the blackboard 'incident' and switches journaling on for the sync primitives the scripts use. */
    private static void journalSyncEvents(final Space space) {
        io.slate.blackboard.Blackboard.of(space, "incident", "hypothesis", "plan").close();
        final io.slate.sync.Sync sync = io.slate.sync.Sync.of(space);
        sync.mutex("drone", io.slate.sync.Journaling.ON);
        sync.semaphore("uplink", 2, io.slate.sync.Journaling.ON);
        sync.counter("visits", io.slate.sync.Journaling.ON);
    }

    /** The authors of the blackboard's 'hypothesis' entries, oldest first, as a JVM agent reads them. */
    private static List<String> boardAuthors(final Space space) {
        final List<String> authors = new ArrayList<>();
        try (io.slate.blackboard.Blackboard bb = io.slate.blackboard.Blackboard.of(space, "incident")) {
            for (io.slate.blackboard.BlackboardEntry e : bb.snapshot().entries("hypothesis")) {
                authors.add(e.author());
            }
        }
        return authors;
    }

    @Test
    void aNamedAgentLivesWhileAConnectionOfItsNameIsOpen() throws Exception {
        try (GwServer s = new GwServer("named-live");
             Resp3Client a = s.client();
             Resp3Client b = s.client()) {
            assertEquals("OK", a.call("CLIENT", "SETNAME", "scout"));
            assertEquals("OK", b.call("CLIENT", "SETNAME", "scout"));
            awaitAgents(s.space, List.of(s.space.agentId(), "scout"));
            assertEquals("OK", a.call("SET", "k", "1"));
            assertEquals("2", a.call("INCR", "k"));
            assertEquals("scout", s.space.kv().get("k").writer());
            // a take belongs to the connection, written as its agent; a connection holding one keeps its name
            try (TupleSpace jobs = TupleSpace.of(s.space, "jobs")) {
                jobs.out(io.slate.tuple.Tuple.of("job", 1L));
                assertTrue(b.call("SLATE.TAKE", "jobs", "job", "?long").endsWith(", [\"job\", 1]]"));
                assertTrue(b.call("CLIENT", "SETNAME", "other").startsWith("-ERR Slate: this connection holds 1 unacknowledged take(s)"),
                        "renaming a connection that holds a take");
                a.close();
                Thread.sleep(200);
                awaitAgents(s.space, List.of(s.space.agentId(), "scout")); // b still has the name
                assertEquals("OK", b.call("QUIT"));
                b.close();
                awaitAgents(s.space, List.of(s.space.agentId()));
                // the take of the closed connection came back
                assertTrue(waitFor(() -> jobs.rdp(Template.of("job", Template.ANY_LONG)) != null), "the take came back");
            }
            boolean takeRecord = false;
            try (Tailer t = s.space.journal().tailerFromStart()) {
                JournalRecord rec;
                while ((rec = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                    if (rec.op() == Op.TUPLE_TAKE) {
                        assertEquals("scout", rec.agent().toString());
                        takeRecord = true;
                    }
                }
            }
            assertTrue(takeRecord);
        }
    }

    @Test
    void aNameInUseByAnotherAgentGetsTheConnectionsNumberAndALongNameIsRefused() throws Exception {
        try (GwServer s = new GwServer("named-taken");
             Space jvmAgent = Space.open(SpaceOptions.at(s.dir).agentId("busy"));
             Resp3Client c = s.client()) {
            assertEquals("OK", c.call("CLIENT", "SETNAME", "busy"));
            final String id = c.call("CLIENT", "ID");
            assertEquals("OK", c.call("SET", "k", "v"));
            assertEquals("busy#" + id, s.space.kv().get("k").writer(), "the JVM agent 'busy' keeps its id");
            final String longName = "n".repeat(65);
            assertTrue(c.call("CLIENT", "SETNAME", longName).startsWith("-ERR Slate: client name 'nnnnnnnnnnnnnnnn...' is 65 bytes"));
            assertEquals("\"busy\"", c.call("CLIENT", "GETNAME"), "a refused name leaves the connection as it was");
            assertEquals("OK", c.call("CLIENT", "SETNAME", ""));
            assertEquals("OK", c.call("SET", "k", "w"));
            assertEquals(s.space.agentId(), s.space.kv().get("k").writer());
            assertFalse(jvmAgent.agents().isEmpty());
        }
    }

    private static void awaitAgents(final Space space, final List<String> expected) throws InterruptedException {
        final List<String> want = new ArrayList<>(expected);
        want.sort(null);
        List<String> ids = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            ids = new ArrayList<>();
            for (AgentInfo a : space.agents()) {
                if (a.isAlive()) {
                    ids.add(a.id());
                }
            }
            ids.sort(null);
            if (ids.equals(want)) {
                return;
            }
            Thread.sleep(20);
        }
        assertEquals(want, ids, "live agents of the space");
    }

    private static boolean waitFor(final java.util.function.BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }
}
