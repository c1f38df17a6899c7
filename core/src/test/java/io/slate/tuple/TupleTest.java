package io.slate.tuple;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.slate.tuple.Template.ANY;
import static io.slate.tuple.Template.ANY_BOOLEAN;
import static io.slate.tuple.Template.ANY_BYTES;
import static io.slate.tuple.Template.ANY_DOUBLE;
import static io.slate.tuple.Template.ANY_LONG;
import static io.slate.tuple.Template.ANY_STRING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tuples, templates and matching as values: no space involved. */
class TupleTest {

    private static void assertRefused(final String messagePart, final Runnable r) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' should contain '" + messagePart + "'");
    }

    @Test
    void fieldsOfEveryTypeRoundTrip() {
        final byte[] raw = {0, 1, (byte) 0xFF};
        final Tuple t = Tuple.of("alert", 7L, 0.93, true, raw, 5, 1.5f, "é€😀");
        raw[0] = 9; // the tuple holds its own copy
        assertEquals(8, t.arity());
        assertEquals(FieldType.STRING, t.type(0));
        assertEquals("alert", t.getString(0));
        assertEquals(7L, t.getLong(1));
        assertEquals(0.93, t.getDouble(2));
        assertTrue(t.getBoolean(3));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xFF}, t.getBytes(4));
        assertEquals(FieldType.LONG, t.type(5), "an Integer is stored as a long");
        assertEquals(5L, t.get(5));
        assertEquals(FieldType.DOUBLE, t.type(6), "a Float is stored as a double");
        assertEquals(1.5, t.get(6));
        assertEquals("é€😀", t.getString(7));

        final byte[] wire = new byte[t.encodedLength() + 3];
        assertEquals(t.encodedLength(), t.encodeTo(wire, 3));
        final Tuple back = Tuple.decode(wire, 3, t.encodedLength());
        assertEquals(t, back);
        assertEquals(t.hashCode(), back.hashCode());
        assertEquals("[\"alert\",7,0.93,true,\"b64:AAH/\",5,1.5,\"é€😀\"]", t.toString());
    }

    @Test
    void accessorsRefuseTheWrongTypeAndIndex() {
        final Tuple t = Tuple.of("a", 1L);
        assertRefused("field 0 is a string, not a long", () -> t.getLong(0));
        assertRefused("field 1 is a long, not a string", () -> t.getString(1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> t.type(-1));
    }

    @Test
    void badTuplesAreRefusedWithClearErrors() {
        assertRefused("at least one field", Tuple::of);
        assertRefused("too many fields: 33", () -> Tuple.of(new Object[33]));
        assertRefused("field 1 is null", () -> Tuple.of("a", null));
        assertRefused("field 0 has unsupported type Object", () -> Tuple.of(new Object()));
        assertRefused("field 0 (string) is too large: 65537 UTF-8 bytes, at most 65536", () -> Tuple.of("x".repeat(65_537)));
        assertRefused("field 2 (bytes) is too large: 70000 bytes", () -> Tuple.of(1, 2, new byte[70_000]));
        final byte[] big = new byte[60_000];
        assertRefused("tuple is too large", () -> Tuple.of(big, big, big, big, big));
        assertRefused("unpaired surrogate", () -> Tuple.of("a\uD800b"));
        Tuple.of("x".repeat(65_536)); // the limit itself is fine
    }

    @Test
    void decodeRefusesWhatIsNotATuple() {
        assertRefused("not a tuple: arity 0", () -> Tuple.decode(new byte[] {0}, 0, 1));
        assertRefused("not a tuple: field 0 has unknown type code 9", () -> Tuple.decode(new byte[] {1, 9}, 0, 2));
        assertRefused("ends inside its 8 bytes", () -> Tuple.decode(new byte[] {1, 2, 0, 0}, 0, 4));
        assertRefused("bytes follow the last field", () -> Tuple.decode(new byte[] {1, 4, 1, 7}, 0, 4));
        assertRefused("field 0 has length", () -> Tuple.decode(new byte[] {1, 1, 100, 0, 0, 0, 'a'}, 0, 7));
        assertRefused("not a boolean", () -> Tuple.decode(new byte[] {1, 4, 2}, 0, 3));
    }

    @Test
    void badTemplatesAreRefused() {
        assertRefused("a template needs at least one field (arity 0", Template::of);
        assertRefused("too many fields: 40", () -> Template.of(new Object[40]));
        assertRefused("field 0 is null", () -> Template.of((Object) null));
        assertRefused("arity must be 1..32", () -> Template.anyOfArity(0));
    }

    @Test
    void actualsMatchEqualValuesOnly() {
        final Tuple t = Tuple.of("alert", 7L, 0.93, false, new byte[] {1, 2});
        assertTrue(Template.of("alert", 7, 0.93, false, new byte[] {1, 2}).matches(t));
        assertFalse(Template.of("alerts", 7, 0.93, false, new byte[] {1, 2}).matches(t));
        assertFalse(Template.of("alert", 8, 0.93, false, new byte[] {1, 2}).matches(t));
        assertFalse(Template.of("alert", 7, 0.94, false, new byte[] {1, 2}).matches(t));
        assertFalse(Template.of("alert", 7, 0.93, true, new byte[] {1, 2}).matches(t));
        assertFalse(Template.of("alert", 7, 0.93, false, new byte[] {1, 3}).matches(t));
        assertFalse(Template.of("alert", 7, 0.93, false, new byte[] {1, 2, 3}).matches(t));
        assertFalse(Template.of("alert", 7.0, 0.93, false, new byte[] {1, 2}).matches(t), "a double never matches a long");
        assertFalse(Template.of("7", ANY, ANY, ANY, ANY).matches(Tuple.of(7, 1, 1, 1, 1)), "a string never matches a long");
    }

    @Test
    void doublesCompareByCanonicalBits() {
        assertTrue(Template.of(Double.NaN).matches(Tuple.of(0.0 / 0.0)));
        assertFalse(Template.of(0.0).matches(Tuple.of(-0.0)));
        assertTrue(Template.of(1e300).matches(Tuple.of(1e300)));
    }

    @Test
    void formalsMatchTheirTypeOnly() {
        final Object[] values = {"s", 1L, 1.0, true, new byte[] {1}};
        final Template.Formal[] formals = {ANY_STRING, ANY_LONG, ANY_DOUBLE, ANY_BOOLEAN, ANY_BYTES};
        for (int f = 0; f < formals.length; f++) {
            for (int v = 0; v < values.length; v++) {
                assertEquals(f == v, Template.of(formals[f]).matches(Tuple.of(values[v])), formals[f] + " vs " + values[v].getClass().getSimpleName());
                assertTrue(Template.of(ANY).matches(Tuple.of(values[v])));
            }
            assertEquals(FieldType.values()[f], formals[f].type());
        }
        assertEquals(null, ANY.type());
        assertEquals("[\"alert\",?long,*,?bytes]", Template.of("alert", ANY_LONG, ANY, ANY_BYTES).toString());
    }

    @Test
    void arityMustBeEqual() {
        assertFalse(Template.of(ANY).matches(Tuple.of(1, 2)));
        assertFalse(Template.of(ANY, ANY, ANY).matches(Tuple.of(1, 2)));
        assertTrue(Template.of(ANY, ANY).matches(Tuple.of(1, 2)));
        assertTrue(Template.anyOfArity(2).matches(Tuple.of("a", "b")));
    }

    @Test
    void templateBinaryFormRoundTrips() {
        final Template t = Template.of("alert", ANY_LONG, ANY, 2.5);
        final byte[] b = new byte[t.encodedLength()];
        t.encodeTo(b, 0);
        assertEquals(t, Template.decode(b, 0, b.length));
        assertNotEquals(t, Template.of("alert", ANY_LONG, ANY, 2.4));
        assertRefused("not a template", () -> Template.decode(new byte[] {2, 0}, 0, 2));
    }

    @Test
    void bufferBuildsTheSameTupleAsOf() {
        final TupleBuffer b = new TupleBuffer(16);
        b.addString("job").addLong(42).addDouble(-1.5).addBoolean(true).addBytes(new byte[] {5, 6, 7}, 1, 2);
        final Tuple expected = Tuple.of("job", 42L, -1.5, true, new byte[] {6, 7});
        assertEquals(expected, b.toTuple());
        assertEquals(expected.toString(), b.toString());
        assertTrue(b.stringEquals(0, "job"));
        assertFalse(b.stringEquals(0, "jo"));
        assertFalse(b.stringEquals(0, "jobs"));
        assertEquals(42L, b.getLong(1));
        assertEquals(-1, b.id());
        assertTrue(Template.of("job", ANY_LONG, ANY, ANY, ANY_BYTES).matches(b));

        b.clear().addString("é");
        assertTrue(b.stringEquals(0, "é"));
        assertEquals(1, b.arity());
        b.clear();
        assertTrue(b.isEmpty());
        assertThrows(IllegalStateException.class, b::toTuple);
        for (int i = 0; i < Tuple.MAX_FIELDS; i++) {
            b.addLong(i);
        }
        assertRefused("too many fields", () -> b.addLong(99));
        assertRefused("field 0 (bytes) is too large", () -> new TupleBuffer().addBytes(new byte[Tuple.MAX_FIELD_BYTES + 1]));

        final TupleBuffer copy = new TupleBuffer(4).set(expected);
        assertEquals(expected, copy.toTuple());
        final byte[] wire = new byte[expected.encodedLength()];
        expected.encodeTo(wire, 0);
        assertEquals(expected, new TupleBuffer().set(wire, 0, wire.length).toTuple());
        assertRefused("not a tuple", () -> new TupleBuffer().set(Arrays.copyOf(wire, wire.length - 1), 0, wire.length - 1));
    }
}
