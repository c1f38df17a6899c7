package io.slate.etcd.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixture itself against real etcd processes: leader, SIGKILL, SIGSTOP/SIGCONT, restart, and nothing left after close. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdClusterTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void membersAreControlledByTheirOwnHandlesAndNothingIsLeftAfterClose() {
        final Path dir;
        final long[] pids = new long[3];
        try (EtcdCluster c = EtcdCluster.start(3)) {
            dir = c.directory();
            assertTrue(Files.isDirectory(dir.resolve("m1").resolve("data")));
            for (int i = 0; i < 3; i++) {
                pids[i] = c.member(i).pid();
                assertTrue(c.member(i).isHealthy(), c.member(i) + " healthy after start");
            }
            assertEquals(3, c.endpoints().split(",").length);
            assertTrue(c.address("robots").startsWith("etcd://127.0.0.1:") && c.address("robots").endsWith("/robots"));

            final EtcdCluster.Member leader = c.leader(TEN_SECONDS);
            leader.kill();
            assertFalse(ProcessHandle.of(leader.pid()).map(ProcessHandle::isAlive).orElse(false), "SIGKILLed leader is gone");
            final EtcdCluster.Member next = c.leader(TEN_SECONDS);
            assertNotSame(leader, next, "the two survivors elect a new leader");
            leader.restart();
            assertTrue(leader.isHealthy());

            final EtcdCluster.Member follower = c.follower(c.leader(TEN_SECONDS));
            follower.pause();
            assertFalse(follower.isHealthy(), "a SIGSTOPped member answers nothing");
            assertTrue(ProcessHandle.of(follower.pid()).map(ProcessHandle::isAlive).orElse(false), "paused, not dead");
            follower.resume();
            c.awaitHealthy(TEN_SECONDS);
            assertTrue(follower.isHealthy());

            follower.stop();
            assertFalse(follower.isRunning());
            follower.restart();
            assertTrue(follower.isHealthy());
            pids[0] = c.member(0).pid();
            pids[1] = c.member(1).pid();
            pids[2] = c.member(2).pid();
        }
        assertFalse(Files.exists(dir), "the cluster's directory is removed: " + dir);
        for (final long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "etcd pid " + pid + " still runs");
        }
    }
}
