package io.slate.tuple;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The words the command line and the gateway write tuples and templates in. */
class TupleWordsTest {
    @Test
    void eachWordIsTheFieldItLooksLike() {
        final Tuple t = TupleWords.tuple(List.of("job", "42", "-7", "1.5", "2e3", "true", "\"42\"", "'?x'", "b64:AAE="));
        assertEquals("job", t.getString(0));
        assertEquals(42L, t.getLong(1));
        assertEquals(-7L, t.getLong(2));
        assertEquals(1.5, t.getDouble(3));
        assertEquals(2000.0, t.getDouble(4));
        assertEquals(true, t.getBoolean(5));
        assertEquals("42", t.getString(6));
        assertEquals("?x", t.getString(7));
        assertArrayEquals(new byte[] {0, 1}, t.getBytes(8));
    }

    @Test
    void templatesHaveWildcardsAndFormals() {
        final Template tpl = TupleWords.template(List.of("job", "*", "?long", "?string"));
        assertTrue(tpl.matches(Tuple.of("job", 1.0, 3L, "x")));
        assertTrue(!tpl.matches(Tuple.of("job", 1.0, "3", "x")));
    }

    @Test
    void badWordsNameTheFieldAndTheProblem() {
        assertMessage("a tuple needs at least one field", () -> TupleWords.tuple(List.of()));
        assertMessage("a template needs at least one field", () -> TupleWords.template(List.of()));
        assertMessage("field 1 '99999999999999999999' is an integer outside the range of a long",
                () -> TupleWords.tuple(List.of("a", "99999999999999999999")));
        assertMessage("field 0 'b64:!!' is not valid base64 after 'b64:'", () -> TupleWords.tuple(List.of("b64:!!")));
        assertMessage("unknown formal '?int': use ?string, ?long, ?double, ?boolean, ?bytes or *",
                () -> TupleWords.template(List.of("?int")));
    }

    private static void assertMessage(final String start, final Runnable r) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
