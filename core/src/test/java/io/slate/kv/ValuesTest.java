package io.slate.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Longs as decimal text: every long has one text, written and read back by the counters' code. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ValuesTest {
    private static String written(final long v) {
        final byte[] b = new byte[24];
        b[0] = 'x';
        b[23] = 'y';
        final int n = Values.writeDecimal(v, b, 1);
        assertEquals('x', b[0], "nothing before the offset");
        assertEquals('y', b[23], "nothing past 20 bytes");
        return new String(b, 1, n, StandardCharsets.US_ASCII);
    }

    private static long canonical(final String s) {
        final byte[] b = ("ab" + s + "cd").getBytes(StandardCharsets.US_ASCII);
        return Values.parseCanonicalDecimal("k", b, 2, b.length - 4);
    }

    /** Every power of ten and its neighbours (each digit count's edges), both signs, and random longs. */
    @Test
    void writesAndReadsBackEveryLongAsLongToStringDoes() {
        final SplittableRandom random = new SplittableRandom(14);
        final long[] edges = {0, 1, -1, 9, 10, 11, 99, 100, 101, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1};
        for (long e : edges) {
            assertEquals(Long.toString(e), written(e));
            assertEquals(e, canonical(Long.toString(e)));
        }
        long p = 1;
        for (int d = 0; d <= 18; d++) {
            for (long v : new long[] {p - 1, p, p + 1, -p + 1, -p, -p - 1, 9 * p, -9 * p}) {
                assertEquals(Long.toString(v), written(v), "written " + v);
                assertEquals(v, canonical(Long.toString(v)), "read " + v);
            }
            p *= 10;
        }
        for (int i = 0; i < 200_000; i++) {
            final long v = random.nextLong() >> random.nextInt(64);
            assertEquals(Long.toString(v), written(v));
            assertEquals(v, canonical(Long.toString(v)));
        }
    }

    /** Redis's rule for a counter's text (string2ll): no sign but '-', no leading zero, no "-0", no blanks, no overflow. */
    @Test
    void readsOnlyALongsOneText() {
        for (String bad : new String[] {"", "-", "+", "+5", "007", "00", "-0", "-07", " 5", "5 ", "5\n", "1e3", "0x1", "--1",
                "1-", "9223372036854775808", "-9223372036854775809", "10000000000000000000", "+123456789012345678",
                "+1234567890123456789", "12345678901234567890", "1".repeat(40), "١٢"}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> canonical(bad), "'" + bad + "'");
            assertTrue(e.getMessage().contains("key 'k'") && e.getMessage().contains("not a decimal long"), e.getMessage());
        }
        assertEquals(7, Values.parseDecimal("k", "007".getBytes(StandardCharsets.US_ASCII), 0, 3), "the reader of values stays lenient");
    }
}
