package io.slate.gateway;

/** Redis's glob patterns for KEYS, SCAN MATCH and CONFIG GET: {@code *}, {@code ?}, {@code [abc]}, {@code [^a-z]}, {@code \x}. */
final class Glob {
    private Glob() {
    }

    static boolean matches(final String pattern, final String s) {
        return match(pattern, 0, s, 0, false);
    }

    static boolean matchesIgnoreCase(final String pattern, final String s) {
        return match(pattern, 0, s, 0, true);
    }

    private static boolean match(final String p, int pi, final String s, int si, final boolean nocase) {
        while (pi < p.length()) {
            final char pc = p.charAt(pi);
            switch (pc) {
                case '*':
                    while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi + 1, s, k, nocase)) {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    if (si >= s.length()) {
                        return false;
                    }
                    si++;
                    break;
                case '[': {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    final boolean not = pi < p.length() && p.charAt(pi) == '^';
                    if (not) {
                        pi++;
                    }
                    boolean found = false;
                    final char c = fold(s.charAt(si), nocase);
                    while (pi < p.length() && p.charAt(pi) != ']') {
                        if (p.charAt(pi) == '\\' && pi + 1 < p.length()) {
                            pi++;
                            found |= fold(p.charAt(pi), nocase) == c;
                        } else if (pi + 2 < p.length() && p.charAt(pi + 1) == '-' && p.charAt(pi + 2) != ']') {
                            char lo = fold(p.charAt(pi), nocase);
                            char hi = fold(p.charAt(pi + 2), nocase);
                            if (lo > hi) {
                                final char t = lo;
                                lo = hi;
                                hi = t;
                            }
                            found |= c >= lo && c <= hi;
                            pi += 2;
                        } else {
                            found |= fold(p.charAt(pi), nocase) == c;
                        }
                        pi++;
                    }
                    if (found == not) {
                        return false;
                    }
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    // fall through: match the escaped character literally
                default:
                    if (si >= s.length() || fold(p.charAt(pi), nocase) != fold(s.charAt(si), nocase)) {
                        return false;
                    }
                    si++;
                    break;
            }
            pi++;
        }
        return si == s.length();
    }

    private static char fold(final char c, final boolean nocase) {
        return nocase ? Character.toLowerCase(c) : c;
    }
}
