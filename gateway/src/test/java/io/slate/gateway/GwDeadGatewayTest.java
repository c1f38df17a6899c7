package io.slate.gateway;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import io.slate.testing.ChildJvm;
import io.slate.testing.Processes;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's process is SIGKILLed while its clients hold an unacknowledged take (a named connection: its own agent)
 * and a mutex (an unnamed one: the gateway's agent): the space gives both back (both agents lived in the process, now
 * dead), exactly as for a JVM agent that dies.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GwDeadGatewayTest {
    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void aKilledGatewayGivesBackWhatItsClientsHeld() throws Exception {
        final Path dir = processes.dir("gw-dead");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("observer"))) {
            final TupleSpace jobs = TupleSpace.of(space, "jobs");
            jobs.out(Tuple.of("alert", 1L));
            final ChildJvm gw = processes.child("gateway", GwChildMain.class, dir.toString(), "gateway-victim");
            final int port = Integer.parseInt(gw.awaitLineStartingWith("PORT ", 60, TimeUnit.SECONDS).substring(5));
            final long token;
            try (Resp3Client c = new Resp3Client(port);
                 Resp3Client named = new Resp3Client(port)) {
                // the take by a named connection (held by its own agent, in the gateway's process), the mutex by an unnamed one
                assertEquals("OK", named.call("CLIENT", "SETNAME", "taker"));
                final String taken = named.call("SLATE.TAKE", "jobs", "alert", "?long");
                assertTrue(taken.endsWith(", [\"alert\", 1]]"), taken);
                token = Long.parseLong(c.call("SLATE.LOCK", "drone"));
                assertEquals(null, jobs.rdp(Template.of("alert", Template.ANY_LONG)), "taken by the gateway's client");
                gw.kill();
            }
            // the take returns and the mutex is taken over from the dead gateway
            Tuple back = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (back == null && System.nanoTime() < deadline) {
                back = jobs.inp(Template.of("alert", Template.ANY_LONG));
                if (back == null) {
                    Thread.sleep(10);
                }
            }
            assertNotNull(back, "the unacknowledged take of the dead gateway came back");
            final Mutex drone = Sync.of(space).mutex("drone");
            final long t2 = drone.tryLock(10, TimeUnit.SECONDS);
            assertTrue(t2 > token, "taken over with a larger fencing token: " + t2 + " > " + token);
            drone.unlock();
            jobs.close();
        }
    }
}
