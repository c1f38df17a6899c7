package io.slate.gateway;

import io.slate.tuple.Template;
import io.slate.tuple.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Command arguments as tuple and template words: the words the {@code slate} command line writes, read by
 * {@link io.slate.tuple.TupleWords} (one reader for both).
 */
final class TupleWords {
    private TupleWords() {
    }

    static Tuple tuple(final byte[][] argv, final int from, final int to) {
        return io.slate.tuple.TupleWords.tuple(words(argv, from, to));
    }

    static Template template(final byte[][] argv, final int from, final int to) {
        return io.slate.tuple.TupleWords.template(words(argv, from, to));
    }

    static Object field(final byte[] raw, final int index) {
        return io.slate.tuple.TupleWords.field(new String(raw, StandardCharsets.UTF_8), index);
    }

    private static List<String> words(final byte[][] argv, final int from, final int to) {
        final List<String> words = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            words.add(new String(argv[i], StandardCharsets.UTF_8));
        }
        return words;
    }

    static String abbreviate(final String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
