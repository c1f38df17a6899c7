package io.slate.shm;

import io.slate.kv.EntryBuffer;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal cursors that waiting threads keep between calls of {@code awaitChange} into a buffer: one per thread,
 * closed when the thread has ended (a pool's threads come and go), and a cursor far behind the journal starts again
 * from its end without missing the change it waits for.
 */
@Timeout(120)
class WaitCursorsTest {
    private final Path dir = TestSpaces.newDirectory("wait-cursors");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    @Test
    void theCursorsOfThreadsThatEndedAreClosedWhenAnotherThreadStartsWaiting() throws Exception {
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("a"))) {
            final ChronicleKeyValue kv = ((ChronicleSpace) space).chronicleKv();
            kv.put("k", "1".getBytes());
            final CountDownLatch waited = new CountDownLatch(5);
            final CountDownLatch end = new CountDownLatch(1);
            final Thread[] threads = new Thread[5];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    waitOnce(kv);
                    waited.countDown();
                    try {
                        end.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                threads[i].start();
            }
            assertTrue(waited.await(30, TimeUnit.SECONDS));
            assertEquals(5, kv.waitCursors(), "each live thread that waited keeps a cursor");
            end.countDown();
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertEquals(5, kv.waitCursors(), "nothing closes them until a thread starts waiting");
            waitOnce(kv);
            assertEquals(1, kv.waitCursors(), "the five ended threads' cursors were closed; this thread's is open");
            waitOnce(kv);
            assertEquals(1, kv.waitCursors(), "a thread keeps its one cursor");
        }
    }

    private static void waitOnce(final KeyValue kv) {
        try {
            assertEquals(1, kv.awaitChange("k", 0, new EntryBuffer(), 10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWaiterFarBehindTheJournalStillSeesItsKeysChange() throws Exception {
        try (Space space = Space.open(SpaceOptions.at(dir).agentId("a"))) {
            final KeyValue kv = space.kv();
            final EntryBuffer b = new EntryBuffer();
            kv.put("k", "1".getBytes());
            assertEquals(1, kv.awaitChange("k", 0, b, 0, TimeUnit.SECONDS), "the waiter's cursor is placed");
            // more records than a waiter reads through before it starts again from the end, then the change
            final byte[] v = new byte[8];
            for (int i = 0; i < ChronicleKeyValue.CHANGE_WAIT_CATCH_UP + 5_000; i++) {
                kv.put("other", v);
            }
            kv.put("k", "2".getBytes());
            assertEquals(2, kv.awaitChange("k", 1, b, 10, TimeUnit.SECONDS));
            assertEquals("2", b.valueAsString());
            // and while another thread writes (one change of k among many records of another key), nothing is missed
            final AtomicLong written = new AtomicLong();
            final Thread writer = new Thread(() -> {
                for (int i = 0; i < ChronicleKeyValue.CHANGE_WAIT_CATCH_UP * 2; i++) {
                    kv.put("other", v);
                    if (i == ChronicleKeyValue.CHANGE_WAIT_CATCH_UP + 1_000) {
                        written.set(kv.put("k", "3".getBytes()));
                    }
                }
            });
            writer.start();
            assertEquals(3, kv.awaitChange("k", 2, b, 60, TimeUnit.SECONDS));
            assertEquals("3", b.valueAsString());
            writer.join(60_000);
            assertEquals(3, written.get());
        }
    }
}
