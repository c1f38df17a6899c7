package io.slate.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key comparison behind a remembered entry: a slot whose hash, segment and stamp match is the key's only when every
 * byte of the stored key equals the key asked about, whatever the key's length (whole 8-byte words, the tail of a
 * longer key compared as its last 8 bytes, the bytes of a short one).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EntryTableTest {
    @Test
    void aSlotIsFoundOnlyForEveryByteOfItsKey() {
        final ByteBuffer memory = ByteBuffer.allocateDirect(64);
        final UnsafeBuffer stored = new UnsafeBuffer(memory);
        final long keyAt = stored.addressOffset();
        final byte[] given = new byte[64];
        final EntryTable table = new EntryTable(given);
        try {
            for (int n = 1; n <= 40; n++) {
                for (int i = 0; i < n; i++) {
                    stored.putByte(i, (byte) ('a' + (i * 7) % 26));
                    given[i] = (byte) ('a' + (i * 7) % 26);
                }
                final long hash = 0x9E3779B97F4A7C15L * n; // one hash for every key of this length: only the bytes tell them apart
                table.remember(3, 11, hash, n, keyAt + 0, keyAt + 48, 9);
                assertTrue(table.find(3, 11, hash, n), "the same " + n + " bytes");
                assertEquals(9, table.size);
                for (int at = 0; at < n; at++) {
                    given[at] ^= 0x20;
                    assertFalse(table.find(3, 11, hash, n), n + " bytes, differing at " + at);
                    given[at] ^= 0x20;
                }
                assertTrue(table.find(3, 11, hash, n));
                assertFalse(table.find(3, 12, hash, n), "another stamp");
                assertFalse(table.find(4, 11, hash, n), "another segment");
            }
        } finally {
            table.close();
        }
    }
}
