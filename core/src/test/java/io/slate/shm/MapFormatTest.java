package io.slate.shm;

import io.slate.internal.Utf8;
import io.slate.kv.Entry;
import io.slate.kv.EntryBuffer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import net.openhft.chronicle.hash.ChecksumEntry;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.MapSegmentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Space format 1.3's map: created without Chronicle Map entry checksums, while a map made by an earlier build (with
 * them) opens, is written and is verified as before; and keys handed to Chronicle Map pre-encoded and pre-hashed by
 * writes are stored exactly as Chronicle Map stores a {@code CharSequence} key, so a map's existing entries are found
 * and replaced, and reads (which hand Chronicle Map the key itself) find what writes stored.
 */
@Timeout(120)
class MapFormatTest {
    private final Path dir = TestSpaces.newDirectory("map-format");

    @AfterEach
    void delete() {
        TestSpaces.delete(dir);
    }

    private static boolean checksums(final Space s) {
        return ((VanillaChronicleHash<?, ?, ?, ?>) ((ChronicleSpace) s).map()).checksumEntries;
    }

    private static String text(final Space s, final String key) {
        final Entry e = s.kv().get(key);
        return e == null ? null : new String(e.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aNewSpacesMapKeepsNoEntryChecksums() {
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            assertFalse(checksums(s));
            assertEquals(SpaceDescriptor.FORMAT_MINOR, s.stats().formatMinor());
            assertEquals(4, s.stats().formatMinor());
            s.kv().putString("a", "1");
        }
        try (Space s = Space.open(SpaceOptions.at(dir))) {
            assertFalse(checksums(s));
            assertEquals("1", text(s, "a"));
            assertTrue(s.journal().verify().ok());
        }
    }

    /**
     * A space of format 1.2 as earlier builds made it: its map created with entry checksums (by the same builder
     * settings, through {@link ChronicleSpace#openMap} with {@code true}), its header saying 1.2. This build opens it,
     * keeps its checksums (Chronicle reads them from the map's header), writes, reads, removes and verifies, and a
     * later open reads everything back.
     */
    @Test
    void aFormat12SpaceWithEntryChecksumsOpensAndIsWrittenAsBefore() throws Exception {
        final SpaceOptions options = SpaceOptions.at(dir);
        try (Space s = Space.open(options)) {
            assertFalse(checksums(s));
        }
        final Path mapFile = dir.resolve(SpaceDescriptor.MAP_FILE_NAME);
        Files.delete(mapFile);
        Files.deleteIfExists(dir.resolve(SegmentGuards.FILE_NAME));
        try (ChronicleMap<CharSequence, EntryBuffer> old = ChronicleSpace.openMap(mapFile, options, true, true)) {
            assertTrue(((VanillaChronicleHash<?, ?, ?, ?>) old).checksumEntries);
        }
        setMinor(dir.resolve(SpaceDescriptor.FILE_NAME), 2);
        final Map<String, String> expected = new LinkedHashMap<>();
        try (Space s = Space.open(options)) {
            assertTrue(checksums(s), "an existing map keeps its entry checksums");
            assertEquals(2, s.stats().formatMinor());
            for (int i = 0; i < 500; i++) {
                s.kv().putString("key-" + i, "v" + i);
                expected.put("key-" + i, "v" + i);
            }
            s.kv().putString("mood/\uD83D\uDE00", "surrogates");
            expected.put("mood/\uD83D\uDE00", "surrogates");
            s.kv().putString("\u00E9t\u00E9", "latin");
            expected.put("\u00E9t\u00E9", "latin");
            assertEquals(3, s.kv().increment("counter", 3));
            expected.put("counter", "3");
            for (int i = 0; i < 500; i += 7) {
                assertTrue(s.kv().remove("key-" + i) > 0);
                expected.remove("key-" + i);
            }
            // values rewritten at their size and a counter that keeps its digits: the writes a map without checksums
            // makes in place; here Chronicle's replace must go on updating each entry's checksum
            for (int i = 1; i < 500; i += 3) {
                if (expected.containsKey("key-" + i)) {
                    s.kv().putString("key-" + i, "w" + i);
                    expected.put("key-" + i, "w" + i);
                }
            }
            assertEquals(4, s.kv().increment("counter", 1));
            expected.put("counter", "4");
            assertTrue(s.journal().verify().ok());
        }
        try (ChronicleMap<CharSequence, EntryBuffer> raw = ChronicleSpace.openMap(mapFile, options, false, true)) {
            final int[] checked = {0};
            for (int i = 0; i < raw.segments(); i++) {
                try (MapSegmentContext<CharSequence, EntryBuffer, ?> c = raw.segmentContext(i)) {
                    c.forEachSegmentEntry(e -> {
                        assertTrue(((ChecksumEntry) e).checkSum(), "entry checksum of " + e.key().get());
                        checked[0]++;
                    });
                }
            }
            assertEquals(503, checked[0]);
        }
        try (Space s = Space.open(options)) {
            assertTrue(checksums(s));
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), text(s, e.getKey()), e.getKey());
            }
            assertNull(s.kv().get("key-0"));
            final int[] live = {0};
            s.kv().forEach(e -> live[0]++);
            assertEquals(expected.size(), live[0]);
            assertEquals(503, s.kv().size(), "500 keys, two more and a counter; removed keys keep their tombstones");
            assertTrue(s.journal().verify().ok());
        }
    }

    /**
     * Every key the write path hands over pre-encoded and pre-hashed is the entry Chronicle Map's own lookup of the
     * {@code CharSequence} finds (same bytes, same hash, same segment), and one written through Chronicle Map's own
     * encoding (as every entry of an earlier build was) is replaced, not duplicated.
     */
    @Test
    void keysAreStoredAsChronicleMapStoresThem() {
        try (Space s = Space.open(SpaceOptions.at(dir).maxEntries(50_000))) {
            final ChronicleMap<CharSequence, EntryBuffer> map = ((ChronicleSpace) s).map();
            final Random random = new Random(11);
            final List<String> keys = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                final StringBuilder key = RandomKeys.next(random);
                keys.add(key.toString());
            }
            final java.util.Set<String> distinct = new java.util.LinkedHashSet<>(keys);
            for (String k : distinct) {
                s.kv().putString(k, "first");
            }
            final EntryBuffer b = new EntryBuffer(16);
            for (String k : distinct) {
                assertNotNull(map.getUsing(k, b), k);
                assertEquals(1, b.version(), k);
                assertTrue(Utf8.length(k) > 0);
            }
            // an entry written by Chronicle Map's own encoding of the key (as earlier builds wrote every entry)
            final ChronicleKeyValue kv = ((ChronicleSpace) s).chronicleKv();
            final String legacy = "written/the/old/way-" + "x".repeat(20);
            final SegmentGuards g = kv.guards();
            final byte[] utf8 = new byte[256];
            final int segment = g.segmentOf(legacy, utf8, Utf8.encode(legacy, utf8));
            g.lockToWrite(segment);
            try {
                final EntryBuffer old = new EntryBuffer(16);
                System.arraycopy("old".getBytes(StandardCharsets.UTF_8), 0, old.prepare(3, 1, 1, -1), 0, 3);
                map.put(legacy, old);
            } finally {
                g.unlockAfterWrite(segment);
            }
            assertEquals("old", text(s, legacy), "a read finds an entry Chronicle Map encoded itself");
            final long sizeBefore = s.kv().size();
            assertEquals(2, s.kv().putString(legacy, "new"));
            assertEquals(sizeBefore, s.kv().size(), "the old entry was replaced, not duplicated");
            assertEquals("new", text(s, legacy));
            for (String k : distinct) {
                assertEquals(2, s.kv().putString(k, "second"), k);
                assertEquals("second", text(s, k), k);
            }
            assertEquals(distinct.size() + 1, s.kv().size());
            final int[] seen = {0};
            map.forEachEntry(e -> {
                final String k = e.key().get().toString();
                assertTrue(distinct.contains(k) || k.equals(legacy), k);
                seen[0]++;
            });
            assertEquals(distinct.size() + 1, seen[0]);
        }
    }

    private static void setMinor(final Path file, final int minor) throws java.io.IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, minor), SpaceDescriptor.FORMAT_MINOR_OFFSET);
        }
    }
}
