package io.slate.shm;

import java.util.Random;

/** Keys as a test of key encoding wants them: ASCII, Latin-1, CJK and now and then a character outside the BMP. */
final class RandomKeys {
    private RandomKeys() {
    }

    /** A key of 1 to 40 chars (a character outside the BMP, a surrogate pair, counts as one of them). */
    static StringBuilder next(final Random random) {
        final StringBuilder key = new StringBuilder();
        final int len = 1 + random.nextInt(40);
        for (int c = 0; c < len; c++) {
            final int kind = random.nextInt(10);
            if (kind < 6) {
                key.append((char) (' ' + random.nextInt(95)));
            } else if (kind < 8) {
                key.append((char) (0xA0 + random.nextInt(0x60)));
            } else if (kind < 9) {
                key.append((char) (0x4E00 + random.nextInt(0x5000)));
            } else {
                key.appendCodePoint(0x1F600 + random.nextInt(0x40));
            }
        }
        return key;
    }
}
