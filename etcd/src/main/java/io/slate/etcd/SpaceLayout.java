package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a space lives in etcd's one key space: every key of space {@code S} starts with {@code /slate/S/}, so spaces
 * share a cluster without seeing each other, a user's permission can be a key range, and a space is deleted by one
 * prefix delete.
 *
 * <pre>
 *   /slate/S/k/&lt;key bytes&gt;        the key/value map: value = the value, etcd version = the key's version
 *   /slate/S/j/&lt;request id&gt;       one journal record per commit (value: {@link JournalRecord});
 *                                    its mod revision (= create revision: never overwritten) is the journal index
 *   /slate/S/t/&lt;tailer name&gt;      a named tailer's position: the last delivered index, 20 decimal digits
 *   /slate/S/a/&lt;lease id hex&gt;     a live agent (attached to its lease, gone when the lease expires)
 *   /slate/S/m/&lt;mutex&gt;/&lt;lease hex&gt;  a mutex's queue: one key per waiter, attached to its lease;
 *                                    the lowest create revision holds it and is its fencing token
 * </pre>
 *
 * A request id is 32 lower-case hex digits (a random 64-bit writer id, then a 64-bit sequence): unique per commit,
 * written as the record's key, so a retry of a commit whose outcome is unknown finds its own record (see {@link
 * EtcdKeyValue}). The single-letter families keep prefixes disjoint: a key can hold any bytes without reaching
 * into another family.
 *
 * <p>Immutable and thread-safe.
 */
final class SpaceLayout {
    static final String ROOT = "/slate/";
    private final String space;
    private final String prefix;
    private final ByteSequence spacePrefix;
    private final byte[] kvPrefix;
    private final ByteSequence journalPrefix;

    SpaceLayout(final String space) {
        this.space = space;
        this.prefix = ROOT + space + "/";
        this.spacePrefix = utf8(prefix);
        this.kvPrefix = (prefix + "k/").getBytes(StandardCharsets.UTF_8);
        this.journalPrefix = utf8(prefix + "j/");
    }

    String space() {
        return space;
    }

    /** Every key of the space. */
    ByteSequence spacePrefix() {
        return spacePrefix;
    }

    ByteSequence kvKey(final byte[] key) {
        final byte[] k = Arrays.copyOf(kvPrefix, kvPrefix.length + key.length);
        System.arraycopy(key, 0, k, kvPrefix.length, key.length);
        return ByteSequence.from(k);
    }

    ByteSequence kvPrefix() {
        return ByteSequence.from(kvPrefix);
    }

    /** The user's key of a map key, or null when {@code etcdKey} is not in the map. */
    byte[] userKey(final ByteSequence etcdKey) {
        final byte[] k = etcdKey.getBytes();
        if (k.length < kvPrefix.length || !Arrays.equals(k, 0, kvPrefix.length, kvPrefix, 0, kvPrefix.length)) {
            return null;
        }
        return Arrays.copyOfRange(k, kvPrefix.length, k.length);
    }

    ByteSequence journalPrefix() {
        return journalPrefix;
    }

    ByteSequence journalKey(final String requestId) {
        return utf8(prefix + "j/" + requestId);
    }

    /** The request id of a journal record's key. */
    String requestId(final ByteSequence recordKey) {
        final String k = recordKey.toString(StandardCharsets.UTF_8);
        return k.substring(prefix.length() + 2);
    }

    ByteSequence tailerKey(final String name) {
        return utf8(prefix + "t/" + name);
    }

    ByteSequence agentKey(final long leaseId) {
        return utf8(prefix + "a/" + Long.toHexString(leaseId));
    }

    ByteSequence agentPrefix() {
        return utf8(prefix + "a/");
    }

    ByteSequence mutexPrefix(final String name) {
        return utf8(prefix + "m/" + name + "/");
    }

    ByteSequence mutexKey(final String name, final long leaseId) {
        return utf8(prefix + "m/" + name + "/" + Long.toHexString(leaseId));
    }

    static ByteSequence utf8(final String s) {
        return ByteSequence.from(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A key for messages: UTF-8, cut at 64 characters. */
    static String printable(final byte[] key) {
        final String s = new String(key, StandardCharsets.UTF_8);
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
