package io.slate.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JSON string escaper and object builder. */
class JsonTest {
    @Test
    void escapesWhatJsonRequires() {
        assertEquals("\"plain ü 😀\"", Json.quote("plain ü 😀"));
        assertEquals("\"\\\"q\\\" \\\\ \\n\\r\\t\\b\\f\"", Json.quote("\"q\" \\ \n\r\t\b\f"));
        assertEquals("\"\\u0000\\u001f\\u2028\"", Json.quote("\u0000\u001f\u2028"));
        assertEquals("\"lone \\ud800 x\"", Json.quote("lone \ud800 x"));
    }

    @Test
    void buildsAFlatObject() {
        final byte[] text = "v".getBytes(StandardCharsets.UTF_8);
        assertEquals("{\"a\":\"x\",\"n\":-3,\"b\":true,\"value\":\"v\"}",
                new Json().field("a", "x").field("n", -3).field("b", true).value("value", text, text.length).toString());
        final byte[] bytes = {0, (byte) 0xff, 1, 2};
        assertEquals("{\"value\":\"AP8=\",\"encoding\":\"base64\"}", new Json().value("value", bytes, 2).toString());
        assertEquals("{}", new Json().toString());
    }
}
