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
 *   /slate/S/n/&lt;agent id hex&gt;   an agent id in use, attached to its agent's lease
 *   /slate/S/space                  the space's marker, written when it is first opened
 *   /slate/S/r/budget               the journal's retention budget in records (0: keep every record), set at creation
 *   /slate/S/r/trimmed              the trimmed-through index: every record at or before it was deleted by retention
 *   /slate/S/r/duty                 the lease (hex) of the agent holding the snapshot and retention duty, attached to it
 *   /slate/S/s/&lt;view hex&gt;/&lt;index&gt;  snapshots of a view (a tuple space, a blackboard), the newest two
 *   /slate/S/y/&lt;name hex&gt;[/...]   a sync primitive's definition, and its state below it
 *   /slate/S/m/&lt;mutex hex&gt;/&lt;lease hex&gt;  a mutex's queue: one key per waiter, attached to its lease;
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

    /** The space's marker: written once when the space is first opened, so that an empty space exists. */
    ByteSequence markerKey() {
        return utf8(prefix + "space");
    }

    /** Snapshots: {@code s/<view in hex>/<index, 20 digits>}. */
    ByteSequence snapshotPrefix() {
        return utf8(prefix + "s/");
    }

    ByteSequence snapshotPrefix(final String view) {
        return utf8(prefix + "s/" + hex(view) + "/");
    }

    ByteSequence snapshotKey(final String view, final long index) {
        return utf8(prefix + "s/" + hex(view) + "/" + String.format("%020d", index));
    }

    /** The view of a snapshot key, or null when it is not one. */
    String snapshotView(final ByteSequence key) {
        return unhexFirst(key, prefix + "s/");
    }

    /** The name of a sync definition or state key. */
    String syncName(final ByteSequence key) {
        return unhexFirst(key, prefix + "y/");
    }

    /** Whether {@code key} is a sync definition ({@code y/<name>}, nothing after the name). */
    boolean isSyncDefinition(final ByteSequence key) {
        final String k = key.toString(StandardCharsets.UTF_8);
        return k.indexOf('/', (prefix + "y/").length()) < 0;
    }

    private static String unhexFirst(final ByteSequence key, final String p) {
        final String k = key.toString(StandardCharsets.UTF_8);
        if (!k.startsWith(p)) {
            return null;
        }
        final int slash = k.indexOf('/', p.length());
        final String h = k.substring(p.length(), slash < 0 ? k.length() : slash);
        if ((h.length() & 1) != 0) {
            return null;
        }
        final byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            final int hi = Character.digit(h.charAt(2 * i), 16);
            final int lo = Character.digit(h.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    static String hex(final String s) {
        final StringBuilder b = new StringBuilder();
        for (final byte x : s.getBytes(StandardCharsets.UTF_8)) {
            b.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return b.toString();
    }

    /** Sync primitives: {@code y/<name>} = the primitive's definition; {@code y/<name>/...} its state. */
    ByteSequence syncKey(final String name, final String part) {
        return utf8(prefix + "y/" + hex(name) + (part.isEmpty() ? "" : "/" + part));
    }

    ByteSequence syncPrefix(final String name, final String part) {
        return utf8(prefix + "y/" + hex(name) + "/" + part + "/");
    }

    ByteSequence syncPrefix() {
        return utf8(prefix + "y/");
    }

    /** The journal's retention budget in records, 20 decimal digits (0: unbounded). */
    ByteSequence budgetKey() {
        return utf8(prefix + "r/budget");
    }

    /** The trimmed-through index, 20 decimal digits; absent while retention never removed a record. */
    ByteSequence trimmedKey() {
        return utf8(prefix + "r/trimmed");
    }

    /** The duty holder's lease id in hex, attached to that lease. */
    ByteSequence dutyKey() {
        return utf8(prefix + "r/duty");
    }

    ByteSequence tailerPrefix() {
        return utf8(prefix + "t/");
    }

    /** The name of a named position key, or null when it is not one. */
    String tailerName(final ByteSequence key) {
        final String k = key.toString(StandardCharsets.UTF_8);
        return k.startsWith(prefix + "t/") ? k.substring(prefix.length() + 2) : null;
    }

    ByteSequence tailerKey(final String name) {
        return utf8(prefix + "t/" + name);
    }

    ByteSequence agentKey(final long leaseId) {
        return utf8(prefix + "a/" + Long.toHexString(leaseId));
    }

    /** An agent id in use: {@code n/<id hex>}, attached to the lease of the agent that has it. */
    ByteSequence agentNameKey(final String agentId) {
        return utf8(prefix + "n/" + hex(agentId));
    }

    ByteSequence agentPrefix() {
        return utf8(prefix + "a/");
    }

    ByteSequence mutexPrefix(final String name) {
        return utf8(prefix + "m/" + hex(name) + "/");
    }

    ByteSequence mutexKey(final String name, final long leaseId) {
        return utf8(prefix + "m/" + hex(name) + "/" + Long.toHexString(leaseId));
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
