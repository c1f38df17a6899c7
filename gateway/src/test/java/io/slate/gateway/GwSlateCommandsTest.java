package io.slate.gateway;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.sync.Sync;
import io.slate.tuple.Template;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slate's own commands through the protocol: the journal as a stream, waits, tuples with takes owned by the connection, locks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GwSlateCommandsTest {

    private static List<Long> journalIndices(final GwServer s) {
        final List<Long> l = new ArrayList<>();
        try (Tailer t = s.space.journal().tailerFromStart()) {
            JournalRecord r;
            while ((r = t.next(0, TimeUnit.MILLISECONDS)) != null) {
                l.add(r.index());
            }
        }
        return l;
    }

    @Test
    void theJournalIsAStream() throws Exception {
        try (GwServer s = new GwServer("stream"); Resp3Client c = s.client(); Resp3Client w = s.client()) {
            assertEquals("0", c.call("XLEN", "slate:journal"));
            assertEquals("[]", c.call("XRANGE", "slate:journal", "-", "+"));
            assertEquals("(nil)", c.call("XREAD", "STREAMS", "slate:journal", "0"));
            c.call("SET", "a", "1");
            c.call("SET", "b", "2");
            c.call("DEL", "a");
            final List<Long> idx = journalIndices(s);
            assertEquals(3, idx.size());
            assertEquals("3", c.call("XLEN", "slate:journal"));
            final String all = c.call("XRANGE", "slate:journal", "-", "+");
            assertTrue(all.startsWith("[[\"" + idx.get(0) + "-0\", [\"op\", \"put\", \"key\", \"a\", \"version\", \"1\", \"value\", \"1\", \"agent\", \"gateway-stream\", \"time\", \""), all);
            assertTrue(all.contains("[\"" + idx.get(2) + "-0\", [\"op\", \"remove\", \"key\", \"a\", \"version\", \"2\", \"value\", \"\""), all);
            assertEquals(ids(idx.subList(1, 3)), ids(c.call("XRANGE", "slate:journal", "(" + idx.get(0), "+")));
            assertEquals(ids(idx.subList(0, 2)), ids(c.call("XRANGE", "slate:journal", "-", "+", "COUNT", "2")));
            assertEquals(ids(List.of(idx.get(2), idx.get(1))), ids(c.call("XREVRANGE", "slate:journal", "+", "-", "COUNT", "2")));
            assertEquals(ids(List.of(idx.get(1))), ids(c.call("XRANGE", "slate:journal", idx.get(1) + "", idx.get(1) + "-0")));
            assertEquals(ids(idx.subList(1, 3)), ids(c.call("XREAD", "COUNT", "5", "STREAMS", "slate:journal", idx.get(0) + "-0")));
            assertEquals("-ERR Invalid stream ID specified as stream command argument", c.call("XRANGE", "slate:journal", "x", "+"));
            assertTrue(c.call("XADD", "slate:journal", "*", "f", "v").startsWith("-ERR Slate: streams are read-only"));
            // XREAD BLOCK waits for the next write, without holding up the writer's connection
            c.send("XREAD", "BLOCK", "10000", "STREAMS", "slate:journal", "$");
            Thread.sleep(200);
            assertEquals("OK", w.call("SET", "later", "x"));
            final String got = Resp3Client.render(c.readFrame());
            assertTrue(got.startsWith("[[\"slate:journal\", [[\"") && got.contains("\"key\", \"later\""), got);
            assertEquals("(nil)", c.call("XREAD", "BLOCK", "50", "STREAMS", "slate:journal", "$"));
            // RESP3: XREAD is a map of stream to entries
            c.call("HELLO", "3");
            assertTrue(c.call("XREAD", "COUNT", "1", "STREAMS", "slate:journal", "0").startsWith("{\"slate:journal\": [[\""));
        }
    }

    private static String ids(final List<Long> idx) {
        final StringBuilder sb = new StringBuilder();
        for (long i : idx) {
            sb.append(i).append("-0 ");
        }
        return sb.toString().trim();
    }

    private static String ids(final String reply) {
        final Matcher m = Pattern.compile("\"(\\d+-0)\"").matcher(reply);
        final StringBuilder sb = new StringBuilder();
        while (m.find()) {
            sb.append(m.group(1)).append(' ');
        }
        return sb.toString().trim();
    }

    @Test
    void waitReturnsTheNextVersion() throws Exception {
        try (GwServer s = new GwServer("wait"); Resp3Client c = s.client(); Resp3Client w = s.client()) {
            assertEquals("(nil)", c.call("SLATE.WAIT", "k", "0"));
            c.send("SLATE.WAIT", "k", "0", "BLOCK", "10000");
            Thread.sleep(100);
            w.call("SET", "k", "v1");
            final String got = Resp3Client.render(c.readFrame());
            assertTrue(got.startsWith("[\"value\", \"v1\", \"version\", 1, "), got);
            assertTrue(c.call("SLATE.WAIT", "k", "0").startsWith("[\"value\", \"v1\""));
            assertEquals("(nil)", c.call("SLATE.WAIT", "k", "1", "BLOCK", "30"));
        }
    }

    @Test
    void takesBelongToTheConnectionAndComeBackWhenItDrops() throws Exception {
        try (GwServer s = new GwServer("tuples"); Resp3Client c = s.client()) {
            final String id = c.call("SLATE.OUT", "jobs", "alert", "7", "0.5", "true", "'42'");
            assertTrue(id.matches("\\d+"), id);
            assertEquals("[\"alert\", 7, \"0.5\", 1, \"42\"]", c.call("SLATE.RDP", "jobs", "alert", "?long", "?double", "*", "?string"));
            assertEquals("1", c.call("SLATE.COUNT", "jobs", "alert", "*", "*", "*", "*"));
            assertEquals("(nil)", c.call("SLATE.RDP", "jobs", "alert", "?string", "*", "*", "*"));
            assertTrue(c.call("SLATE.RDP", "jobs", "?nope").startsWith("-ERR unknown formal '?nope'"));
            try (Resp3Client taker = s.client()) {
                assertEquals("[" + id + ", [\"alert\", 7, \"0.5\", 1, \"42\"]]", taker.call("SLATE.TAKE", "jobs", "alert", "*", "*", "*", "*"));
                assertEquals("(nil)", c.call("SLATE.RDP", "jobs", "alert", "*", "*", "*", "*"), "a taken tuple is invisible");
                assertTrue(s.gateway.connections() >= 2);
            }
            // the taker dropped without SLATE.ACK: the tuple is back
            assertEquals("[\"alert\", 7, \"0.5\", 1, \"42\"]", rdpWithin(c, 5_000, "jobs", "alert", "*", "*", "*", "*"));
            try (Resp3Client taker = s.client()) {
                assertEquals("[" + id + ", [\"alert\", 7, \"0.5\", 1, \"42\"]]", taker.call("SLATE.TAKE", "jobs", "alert", "*", "*", "*", "*"));
                assertEquals("-ERR Slate: this connection holds no unacknowledged take 1", taker.call("SLATE.ACK", "1"));
                assertEquals("1", taker.call("SLATE.ACK", id));
            }
            Thread.sleep(200);
            assertEquals("(nil)", c.call("SLATE.RDP", "jobs", "alert", "*", "*", "*", "*"), "an acknowledged take is gone for good");
            // SLATE.IN BLOCK waits for an OUT from another connection; SLATE.RELEASE puts a take back
            c.send("SLATE.IN", "jobs", "job", "?long", "BLOCK", "10000");
            Thread.sleep(100);
            try (Resp3Client w = s.client()) {
                w.call("SLATE.OUT", "jobs", "job", "1");
                assertEquals("[\"job\", 1]", Resp3Client.render(c.readFrame()));
                final String id2 = w.call("SLATE.OUT", "jobs", "job", "2");
                assertEquals("[" + id2 + ", [\"job\", 2]]", w.call("SLATE.TAKE", "jobs", "job", "*", "BLOCK", "1000"));
                assertEquals("OK", w.call("SLATE.RELEASE", id2));
                assertEquals("[\"job\", 2]", w.call("SLATE.INP", "jobs", "job", "*"));
                assertEquals("(nil)", w.call("SLATE.TAKE", "jobs", "job", "*", "BLOCK", "20"));
            }
        }
    }

    private static String rdpWithin(final Resp3Client c, final long millis, final String... args) throws Exception {
        final String[] cmd = new String[args.length + 1];
        cmd[0] = "SLATE.RDP";
        System.arraycopy(args, 0, cmd, 1, args.length);
        final long deadline = System.currentTimeMillis() + millis;
        String r;
        do {
            r = c.call(cmd);
            if (!r.equals("(nil)")) {
                return r;
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < deadline);
        return r;
    }

    @Test
    void locksAreHeldByTheConnectionWithFencingTokens() throws Exception {
        try (GwServer s = new GwServer("locks"); Resp3Client b = s.client()) {
            final long t1;
            try (Resp3Client a = s.client()) {
                t1 = Long.parseLong(a.call("SLATE.LOCK", "drone"));
                assertTrue(t1 >= 1);
                assertTrue(a.call("SLATE.LOCK", "drone").startsWith("-ERR Slate: this connection already holds mutex 'drone'"));
                assertEquals("(nil)", b.call("SLATE.LOCK", "drone"));
                assertEquals("(nil)", b.call("SLATE.LOCK", "drone", "BLOCK", "100"));
                assertTrue(b.call("SLATE.UNLOCK", "drone").startsWith("-ERR Slate: this connection does not hold mutex 'drone'"));
                // b waits; a drops its connection while holding the mutex: b gets it with a larger token
                b.send("SLATE.LOCK", "drone", "BLOCK", "10000");
                Thread.sleep(100);
            }
            final long t2 = Long.parseLong(Resp3Client.render(b.readFrame()));
            assertTrue(t2 > t1, t2 + " > " + t1);
            assertEquals("OK", b.call("SLATE.UNLOCK", "drone"));
            try (Resp3Client a = s.client()) {
                assertTrue(Long.parseLong(a.call("SLATE.LOCK", "drone")) > t2);
                assertEquals("OK", a.call("SLATE.UNLOCK", "drone"));
            }
            // semaphores: permits held per connection, given back when it drops
            try (Resp3Client a = s.client()) {
                assertEquals("2", a.call("SLATE.SEM.ACQUIRE", "uplink", "2", "2"));
                assertEquals("(nil)", b.call("SLATE.SEM.ACQUIRE", "uplink", "2", "BLOCK", "50"));
                assertEquals("1", a.call("SLATE.SEM.RELEASE", "uplink", "2"));
                assertEquals("1", b.call("SLATE.SEM.ACQUIRE", "uplink", "2"));
                assertEquals("-ERR Slate: this connection holds 1 permit(s) of semaphore 'uplink', cannot release 2", a.call("SLATE.SEM.RELEASE", "uplink", "2", "2"));
            }
            assertEquals("2", b.call("SLATE.SEM.ACQUIRE", "uplink", "2", "BLOCK", "5000"));
            assertEquals(0, Sync.of(s.space).semaphore("uplink", 2).availablePermits());
            assertEquals("5", b.call("SLATE.COUNTER.ADD", "visits", "5"));
            assertEquals("3", b.call("SLATE.COUNTER.ADD", "visits", "-2"));
            assertEquals("3", b.call("SLATE.COUNTER.GET", "visits"));
            final String info = b.call("SLATE.INFO");
            assertTrue(info.contains("\"agent\", \"gateway-locks\"") && info.contains("mutex drone"), info);
        }
    }

    @Test
    void postsToABlackboard() throws Exception {
        try (GwServer s = new GwServer("bb", GatewayConfig.defaults().port(0).ioThreads(2)); Resp3Client c = s.client(); Resp3Client d = s.client()) {
            io.slate.blackboard.Blackboard.of(s.space, "incident", "hypothesis", "plan").close();
            final long id = Long.parseLong(c.call("SLATE.BB.POST", "incident", "hypothesis", "0.9", "sensor", "3", "value", "0.9", "who", "py"));
            try (io.slate.blackboard.Blackboard bb = io.slate.blackboard.Blackboard.of(s.space, "incident")) {
                final io.slate.blackboard.BlackboardEntry e = bb.snapshot().entries("hypothesis").get(0);
                assertEquals(id, e.id());
                assertEquals(3, e.attributes().getLong("sensor"));
                assertEquals(0.9, e.attributes().getDouble("value"));
                assertEquals("py", e.attributes().getString("who"));
            }
            // another connection, on the other event-loop thread: the blackboard handle is still used by one thread only
            for (int i = 0; i < 5; i++) {
                assertTrue(Long.parseLong(d.call("SLATE.BB.POST", "incident", "hypothesis", "0.5", "n", Integer.toString(i))) > id);
                assertTrue(Long.parseLong(c.call("SLATE.BB.POST", "incident", "hypothesis", "0.5", "m", Integer.toString(i))) > id);
            }
            assertTrue(c.call("SLATE.BB.POST", "incident", "nolevel", "0.5").startsWith("-ERR "));
            assertTrue(c.call("SLATE.BB.POST", "nosuchboard", "hypothesis", "0.5").startsWith("-ERR "));
            assertTrue(c.call("SLATE.BB.POST", "incident", "hypothesis", "2").startsWith("-ERR "));
        }
    }

    @Test
    void waitingCommandsNeverHoldUpTheEventLoop() throws Exception {
        try (GwServer s = new GwServer("loop", GatewayConfig.defaults().port(0).ioThreads(1))) {
            final List<Resp3Client> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    final Resp3Client w = s.client();
                    w.send("SLATE.RD", "q", "x", "?long", "BLOCK", "0");
                    waiting.add(w);
                }
                try (Resp3Client c = s.client()) {
                    // one event-loop thread, twenty clients waiting forever: others are still served
                    for (int i = 0; i < 50; i++) {
                        assertEquals("PONG", c.call("PING"));
                    }
                    c.call("SLATE.OUT", "q", "x", "9");
                }
                for (Resp3Client w : waiting) {
                    assertEquals("[\"x\", 9]", Resp3Client.render(w.readFrame()));
                }
                // pipelined commands after a waiting one are answered after it, in order
                final Resp3Client p = waiting.get(0);
                p.sendRaw(concat(Resp3Client.encode("SLATE.IN", "q", "y", "BLOCK", "5000"), Resp3Client.encode("PING")));
                try (Resp3Client c = s.client()) {
                    c.call("SLATE.OUT", "q", "y");
                }
                assertEquals("[\"y\"]", Resp3Client.render(p.readFrame()));
                assertEquals("PONG", Resp3Client.render(p.readFrame()));
            } finally {
                for (Resp3Client w : waiting) {
                    w.close();
                }
            }
            final TupleSpace q = TupleSpace.of(s.space, "q");
            assertNotNull(q.rdp(Template.of("x", 9L)));
            assertNull(q.rdp(Template.of("y")));
        }
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
