package io.slate.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.slate.space.SpaceException;
import io.slate.spi.SnapshotStore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Snapshots on etcd: one key per snapshot, {@code s/<view hex>/<index, 20 digits>}, so a view's snapshots sort by
 * index and views never mix. A put is atomic, so a snapshot is published whole or not at all; each value carries a
 * magic, its length and a CRC-32, so damaged bytes are skipped for the previous snapshot. Older snapshots of a view
 * beyond the newest two are deleted after a write.
 *
 * <p>A snapshot travels in one request, so it is limited by etcd's {@code --max-request-bytes}; a larger one is
 * refused with that said, and nothing is published (the engines then keep replaying from the journal).
 *
 * <p>Thread-safe.
 */
final class EtcdSnapshots implements SnapshotStore {
    private static final int MAGIC = 0x534E4150; // "SNAP"
    private static final int HEADER = 12;
    private static final int KEEP = 2;
    private final EtcdSpace space;
    private final EtcdConnection connection;
    private final SpaceLayout layout;

    EtcdSnapshots(final EtcdSpace space, final EtcdConnection connection, final SpaceLayout layout) {
        this.space = space;
        this.connection = connection;
        this.layout = layout;
    }

    @Override
    public void write(final String view, final long index, final byte[] data, final int offset, final int length) {
        space.checkWritable("write a snapshot of '" + view + "'");
        final int max = connection.options().maxRequestBytes - 512;
        if (HEADER + length > max) {
            throw new SpaceException(location(), "snapshot of '" + view + "' at index " + index + " is " + length
                    + " bytes, over what one etcd request carries (--max-request-bytes " + connection.options().maxRequestBytes
                    + "); nothing was published", null);
        }
        final CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        final ByteBuffer b = ByteBuffer.allocate(HEADER + length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(length).putInt((int) crc.getValue()).put(data, offset, length);
        final ByteSequence key = layout.snapshotKey(view, index);
        try {
            connection.read(() -> connection.kv().put(key, ByteSequence.from(b.array()), PutOption.DEFAULT),
                    "snapshot of '" + view + "' at index " + index);
            final GetResponse all = connection.get(layout.snapshotPrefix(view), GetOption.builder().isPrefix(true).withKeysOnly(true)
                    .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).build(), "snapshots of '" + view + "'");
            for (int i = KEEP; i < all.getKvs().size(); i++) {
                final ByteSequence old = all.getKvs().get(i).getKey();
                connection.read(() -> connection.kv().delete(old, DeleteOption.DEFAULT), "removal of an old snapshot of '" + view + "'");
            }
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
    }

    @Override
    public Snapshot newest(final String view) {
        final GetResponse r;
        try {
            r = connection.get(layout.snapshotPrefix(view), GetOption.builder().isPrefix(true)
                    .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).build(), "snapshots of '" + view + "'");
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        for (final KeyValue kv : r.getKvs()) {
            final String k = kv.getKey().toString(java.nio.charset.StandardCharsets.UTF_8);
            final long index;
            try {
                index = Long.parseLong(k.substring(k.lastIndexOf('/') + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            final byte[] data = valid(kv.getValue().getBytes());
            if (data != null) {
                return new Snapshot(view, index, data);
            }
        }
        return null;
    }

    /** The data of a stored snapshot, or null when its bytes are damaged. */
    private static byte[] valid(final byte[] stored) {
        if (stored.length < HEADER) {
            return null;
        }
        final ByteBuffer b = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != MAGIC) {
            return null;
        }
        final int length = b.getInt();
        final int crc = b.getInt();
        if (length != stored.length - HEADER) {
            return null;
        }
        final CRC32 c = new CRC32();
        c.update(stored, HEADER, length);
        if ((int) c.getValue() != crc) {
            return null;
        }
        final byte[] data = new byte[length];
        System.arraycopy(stored, HEADER, data, 0, length);
        return data;
    }

    @Override
    public List<String> views() {
        final Set<String> views = new LinkedHashSet<>();
        try {
            for (final KeyValue kv : connection.get(layout.snapshotPrefix(), GetOption.builder().isPrefix(true).withKeysOnly(true).build(),
                    "snapshot views").getKvs()) {
                final String v = layout.snapshotView(kv.getKey());
                if (v != null) {
                    views.add(v);
                }
            }
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        return new ArrayList<>(views);
    }

    /** Bytes the stored snapshots take (their values). */
    long bytes() {
        long n = 0;
        try {
            for (final KeyValue kv : connection.get(layout.snapshotPrefix(), GetOption.builder().isPrefix(true).build(), "snapshot sizes").getKvs()) {
                n += kv.getValue().size();
            }
        } catch (EtcdFailure e) {
            throw space.failure(e);
        }
        return n;
    }

    @Override
    public String location() {
        return space.address() + " (" + SpaceLayout.ROOT + layout.space() + "/s/)";
    }
}
