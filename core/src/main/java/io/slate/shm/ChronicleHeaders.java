package io.slate.shm;

import io.slate.space.CorruptSpaceException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the headers of the files Chronicle keeps in a space before Chronicle is given them. Chronicle's headers
 * describe themselves: they name the classes Chronicle instantiates to read the rest of the file. So an opener reads
 * each header itself, bounded and without Chronicle (a plain file read, never a mapping, so a truncated file cannot
 * fault), and refuses anything but what Slate's own files hold: a file naming any other class is an error naming the
 * file and the class, and the class is never loaded.
 *
 * <ul>
 *   <li>{@code kv.cm3} (Chronicle Map): an 8-byte checksum, a size word, then the header as YAML text. Chronicle's
 *   text reader resolves classes from several spellings ({@code !name}, {@code @name}, {@code !type name} with any
 *   first character), so the header must match, character for character with only numbers left free, the text
 *   Chronicle writes for Slate's map ({@link #MAP_HEADER_TEMPLATE}).</li>
 *   <li>{@code journal/metadata.cq4t} and {@code journal/*.cq4} (Chronicle Queue): size-prefixed documents in
 *   Chronicle's binary wire format; the first is the header. Classes are named only by type prefixes (and type
 *   literals, anchors and aliases, which these headers never hold): the header is parsed code by code, only the
 *   codes these headers use are accepted, and every type prefix must be one of the few aliases Slate's journal files
 *   hold ({@link #TABLE_STORE_TYPES}, {@link #CYCLE_TYPES}).</li>
 * </ul>
 * A Chronicle upgrade that changes these headers makes existing spaces refuse to open with a message naming what
 * differs; the tests create, reopen and check spaces of every shape, so such a change shows at once.
 */
final class ChronicleHeaders {
    /** Size-prefixed blob header bits (Chronicle's {@code Wires}). */
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;

    /** kv.cm3: checksum at 0, size word at 8, header text from 12, at most 16 KiB (Chronicle Map's own limit). */
    static final int MAP_SIZE_WORD_OFFSET = 8;
    static final int MAP_HEADER_OFFSET = 12;
    static final int MAP_MAX_HEADER_BYTES = 16 << 10;

    /** Queue files: the header document is far smaller than this; a longer one is not one of ours. */
    static final int QUEUE_MAX_HEADER_BYTES = 64 << 10;
    /** Entries of the table store after its header that are checked (Chronicle keeps about ten). */
    static final int TABLE_STORE_MAX_ENTRIES = 1024;

    /** Type aliases Chronicle writes in {@code metadata.cq4t}. */
    static final Set<String> TABLE_STORE_TYPES = Set.of("STStore", "WireType", "SCQMeta", "SCQSRoll");
    /** Type aliases Chronicle writes in a cycle file's header. */
    static final Set<String> CYCLE_TYPES = Set.of("SCQStore", "SCQSIndexing");

    /**
     * The header Chronicle Map writes for Slate's map, with {@code #} for each number (sizes differ from space to
     * space), {@code %VERSION%} for Chronicle's data file version, {@code %SPLITTING%} for one of the three
     * ways the map splits hashes over segments, and {@code %CHECKSUMS%} for {@code true} (maps created by builds
     * before space format 1.3, which checksum every entry) or {@code false} (format 1.3 on: no entry checksums).
     */
    static final String MAP_HEADER_TEMPLATE = String.join("\n",
            "!net.openhft.chronicle.map.VanillaChronicleMap {",
            "  dataFileVersion: %VERSION%,",
            "  keyClass: !type CharSequence,",
            "  keySizeMarshaller: !net.openhft.chronicle.hash.serialization.impl.StopBitSizeMarshaller {",
            "  },",
            "  keyReader: !net.openhft.chronicle.hash.serialization.impl.CharSequenceSizedReader {",
            "  },",
            "  keyDataAccess: !net.openhft.chronicle.hash.serialization.impl.CharSequenceUtf8DataAccess {",
            "  },",
            "  checksumEntries: %CHECKSUMS%,",
            "  actualSegments: #,",
            "  hashSplitting: %SPLITTING%,",
            "  chunkSize: #,",
            "  maxChunksPerEntry: #,",
            "  actualChunksPerSegmentTier: #,",
            "  segmentHeaderSize: #,",
            "  tierHashLookupValueBits: #,",
            "  tierHashLookupKeyBits: #,",
            "  tierHashLookupSlotSize: #,",
            "  tierHashLookupCapacity: #,",
            "  maxEntriesPerHashLookup: #,",
            "  tierHashLookupInnerSize: #,",
            "  tierHashLookupOuterSize: #,",
            "  tierFreeListInnerSize: #,",
            "  tierFreeListOuterSize: #,",
            "  tierEntrySpaceInnerSize: #,",
            "  tierEntrySpaceInnerOffset: #,",
            "  tierEntrySpaceOuterSize: #,",
            "  tierSize: #,",
            "  maxExtraTiers: #,",
            "  tierBulkSizeInBytes: #,",
            "  tierBulkInnerOffsetToTiers: #,",
            "  tiersInBulk: #,",
            "  log2TiersInBulk: #,",
            "  skipCloseOnExitHook: false,",
            "  valueClass: !type io.slate.kv.EntryBuffer,",
            "  valueSizeMarshaller: !net.openhft.chronicle.hash.serialization.impl.StopBitSizeMarshaller {",
            "  },",
            "  valueReader: !io.slate.internal.EntryMarshaller {",
            "  },",
            "  valueDataAccess: !net.openhft.chronicle.hash.serialization.impl.SizedMarshallableDataAccess {",
            "    tClass: !type io.slate.kv.EntryBuffer,",
            "    sizedReader: !io.slate.internal.EntryMarshaller { },",
            "    sizedWriter: !io.slate.internal.EntryMarshaller { }",
            "  },",
            "  constantlySizedEntry: false,",
            "  alignment: #,",
            "  worstAlignment: #,",
            "  maxBloatFactor: #",
            "}");
    private static final String[] MAP_SPLITTINGS = {
        "!net.openhft.chronicle.hash.impl.HashSplitting$ForSingleSegment {\n  }",
        "!net.openhft.chronicle.hash.impl.HashSplitting$ForPowerOf2Segments {\n    bits: #\n  }",
        "!net.openhft.chronicle.hash.impl.HashSplitting$ForNonPowerOf2Segments {\n    segments: #\n  }",
    };
    private static final String VERSION = "%VERSION%";
    private static final String SPLITTING = "%SPLITTING%";
    private static final String CHECKSUMS = "%CHECKSUMS%";
    /** Longest data file version accepted (Chronicle writes a short one such as "3.20.1"). */
    private static final int MAX_VERSION_CHARS = 40;

    /**
     * For messages only (a refused header), so a space that opens never compiles these: a class named in text wire
     * ({@code !name}, {@code @name}, or a type literal {@code !type name}), and the classes the template names.
     */
    private static final class Messages {
        static final Pattern CLASS_REFERENCE = Pattern.compile("(?:[!@]type\\s+|[!@]|type\\s+)([A-Za-z_$][\\w.$]*)", Pattern.CASE_INSENSITIVE);
        static final Set<String> MAP_CLASSES = classesIn(MAP_HEADER_TEMPLATE + String.join("", MAP_SPLITTINGS));
    }

    private ChronicleHeaders() {
    }

    /** The state of a queue file's header. */
    enum HeaderState {
        /** Empty file, or nothing written yet: the first word is 0. */
        ABSENT,
        /** Its writer claimed the header but has not finished it. */
        INCOMPLETE,
        /** A complete header, checked. */
        COMPLETE
    }

    /** What the check of a queue file found. */
    static final class QueueHeader {
        final HeaderState state;
        /** Position of the cycle's last document (cycle files), or -1. */
        final long writePosition;

        QueueHeader(final HeaderState state, final long writePosition) {
            this.state = state;
            this.writePosition = writePosition;
        }
    }

    // ---------------------------------------------------------------- Chronicle Map

    /**
     * True when {@code text} is Slate's map header: {@link #MAP_HEADER_TEMPLATE} character for character, each
     * {@code #} a number ({@code -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?}), {@code %VERSION%} a quoted version of 1 to
     * 40 characters from {@code [0-9A-Za-z.+-]}, {@code %SPLITTING%} one of {@link #MAP_SPLITTINGS},
     * {@code %CHECKSUMS%} {@code true} or {@code false}; then only white space. A plain scan, no regular expression: it runs in every fresh JVM that opens a space.
     */
    static boolean isMapHeader(final String text) {
        int end = matchTemplate(text, 0, MAP_HEADER_TEMPLATE);
        if (end < 0) {
            return false;
        }
        while (end < text.length() && isSpace(text.charAt(end))) {
            end++;
        }
        return end == text.length();
    }

    /** Matches {@code template} at {@code pos} of {@code text}: the end of the match, or -1. */
    private static int matchTemplate(final String text, final int start, final String template) {
        int pos = start;
        int t = 0;
        while (t < template.length() && pos >= 0) {
            final char c = template.charAt(t);
            if (c == '#') {
                pos = matchNumber(text, pos);
                t++;
            } else if (template.startsWith(VERSION, t)) {
                pos = matchVersion(text, pos);
                t += VERSION.length();
            } else if (template.startsWith(CHECKSUMS, t)) {
                pos = text.startsWith("true", pos) ? pos + 4 : text.startsWith("false", pos) ? pos + 5 : -1;
                t += CHECKSUMS.length();
            } else if (template.startsWith(SPLITTING, t)) {
                int end = -1;
                for (int i = 0; i < MAP_SPLITTINGS.length && end < 0; i++) { // they differ in their class names
                    end = matchTemplate(text, pos, MAP_SPLITTINGS[i]);
                }
                pos = end;
                t += SPLITTING.length();
            } else if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                t++;
            } else {
                pos = -1;
            }
        }
        return pos;
    }

    /** A number at {@code pos}: {@code -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?}, longest; its end, or -1. */
    private static int matchNumber(final String text, final int pos) {
        int p = pos < text.length() && text.charAt(pos) == '-' ? pos + 1 : pos;
        final int intEnd = digits(text, p);
        if (intEnd == p) {
            return -1;
        }
        p = intEnd;
        if (p < text.length() && text.charAt(p) == '.') {
            final int fractionEnd = digits(text, p + 1);
            if (fractionEnd > p + 1) {
                p = fractionEnd;
            }
        }
        if (p < text.length() && (text.charAt(p) == 'e' || text.charAt(p) == 'E')) {
            int q = p + 1;
            if (q < text.length() && (text.charAt(q) == '+' || text.charAt(q) == '-')) {
                q++;
            }
            final int exponentEnd = digits(text, q);
            if (exponentEnd > q) {
                p = exponentEnd;
            }
        }
        return p;
    }

    /** A quoted version at {@code pos}: {@code "} then 1 to 40 of {@code [0-9A-Za-z.+-]} then {@code "}; its end, or -1. */
    private static int matchVersion(final String text, final int pos) {
        if (pos >= text.length() || text.charAt(pos) != '"') {
            return -1;
        }
        int p = pos + 1;
        while (p < text.length() && p - pos - 1 < MAX_VERSION_CHARS && isVersionChar(text.charAt(p))) {
            p++;
        }
        return p > pos + 1 && p < text.length() && text.charAt(p) == '"' ? p + 1 : -1;
    }

    private static int digits(final String text, final int pos) {
        int p = pos;
        while (p < text.length() && text.charAt(p) >= '0' && text.charAt(p) <= '9') {
            p++;
        }
        return p;
    }

    private static boolean isVersionChar(final char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '.' || c == '+' || c == '-';
    }

    /** White space as a regular expression's {@code \s}: space, tab, newline, vertical tab, form feed, return. */
    private static boolean isSpace(final char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** The template as a regular expression (for messages): its text literally, each {@code #} a number. */
    private static String literalWithNumbers(final String template) {
        final String[] parts = template.split("#", -1);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            sb.append(i == 0 ? "" : "-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?").append(Pattern.quote(parts[i]));
        }
        return sb.toString();
    }

    private static Set<String> classesIn(final String text) {
        final Set<String> names = new LinkedHashSet<>();
        final Matcher m = Messages.CLASS_REFERENCE.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Checks {@code kv.cm3}'s header; returns the file's length. */
    static long checkMapFile(final Path file) {
        final String what = "key/value map";
        final long size = SpaceFiles.requireFile(file, MAP_HEADER_OFFSET, what);
        final ByteBuffer b = read(file, 0, (int) Math.min(size, MAP_HEADER_OFFSET + MAP_MAX_HEADER_BYTES), what);
        final int word = b.getInt(MAP_SIZE_WORD_OFFSET);
        if (word == 0) {
            throw new CorruptSpaceException(file, what + " has no header (its first bytes are zeros): it was zeroed, or never created");
        }
        if ((word & NOT_COMPLETE) != 0) {
            throw new CorruptSpaceException(file, what + " header is marked incomplete (size word 0x" + Integer.toHexString(word)
                    + "): its creator did not finish it, or this is not a Chronicle Map file");
        }
        final int length = word & LENGTH_MASK;
        if ((word & META_DATA) != 0 || length > MAP_MAX_HEADER_BYTES) {
            throw new CorruptSpaceException(file, what + " does not start with a Chronicle Map header (size word 0x" + Integer.toHexString(word) + ")");
        }
        if (size < MAP_HEADER_OFFSET + length) {
            throw new CorruptSpaceException(file, what + " is truncated: " + size + " bytes, shorter than its own " + length + "-byte header");
        }
        final String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b.position(MAP_HEADER_OFFSET).limit(MAP_HEADER_OFFSET + length)).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptSpaceException(file, what + " header is not text: not a Chronicle Map file");
        }
        if (!isMapHeader(text)) {
            throw new CorruptSpaceException(file, what + " header " + mapMismatch(text) + "; refused before Chronicle could read it");
        }
        return size;
    }

    /** What in a refused map header differs from Slate's: a class it names, else the first line that differs. */
    private static String mapMismatch(final String text) {
        for (String name : classesIn(text)) {
            if (!Messages.MAP_CLASSES.contains(name)) {
                return "names class '" + abbreviate(name) + "', which Slate's map does not use";
            }
        }
        final String[] lines = text.split("\n", -1);
        final String[] expected = MAP_HEADER_TEMPLATE.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            final String want = i < expected.length ? expected[i] : "";
            if (!lines[i].strip().matches(literalWithNumbers(want.strip()).replace("%VERSION%", "\\E.*\\Q").replace("%SPLITTING%", "\\E.*\\Q")
                    .replace(CHECKSUMS, "\\E(?:true|false)\\Q"))) {
                return "is not the one Slate writes (line " + (i + 1) + ": '" + abbreviate(lines[i].strip()) + "')";
            }
        }
        return "is not the one Slate writes";
    }

    // ---------------------------------------------------------------- Chronicle Queue

    /**
     * Checks {@code journal/metadata.cq4t}, Chronicle Queue's table store: its header and the entries after it.
     * Empty or never-written (all zeros) is fine: Chronicle writes it afresh (it holds locks and listings that are
     * rebuilt from the directory, no records).
     */
    static void checkTableStore(final Path file) {
        final String what = "journal metadata";
        final long size = SpaceFiles.requireFile(file, 0, what);
        final int max = (int) Math.min(size, QUEUE_MAX_HEADER_BYTES); // the table store is small: its entries too
        final ByteBuffer b = read(file, 0, max, what);
        final QueueHeader h = header(file, what, b, size, "STStore", TABLE_STORE_TYPES);
        if (h.state == HeaderState.INCOMPLETE) {
            throw new CorruptSpaceException(file, what + " header is marked incomplete: the journal was never finished, or the file is not ours");
        }
        if (h.state == HeaderState.ABSENT) {
            return;
        }
        // the entries: one field and its value each, no types
        int pos = align4(4 + (b.getInt(0) & LENGTH_MASK));
        for (int n = 0; n < TABLE_STORE_MAX_ENTRIES && pos + 4 <= max; n++) {
            final int word = b.getInt(pos);
            if (word == 0 || (word & NOT_COMPLETE) != 0) {
                return; // the end, or an entry being added right now
            }
            final int length = word & LENGTH_MASK;
            if (pos + 4L + length > size) {
                throw new CorruptSpaceException(file, what + " is truncated inside its entry at offset " + pos + " (" + size + " bytes)");
            }
            if (pos + 4 + length > max) {
                return; // beyond what we read: Chronicle keeps far fewer entries; nothing to check there
            }
            new WireReader(file, what, b, pos + 4, pos + 4 + length, Set.of()).fields(0);
            pos = align4(pos + 4 + length);
        }
    }

    /**
     * Checks a cycle file's header. An absent or unfinished header is returned as such (the caller decides whether
     * that cycle can have held records); a complete one is parsed, and the file must reach past its last document.
     */
    static QueueHeader checkCycleFile(final Path file) {
        final String what = "journal cycle file";
        QueueHeader h = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            final long size = SpaceFiles.requireFile(file, 0, what);
            // the header document only: its length word, then as much as it says (bounded)
            final int first = size < 4 ? 0 : read(file, 0, 4, what).getInt(0);
            final int length = (first & NOT_COMPLETE) != 0 ? 0 : first & LENGTH_MASK;
            final ByteBuffer b = read(file, 0, (int) Math.min(size, 4L + Math.min(length, QUEUE_MAX_HEADER_BYTES)), what);
            h = header(file, what, b, size, "SCQStore", CYCLE_TYPES);
            if (h.state != HeaderState.COMPLETE || h.writePosition <= 0 || reachesLastDocument(file, size, h.writePosition)) {
                return h;
            }
            // a writer may have moved the position while we read it: look again before calling the file truncated
        }
        throw new CorruptSpaceException(file, what + " is truncated: its last record is at position " + h.writePosition
                + " but the file ends before that record does");
    }

    private static boolean reachesLastDocument(final Path file, final long size, final long position) {
        if (position + 4 > size) {
            return false;
        }
        final int word = read(file, position, 4, "journal cycle file").getInt(0);
        return (word & NOT_COMPLETE) != 0 || position + 4 + (word & LENGTH_MASK) <= size;
    }

    /** Reads and checks the header document at the start of a queue file. */
    private static QueueHeader header(final Path file, final String what, final ByteBuffer b, final long size, final String type,
                                      final Set<String> types) {
        if (b.limit() < 4) {
            if (size == 0 || allZero(b)) {
                return new QueueHeader(HeaderState.ABSENT, -1);
            }
            throw new CorruptSpaceException(file, what + " is truncated: " + size + " bytes, too short for a Chronicle header");
        }
        final int word = b.getInt(0);
        if (word == 0) {
            return new QueueHeader(HeaderState.ABSENT, -1);
        }
        if ((word & NOT_COMPLETE) != 0) {
            return new QueueHeader(HeaderState.INCOMPLETE, -1);
        }
        final int length = word & LENGTH_MASK;
        if ((word & META_DATA) == 0 || length > QUEUE_MAX_HEADER_BYTES - 4) {
            throw new CorruptSpaceException(file, what + " does not start with a Chronicle Queue header (first word 0x" + Integer.toHexString(word)
                    + "): not a Chronicle Queue file");
        }
        if (4L + length > size) {
            throw new CorruptSpaceException(file, what + " is truncated: " + size + " bytes, shorter than its own " + length + "-byte header");
        }
        final WireReader r = new WireReader(file, what, b, 4, 4 + length, types);
        r.expectHeader(type);
        return new QueueHeader(HeaderState.COMPLETE, r.writePosition);
    }

    private static boolean allZero(final ByteBuffer b) {
        for (int i = 0; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int align4(final int n) {
        return (n + 3) & ~3;
    }

    /** Reads {@code length} bytes at {@code position} with a plain read (never a mapping). */
    private static ByteBuffer read(final Path file, final long position, final int length, final String what) {
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (b.hasRemaining()) {
                if (ch.read(b, position + b.position()) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw MappedFile.ioProblem(file, "cannot read the " + what, e);
        }
        return b.flip();
    }

    static String abbreviate(final String s) {
        final String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
    }

    /**
     * A strict reader of Chronicle's binary wire for headers: field names and the value codes those headers use,
     * nothing else. Every type prefix must be in the allowed set. Bounded: it never reads outside [start, end) and
     * nests at most {@link #MAX_DEPTH} deep.
     */
    private static final class WireReader {
        private static final int MAX_DEPTH = 8;
        // codes of Chronicle's BinaryWireCode
        private static final int BYTES_LENGTH8 = 0x80;
        private static final int BYTES_LENGTH16 = 0x81;
        private static final int BYTES_LENGTH32 = 0x82;
        private static final int I64_ARRAY = 0x8D;
        private static final int PADDING32 = 0x8E;
        private static final int PADDING = 0x8F;
        private static final int FLOAT32 = 0x90;
        private static final int FLOAT64 = 0x91;
        private static final int UINT8 = 0xA1;
        private static final int UINT16 = 0xA2;
        private static final int UINT32 = 0xA3;
        private static final int INT8 = 0xA4;
        private static final int INT16 = 0xA5;
        private static final int INT32 = 0xA6;
        private static final int INT64 = 0xA7;
        private static final int INT64_0X = 0xAF;
        private static final int FALSE = 0xB0;
        private static final int TRUE = 0xB1;
        private static final int TYPE_PREFIX = 0xB6;
        private static final int FIELD_NAME_ANY = 0xB7;
        private static final int STRING_ANY = 0xB8;
        private static final int EVENT_NAME = 0xB9;
        private static final int NULL = 0xBB;
        private static final int FIELD_NAME0 = 0xC0;
        private static final int FIELD_NAME31 = 0xDF;
        private static final int STRING_0 = 0xE0;

        private final Path file;
        private final String what;
        private final ByteBuffer b;
        private final Set<String> types;
        private int pos;
        private final int end;
        private long writePosition = -1;

        WireReader(final Path file, final String what, final ByteBuffer b, final int start, final int end, final Set<String> types) {
            this.file = file;
            this.what = what;
            this.b = b;
            this.pos = start;
            this.end = end;
            this.types = types;
        }

        /** The header document: the event "header" holding a {@code type} marshallable, then nothing but padding. */
        void expectHeader(final String type) {
            skipPadding(end);
            final String name = fieldName(end);
            if (!name.equals("header")) {
                throw problem("its first document is '" + abbreviate(name) + "', not Chronicle's header");
            }
            skipPadding(end);
            if (u8() != TYPE_PREFIX) {
                throw problem("its header has no type");
            }
            final String t = typeName();
            if (!t.equals(type)) {
                throw problem("its header is a '" + abbreviate(t) + "', not a '" + type + "'");
            }
            value(0, name);
            skipPadding(end);
            if (pos != end) {
                throw problem("its header document has " + (end - pos) + " unexpected bytes after the header");
            }
        }

        /** Fields until the end of the current marshallable. */
        void fields(final int depth) {
            fields(end, depth);
        }

        private void fields(final int limit, final int depth) {
            if (depth > MAX_DEPTH) {
                throw problem("its header nests deeper than " + MAX_DEPTH);
            }
            while (true) {
                skipPadding(limit);
                if (pos >= limit) {
                    return;
                }
                final String name = fieldName(limit);
                value(depth, name);
            }
        }

        private void skipPadding(final int limit) {
            while (pos < limit) {
                final int code = b.get(pos) & 0xFF;
                if (code == PADDING) {
                    pos++;
                } else if (code == PADDING32) {
                    pos++;
                    skip(i32());
                } else {
                    return;
                }
            }
        }

        private String fieldName(final int limit) {
            final int code = u8();
            final int length;
            if (code >= FIELD_NAME0 && code <= FIELD_NAME31) {
                length = code - FIELD_NAME0;
            } else if (code == FIELD_NAME_ANY || code == EVENT_NAME) {
                length = stopBit();
            } else {
                throw problem("expected a field name at offset " + (pos - 1) + ", found code 0x" + Integer.toHexString(code));
            }
            return text(length, limit);
        }

        /** One value of field {@code field}; records the cycle's write position. */
        private void value(final int depth, final String field) {
            skipPadding(end);
            final int code = u8();
            if (code < 0x80) {
                record(depth, field, code);
                return;
            }
            if (code >= STRING_0) {
                skip(code - STRING_0);
                return;
            }
            switch (code) {
                case BYTES_LENGTH8:
                    nested(u8(), depth);
                    return;
                case BYTES_LENGTH16:
                    nested(u16(), depth);
                    return;
                case BYTES_LENGTH32:
                    nested(i32(), depth);
                    return;
                case I64_ARRAY: {
                    final long capacity = i64();
                    i64(); // used
                    if (capacity < 0 || capacity > (end - pos) / 8) {
                        throw problem("an array of " + capacity + " longs at offset " + pos + " exceeds its header");
                    }
                    if (capacity > 0) {
                        record(depth, field, b.getLong(pos));
                    }
                    skip((int) capacity * 8);
                    return;
                }
                case UINT8:
                case INT8:
                    record(depth, field, code == UINT8 ? u8() : b.get(need(1)));
                    return;
                case UINT16:
                case INT16:
                    record(depth, field, code == UINT16 ? u16() : b.getShort(need(2)));
                    return;
                case UINT32:
                case INT32:
                case FLOAT32:
                    record(depth, field, code == UINT32 ? i32() & 0xFFFF_FFFFL : i32());
                    return;
                case INT64:
                case INT64_0X:
                case FLOAT64:
                    record(depth, field, i64());
                    return;
                case FALSE:
                case TRUE:
                case NULL:
                    return;
                case STRING_ANY:
                    skip(stopBit());
                    return;
                case TYPE_PREFIX:
                    typeName();
                    value(depth, field);
                    return;
                default:
                    throw problem("unexpected code 0x" + Integer.toHexString(code) + " at offset " + (pos - 1) + " in its header");
            }
        }

        private void nested(final int length, final int depth) {
            if (length < 0 || length > end - pos) {
                throw problem("a nested value of " + length + " bytes at offset " + pos + " exceeds its header");
            }
            final int limit = pos + length;
            fields(limit, depth + 1);
            if (pos != limit) {
                throw problem("a value at offset " + pos + " runs past the end of the value holding it");
            }
        }

        private String typeName() {
            final String name = text(stopBit(), end);
            if (!types.contains(name)) {
                throw problem("its header names class '" + abbreviate(name) + "', which Slate's journal files do not use");
            }
            return name;
        }

        private void record(final int depth, final String field, final long v) {
            if (depth == 1 && field.equals("writePosition")) {
                writePosition = v;
            }
        }

        private String text(final int length, final int limit) {
            if (length < 0 || length > limit - pos) {
                throw problem("a name of " + length + " bytes at offset " + pos + " exceeds its header");
            }
            final byte[] bytes = new byte[length];
            b.get(pos, bytes);
            pos += length;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private int stopBit() {
            int v = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                final int x = u8();
                v |= (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw problem("a length at offset " + pos + " is too long");
        }

        private int need(final int n) {
            if (n < 0 || n > end - pos) {
                throw problem("its header ends inside a value at offset " + pos);
            }
            final int at = pos;
            pos += n;
            return at;
        }

        private void skip(final int n) {
            need(n);
        }

        private int u8() {
            return b.get(need(1)) & 0xFF;
        }

        private int u16() {
            return b.getShort(need(2)) & 0xFFFF;
        }

        private int i32() {
            return b.getInt(need(4));
        }

        private long i64() {
            return b.getLong(need(8));
        }

        private CorruptSpaceException problem(final String detail) {
            return new CorruptSpaceException(file, what + " is not one Chronicle wrote for Slate: " + detail + "; refused before Chronicle could read it");
        }
    }
}
