package io.slate.engine.blackboard;

import java.nio.charset.StandardCharsets;

/** Checks of the names a blackboard stores: blackboard, level, knowledge source and attribute names. */
public final class Names {
    private Names() {
    }

    /**
     * Checks a name: not null, 1 to {@code maxBytes} UTF-8 bytes, no control characters, no unpaired surrogate.
     *
     * @return the name
     * @throws IllegalArgumentException naming {@code what} and the problem
     */
    public static String check(final String name, final String what, final int maxBytes) {
        if (name == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        checkUnicode(name, what);
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException(what + " '" + name.replaceAll("\\p{Cntrl}", "?") + "' contains a control character at " + i);
            }
        }
        final int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n > maxBytes) {
            throw new IllegalArgumentException(what + " '" + abbreviate(name) + "' is " + n + " UTF-8 bytes; at most " + maxBytes + " allowed");
        }
        return name;
    }

    /** Refuses text with an unpaired surrogate, which UTF-8 cannot hold. */
    public static void checkUnicode(final String text, final String what) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                        + ") at char " + i + ": not valid Unicode, cannot be stored as UTF-8");
            }
        }
    }

    /** At most 60 characters of {@code s}, for messages. */
    public static String abbreviate(final String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
