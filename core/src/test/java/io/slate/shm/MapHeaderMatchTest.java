package io.slate.shm;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.testing.TestSpaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The map header check ({@link ChronicleHeaders#isMapHeader}) is a plain scan, so that a fresh JVM opening a space
 * compiles no regular expression; it accepts exactly what the regular expression it replaced accepted (built here as
 * it was), on real headers of every splitting and on thousands of damaged ones.
 */
@Timeout(120)
class MapHeaderMatchTest {
    private static final String NUMBER = "-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?";
    private static final String[] SPLITTINGS = {
        "!net.openhft.chronicle.hash.impl.HashSplitting$ForSingleSegment {\n  }",
        "!net.openhft.chronicle.hash.impl.HashSplitting$ForPowerOf2Segments {\n    bits: #\n  }",
        "!net.openhft.chronicle.hash.impl.HashSplitting$ForNonPowerOf2Segments {\n    segments: #\n  }",
    };
    /** The regular expression the check used before (ChronicleHeaders at 61fb3ef), with format 1.3's checksum setting. */
    private static final Pattern BEFORE = Pattern.compile(regexBefore());

    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void removeSpaces() {
        dirs.forEach(TestSpaces::delete);
    }

    private static String regexBefore() {
        final StringBuilder splitting = new StringBuilder("(?:");
        for (int i = 0; i < SPLITTINGS.length; i++) {
            splitting.append(i == 0 ? "" : "|").append(literalWithNumbers(SPLITTINGS[i]));
        }
        splitting.append(')');
        return literalWithNumbers(ChronicleHeaders.MAP_HEADER_TEMPLATE)
                .replace("%VERSION%", "\\E\"[0-9A-Za-z.+-]{1,40}\"\\Q")
                .replace("%SPLITTING%", "\\E" + splitting + "\\Q")
                .replace("%CHECKSUMS%", "\\E(?:true|false)\\Q")
                + "\\s*";
    }

    private static String literalWithNumbers(final String template) {
        final String[] parts = template.split("#", -1);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            sb.append(i == 0 ? "" : NUMBER).append(Pattern.quote(parts[i]));
        }
        return sb.toString();
    }

    private String headerOf(final long maxEntries) throws Exception {
        final Path dir = TestSpaces.newDirectory("map-header");
        dirs.add(dir);
        try (Space s = Space.open(SpaceOptions.at(dir).maxEntries(maxEntries))) {
            s.kv().putString("k", "v");
        }
        final byte[] file = Files.readAllBytes(dir.resolve("kv.cm3"));
        final int length = ByteBuffer.wrap(file).order(ByteOrder.nativeOrder()).getInt(ChronicleHeaders.MAP_SIZE_WORD_OFFSET)
                & ChronicleHeaders.LENGTH_MASK;
        return new String(file, ChronicleHeaders.MAP_HEADER_OFFSET, length, StandardCharsets.UTF_8);
    }

    private static void same(final String text) {
        assertEquals(BEFORE.matcher(text).matches(), ChronicleHeaders.isMapHeader(text), () -> "header:\n" + text);
    }

    @Test
    void realHeadersAreAccepted() throws Exception {
        for (long entries : new long[] {1_000, 100_000, 1_000_000}) {
            final String h = headerOf(entries);
            assertTrue(BEFORE.matcher(h).matches(), h);
            assertTrue(ChronicleHeaders.isMapHeader(h), h);
            assertTrue(ChronicleHeaders.isMapHeader(h + " \n\t\r\f\u000B"));
            assertFalse(ChronicleHeaders.isMapHeader(h + "x"));
        }
    }

    @Test
    void theSplittingsVersionsAndNumbersAreJudgedAsBefore() throws Exception {
        final String h = headerOf(100_000);
        final String[] numbers = {"0", "7", "-3", "1.5", "-1.25", "1e10", "2E-3", "1.5e+7", "1.", ".5", "1e", "1e+", "--1", "+1", "1.5.2",
            "12a", "", " 1", "1 ", "0x10", "１"};
        final java.util.regex.Matcher m = Pattern.compile("actualSegments: ([^,]*),").matcher(h);
        assertTrue(m.find(), h);
        for (String n : numbers) {
            same(h.substring(0, m.start(1)) + n + h.substring(m.end(1)));
        }
        final java.util.regex.Matcher v = Pattern.compile("dataFileVersion: (\"[^\"]*\"),").matcher(h);
        assertTrue(v.find(), h);
        final String[] versions = {"\"3.20.1\"", "\"a\"", "\"\"", "\"" + "1".repeat(40) + "\"", "\"" + "1".repeat(41) + "\"", "\"1 2\"", "\"1\"2\"",
            "3.20.1", "\"3.20.1", "\"x+y-z.Q\"", "\"é\""};
        for (String ver : versions) {
            same(h.substring(0, v.start(1)) + ver + h.substring(v.end(1)));
        }
        final java.util.regex.Matcher s = Pattern.compile("hashSplitting: (!.*?\\n  \\}),", Pattern.DOTALL).matcher(h);
        assertTrue(s.find(), h);
        final String[] splittings = {SPLITTINGS[0], SPLITTINGS[1].replace("#", "4"), SPLITTINGS[2].replace("#", "3"), SPLITTINGS[1].replace("#", ""),
            SPLITTINGS[0].replace("Single", "Double"), SPLITTINGS[2].replace("#", "3") + "\n", SPLITTINGS[1].replace("#", "4").replace("bits", "segments")};
        for (String sp : splittings) {
            same(h.substring(0, s.start(1)) + sp + h.substring(s.end(1)));
        }
        // format 1.3 maps have no entry checksums, earlier ones do: both are Slate's
        final java.util.regex.Matcher c = Pattern.compile("checksumEntries: ([^,]*),").matcher(h);
        assertTrue(c.find(), h);
        assertEquals("false", c.group(1), "a new space's map keeps no entry checksums");
        for (String value : new String[] {"true", "false", "TRUE", "False", "yes", "1", "", "truefalse", "tru", "falsey", " true"}) {
            same(h.substring(0, c.start(1)) + value + h.substring(c.end(1)));
        }
        assertTrue(ChronicleHeaders.isMapHeader(h.substring(0, c.start(1)) + "true" + h.substring(c.end(1))));
    }

    @Test
    void damagedHeadersAreJudgedAsBefore() throws Exception {
        final String h = headerOf(10_000);
        final Random random = new Random(17);
        final String alphabet = "0123456789.-+eE\"!{} \n\t,:$abcxyzAZ#%é";
        for (int i = 0; i < 20_000; i++) {
            final StringBuilder b = new StringBuilder(h);
            for (int edits = 1 + random.nextInt(3); edits > 0 && b.length() > 0; edits--) {
                final int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0:
                        b.deleteCharAt(at);
                        break;
                    case 1:
                        b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        break;
                    default:
                        b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        break;
                }
            }
            same(b.toString());
        }
        same("");
        same(h.substring(0, h.length() / 2));
    }
}
