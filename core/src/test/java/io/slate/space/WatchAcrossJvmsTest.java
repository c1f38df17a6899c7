package io.slate.space;

import io.slate.journal.Subscription;
import io.slate.kv.Entry;
import io.slate.testing.ChildJvm;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Watching a key and subscribing to a prefix, fed from the journal, with the writers in other JVMs. */
class WatchAcrossJvmsTest {
    private Path dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(ChildJvm::close);
        TestSpaces.delete(dir);
    }

    @Test
    void awaitChangeAndPrefixSubscriptionSeeOtherJvmsWrites() throws Exception {
        dir = TestSpaces.newDirectory("watch");
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("watcher"))) {
            final List<String> seen = new CopyOnWriteArrayList<>();
            final long[] lastIndex = {-1};
            final boolean[] ordered = {true};
            try (Subscription sub = space.journal().subscribe("n", -1, r -> {
                if (r.index() <= lastIndex[0]) {
                    ordered[0] = false;
                }
                lastIndex[0] = r.index();
                seen.add(r.key() + "@" + r.version());
            })) {
                final ChildJvm sleeper = ChildJvm.start("sleeper", ChildMains.Sleeper.class, dir.toString(), "remote");
                children.add(sleeper);
                final Entry e = space.kv().awaitChange("sleeper/remote", 0, 60, TimeUnit.SECONDS);
                assertNotNull(e, "the other JVM's write wakes the watcher");
                assertEquals("remote", e.writer());
                assertEquals("here", e.valueAsString());

                final ChildJvm writer = ChildJvm.start("writer", ChildMains.RandomWriter.class, dir.toString(), "w", "2000", "50", "7", "0");
                children.add(writer);
                writer.awaitLineStartingWith("DONE", 120, TimeUnit.SECONDS);
                assertEquals(0, writer.awaitExit(30, TimeUnit.SECONDS), writer.stderr());
                final long last = space.journal().lastIndex();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sub.lastIndex() < last && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(last, sub.lastIndex(), "the subscription reached the end of the journal");
            }
            assertTrue(ordered[0], "records arrive in journal order");
            assertTrue(seen.size() > 100, "the writer's increments of n* keys were seen: " + seen.size());
            final Map<String, Long> versions = new HashMap<>();
            for (String s : seen) {
                assertTrue(s.startsWith("n"), "only the prefix: " + s);
                final String key = s.substring(0, s.indexOf('@'));
                final long v = Long.parseLong(s.substring(s.indexOf('@') + 1));
                final Long prev = versions.put(key, v);
                assertEquals(prev == null ? 1 : prev + 1, v, "every version of " + key + " once, in order");
            }
            for (Map.Entry<String, Long> kv : versions.entrySet()) {
                assertEquals(kv.getValue().longValue(), space.kv().version(kv.getKey()));
            }
        }
    }
}
