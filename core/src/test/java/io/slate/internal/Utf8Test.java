package io.slate.internal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slate's UTF-8: encoding as the JDK encodes, and comparing encoded bytes with text without decoding them. */
class Utf8Test {
    private static final String[] TEXTS = {"", "a", "bench/ping", "é", "naïve/key", "日本語", "€uro", "emoji 🙂 here", "🙂", "a🙂b€c",
        "\u07FF\u0800\uFFFF"};

    @Test
    @Timeout(10)
    void encodedBytesEqualTheirTextAndNoOtherText() {
        for (String t : TEXTS) {
            final byte[] jdk = t.getBytes(StandardCharsets.UTF_8);
            final byte[] ours = new byte[Utf8.length(t)];
            assertEquals(jdk.length, Utf8.encode(t, ours), t);
            assertEquals(new String(jdk, StandardCharsets.UTF_8), new String(ours, StandardCharsets.UTF_8));
            // placed at an offset inside a larger buffer, as a key inside a record
            final byte[] framed = new byte[jdk.length + 6];
            System.arraycopy(jdk, 0, framed, 3, jdk.length);
            final UnsafeBuffer b = new UnsafeBuffer(framed);
            for (String other : TEXTS) {
                assertEquals(t.equals(other), Utf8.equals(b, 3, jdk.length, other), "'" + t + "' against '" + other + "'");
            }
            if (!t.isEmpty()) {
                assertFalse(Utf8.equals(b, 3, jdk.length - 1, t), "one byte short: " + t);
                assertFalse(Utf8.equals(b, 3, jdk.length, t + "x"), "one char more: " + t);
                assertFalse(Utf8.equals(b, 3, jdk.length, t.substring(0, t.length() - 1)), "one char less: " + t);
            }
        }
    }

    @Test
    @Timeout(10)
    void textWithAnUnpairedSurrogateIsNeitherEncodedNorEqualToAnything() {
        final String lone = "a\uD83Db";
        assertThrows(IllegalArgumentException.class, () -> Utf8.encode(lone, new byte[16]));
        final byte[] replaced = lone.getBytes(StandardCharsets.UTF_8); // the JDK writes '?' for it
        assertFalse(Utf8.equals(new UnsafeBuffer(replaced), 0, replaced.length, lone));
        final byte[] bytes = "a?b".getBytes(StandardCharsets.UTF_8);
        assertTrue(Utf8.equals(new UnsafeBuffer(bytes), 0, bytes.length, "a?b"));
    }
}
