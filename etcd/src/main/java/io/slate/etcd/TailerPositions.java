package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import java.nio.charset.StandardCharsets;

/**
 * Named tailer positions as keys: {@code /slate/S/t/<name>} holds the index of the last record the named tailer
 * handled, as 20 decimal digits. A position only moves forward (a compare-and-set on the key's mod revision), so a
 * slow or restarted reader cannot move another's position back.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class TailerPositions {
    private final EtcdConnection connection;
    private final SpaceLayout layout;

    TailerPositions(final EtcdConnection connection, final SpaceLayout layout) {
        this.connection = connection;
        this.layout = layout;
    }

    /** The stored position of {@code name}, 0 when it never stored one. */
    long load(final String name) {
        final GetResponse r = connection.get(layout.tailerKey(checked(name)), GetOption.DEFAULT, "position of tailer '" + name + "'");
        return r.getKvs().isEmpty() ? 0 : parse(name, r.getKvs().get(0));
    }

    /** Stores {@code index} as the position of {@code name} unless it already is at or past it; returns the stored position. */
    long store(final String name, final long index) {
        final ByteSequence key = layout.tailerKey(checked(name));
        final ByteSequence value = ByteSequence.from(String.format("%020d", index).getBytes(StandardCharsets.US_ASCII));
        for (int attempt = 0; ; attempt++) {
            final GetResponse r = connection.get(key, GetOption.DEFAULT, "position of tailer '" + name + "'");
            final long modRevision = r.getKvs().isEmpty() ? 0 : r.getKvs().get(0).getModRevision();
            final long stored = r.getKvs().isEmpty() ? 0 : parse(name, r.getKvs().get(0));
            if (stored >= index) {
                return stored;
            }
            // idempotent: re-running it after an unknown outcome stores the same value or finds a later one
            final TxnResponse t = connection.read(() -> connection.kv().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
                    .Then(Op.put(key, value, PutOption.DEFAULT)).commit(), "store position of tailer '" + name + "'");
            if (t.isSucceeded()) {
                return index;
            }
            EtcdConnection.backoff(attempt);
        }
    }

    private static String checked(final String name) {
        if (name.isEmpty() || name.length() > 128 || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("tailer name '" + name + "': 1 to 128 characters, no '/'");
        }
        return name;
    }

    private static long parse(final String name, final KeyValue kv) {
        final String s = kv.getValue().toString(StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new EtcdFailure(EtcdFailure.Kind.FAILED, "position of tailer '" + name + "' holds '" + s
                    + "', not an index", true);
        }
    }
}
