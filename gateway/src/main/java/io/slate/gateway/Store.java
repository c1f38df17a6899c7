package io.slate.gateway;

import io.slate.kv.Entry;
import io.slate.kv.KeyValue;
import io.slate.kv.Values;

import java.util.function.UnaryOperator;

/**
 * The key/value operations the Redis string commands are made of. {@link Live} runs each on the space at once, every
 * read-modify-write as a compare-and-set loop on the key's version; {@link Tx} is a MULTI block's view of its one
 * written key, committed by one compare-and-set at EXEC.
 */
abstract class Store {
    /** A mutation's result: leave the key as it is. */
    static final byte[] KEEP = new byte[0];
    /** A mutation's result: remove the key. */
    static final byte[] DELETE = new byte[0];

    abstract Entry get(String key);

    /** Applies {@code fn} to the current value (null when absent) atomically; returns the value before. */
    abstract byte[] mutate(String key, UnaryOperator<byte[]> fn);

    abstract void put(String key, byte[] value);

    abstract boolean putIfAbsent(String key, byte[] value);

    abstract boolean remove(String key);

    abstract long increment(String key, long delta);

    static GatewayError notInteger() {
        return new GatewayError("ERR value is not an integer or out of range");
    }

    static GatewayError overflow() {
        return new GatewayError("ERR increment or decrement would overflow");
    }

    /** The space itself. Thread-safe. */
    static final class Live extends Store {
        private final KeyValue kv;

        Live(final KeyValue kv) {
            this.kv = kv;
        }

        @Override
        Entry get(final String key) {
            return kv.get(key);
        }

        @Override
        byte[] mutate(final String key, final UnaryOperator<byte[]> fn) {
            while (true) {
                final Entry e = kv.get(key);
                final byte[] before = e == null ? null : e.value();
                final byte[] after = fn.apply(before);
                if (after == KEEP) {
                    return before;
                }
                if (after == DELETE) {
                    if (e == null) {
                        return null;
                    }
                    if (kv.removeIfVersion(key, e.version()) > 0) {
                        return before;
                    }
                } else if (kv.compareAndSet(key, e == null ? KeyValue.ABSENT : e.version(), after) > 0) {
                    return before;
                }
            }
        }

        @Override
        void put(final String key, final byte[] value) {
            kv.put(key, value);
        }

        @Override
        boolean putIfAbsent(final String key, final byte[] value) {
            return kv.putIfAbsent(key, value) > 0;
        }

        @Override
        boolean remove(final String key) {
            return kv.remove(key) > 0;
        }

        @Override
        long increment(final String key, final long delta) {
            return increment(kv, key, delta);
        }

        /** INCRBY on the space with Redis's errors: any key given as text (the fast path's key is not a String). */
        static long increment(final KeyValue kv, final CharSequence key, final long delta) {
            try {
                return kv.increment(key, delta);
            } catch (ArithmeticException e) {
                throw overflow();
            } catch (IllegalArgumentException e) {
                // the key was checked against the space's limits before: what is left is a value that is not a long
                throw notInteger();
            }
        }

        /**
         * {@link #increment(KeyValue, CharSequence, long)} whose result is the new value's digits, as the space stored
         * them, written into {@code text} at {@code offset} (20 bytes free): returns their length.
         */
        static int incrementAsText(final KeyValue kv, final CharSequence key, final long delta, final byte[] text, final int offset) {
            try {
                return kv.incrementAsText(key, delta, text, offset);
            } catch (ArithmeticException e) {
                throw overflow();
            } catch (IllegalArgumentException e) {
                throw notInteger();
            }
        }
    }

    /**
     * A transaction's one written key, read once from the space and then changed locally; {@link #commit()} writes
     * the final value with one compare-and-set on the version read (or removes it at that version). Reads of other
     * keys go to the space. Used by one thread.
     */
    static final class Tx extends Store {
        private final Live live;
        private final KeyValue kv;
        private final String key;
        private final long watchedVersion;
        private boolean loaded;
        private long baseVersion;
        private byte[] value;
        private boolean dirty;

        /** @param watchedVersion the version WATCH saw for this key, or -1 when it is not watched */
        Tx(final Live live, final KeyValue kv, final String key, final long watchedVersion) {
            this.live = live;
            this.kv = kv;
            this.key = key;
            this.watchedVersion = watchedVersion;
        }

        /** Thrown when the written key is no longer at the version WATCH saw: EXEC answers null. */
        static final class WatchBroken extends RuntimeException {
            private static final long serialVersionUID = 1L;

            WatchBroken() {
                super(null, null, false, false);
            }
        }

        private void load() {
            if (!loaded) {
                final Entry e = kv.get(key);
                baseVersion = e == null ? KeyValue.ABSENT : e.version();
                value = e == null ? null : e.value();
                if (watchedVersion >= 0 && e != null && e.version() != watchedVersion) {
                    throw new WatchBroken();
                }
                loaded = true;
            }
        }

        private void own(final String k) {
            if (!k.equals(key)) {
                throw new IllegalStateException("transaction on '" + key + "' asked to write '" + k + "'");
            }
        }

        @Override
        Entry get(final String k) {
            if (!k.equals(key)) {
                return live.get(k);
            }
            load();
            return value == null ? null : new Entry(key, value, baseVersion, "", 0, -1, false);
        }

        @Override
        byte[] mutate(final String k, final UnaryOperator<byte[]> fn) {
            own(k);
            load();
            final byte[] before = value;
            final byte[] after = fn.apply(before);
            if (after == DELETE) {
                if (before != null) {
                    value = null;
                    dirty = true;
                }
            } else if (after != KEEP) {
                value = after;
                dirty = true;
            }
            return before;
        }

        @Override
        void put(final String k, final byte[] v) {
            own(k);
            load();
            value = v;
            dirty = true;
        }

        @Override
        boolean putIfAbsent(final String k, final byte[] v) {
            own(k);
            load();
            if (value != null) {
                return false;
            }
            value = v;
            dirty = true;
            return true;
        }

        @Override
        boolean remove(final String k) {
            own(k);
            load();
            if (value == null) {
                return false;
            }
            value = null;
            dirty = true;
            return true;
        }

        @Override
        long increment(final String k, final long delta) {
            own(k);
            load();
            final long current;
            try {
                current = value == null ? 0 : Values.parseCanonicalDecimal(key, value, 0, value.length);
            } catch (IllegalArgumentException e) {
                throw notInteger();
            }
            final long next;
            try {
                next = Math.addExact(current, delta);
            } catch (ArithmeticException e) {
                throw overflow();
            }
            value = Values.decimal(next);
            dirty = true;
            return next;
        }

        /** Writes the result; false when another writer changed the key since it was read (nothing written). */
        boolean commit() {
            if (!dirty) {
                return true;
            }
            if (value == null) {
                return baseVersion == KeyValue.ABSENT || kv.removeIfVersion(key, baseVersion) > 0;
            }
            return kv.compareAndSet(key, baseVersion, value) > 0;
        }
    }
}
