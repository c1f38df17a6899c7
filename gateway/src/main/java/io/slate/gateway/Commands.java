package io.slate.gateway;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The commands the gateway knows, with Redis's arity convention (n: exactly n words with the name; -n: at least n),
 * the keys they write (for MULTI's one-written-key rule) and whether they may be queued in MULTI.
 */
final class Commands {
    /** One command. */
    static final class Spec {
        final String name;
        final int arity;
        /** May be queued inside MULTI. */
        final boolean tx;
        /** Position of the first written key (0: writes no key), the last (-1: the last word), and the step. */
        final int firstWrite;
        final int lastWrite;
        final int step;
        final String flags;

        Spec(final String name, final int arity, final boolean tx, final int firstWrite, final int lastWrite, final int step, final String flags) {
            this.name = name;
            this.arity = arity;
            this.tx = tx;
            this.firstWrite = firstWrite;
            this.lastWrite = lastWrite;
            this.step = step;
            this.flags = flags;
        }

        boolean arityOk(final int argc) {
            return arity >= 0 ? argc == arity : argc >= -arity;
        }
    }

    private static final Map<String, Spec> TABLE = new LinkedHashMap<>();

    static {
        // connection
        add("PING", -1, true, 0, 0, 0, "fast");
        add("ECHO", 2, true, 0, 0, 0, "fast");
        add("HELLO", -1, false, 0, 0, 0, "noauth fast");
        add("AUTH", -2, false, 0, 0, 0, "noauth fast");
        add("CLIENT", -2, false, 0, 0, 0, "");
        add("INFO", -1, false, 0, 0, 0, "");
        add("CONFIG", -2, false, 0, 0, 0, "");
        add("COMMAND", -1, false, 0, 0, 0, "");
        add("SELECT", 2, false, 0, 0, 0, "fast");
        add("QUIT", -1, false, 0, 0, 0, "noauth fast");
        add("RESET", 1, false, 0, 0, 0, "noauth fast");
        // strings
        add("GET", 2, true, 0, 0, 0, "readonly fast");
        add("SET", -3, true, 1, 1, 1, "write");
        add("SETNX", 3, true, 1, 1, 1, "write fast");
        add("GETSET", 3, true, 1, 1, 1, "write fast");
        add("GETDEL", 2, true, 1, 1, 1, "write fast");
        add("MGET", -2, true, 0, 0, 0, "readonly fast");
        add("MSET", -3, true, 1, -1, 2, "write");
        add("DEL", -2, true, 1, -1, 1, "write");
        add("EXISTS", -2, true, 0, 0, 0, "readonly fast");
        add("INCR", 2, true, 1, 1, 1, "write fast");
        add("INCRBY", 3, true, 1, 1, 1, "write fast");
        add("DECR", 2, true, 1, 1, 1, "write fast");
        add("DECRBY", 3, true, 1, 1, 1, "write fast");
        add("APPEND", 3, true, 1, 1, 1, "write fast");
        add("STRLEN", 2, true, 0, 0, 0, "readonly fast");
        add("TYPE", 2, true, 0, 0, 0, "readonly fast");
        add("SCAN", -2, false, 0, 0, 0, "readonly");
        add("KEYS", 2, false, 0, 0, 0, "readonly");
        add("DBSIZE", 1, false, 0, 0, 0, "readonly fast");
        add("FLUSHDB", -1, false, 0, 0, 0, "write");
        add("FLUSHALL", -1, false, 0, 0, 0, "write");
        // transactions
        add("WATCH", -2, false, 0, 0, 0, "fast");
        add("UNWATCH", 1, false, 0, 0, 0, "fast");
        add("MULTI", 1, false, 0, 0, 0, "fast");
        add("EXEC", 1, false, 0, 0, 0, "");
        add("DISCARD", 1, false, 0, 0, 0, "fast");
        // the journal as a stream
        add("XRANGE", -4, false, 0, 0, 0, "readonly");
        add("XREVRANGE", -4, false, 0, 0, 0, "readonly");
        add("XREAD", -4, false, 0, 0, 0, "readonly blocking");
        add("XLEN", 2, false, 0, 0, 0, "readonly fast");
        add("XADD", -5, false, 0, 0, 0, "write");
        // Slate's own
        add("SLATE.GETV", 2, true, 0, 0, 0, "readonly fast");
        add("SLATE.CAS", 4, false, 0, 0, 0, "write fast");
        add("SLATE.WAIT", -3, false, 0, 0, 0, "readonly blocking");
        add("SLATE.OUT", -3, false, 0, 0, 0, "write");
        add("SLATE.RD", -3, false, 0, 0, 0, "readonly blocking");
        add("SLATE.RDP", -3, false, 0, 0, 0, "readonly");
        add("SLATE.IN", -3, false, 0, 0, 0, "write blocking");
        add("SLATE.INP", -3, false, 0, 0, 0, "write");
        add("SLATE.TAKE", -3, false, 0, 0, 0, "write blocking");
        add("SLATE.ACK", 2, false, 0, 0, 0, "write fast");
        add("SLATE.RELEASE", 2, false, 0, 0, 0, "write fast");
        add("SLATE.COUNT", -3, false, 0, 0, 0, "readonly");
        add("SLATE.LOCK", -2, false, 0, 0, 0, "write blocking");
        add("SLATE.UNLOCK", 2, false, 0, 0, 0, "write fast");
        add("SLATE.SEM.ACQUIRE", -3, false, 0, 0, 0, "write blocking");
        add("SLATE.SEM.RELEASE", -3, false, 0, 0, 0, "write fast");
        add("SLATE.COUNTER.GET", 2, false, 0, 0, 0, "readonly fast");
        add("SLATE.COUNTER.ADD", 3, false, 0, 0, 0, "write fast");
        add("SLATE.BB.POST", -4, false, 0, 0, 0, "write");
        add("SLATE.INFO", 1, false, 0, 0, 0, "readonly");
    }

    private Commands() {
    }

    private static void add(final String name, final int arity, final boolean tx, final int first, final int last, final int step, final String flags) {
        TABLE.put(name, new Spec(name, arity, tx, first, last, step, flags));
    }

    static Spec get(final String upperName) {
        return TABLE.get(upperName);
    }

    static Collection<Spec> all() {
        return TABLE.values();
    }
}
