package io.slate.shm;

import io.slate.space.SpaceException;
import io.slate.spi.SnapshotStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshots on the shared-memory backend: one file per snapshot in the space's {@code snapshots/} directory, named
 * {@code <first 32 hex digits of SHA-256(view)>.<index, 16 hex digits>.snap}. A snapshot is written whole under a
 * temporary name ({@code .tmp-<pid>-<nanos>}) and renamed into place atomically, so readers see it complete or not at
 * all; a writer killed before the rename leaves only a temporary file, which later writers remove. Every file carries
 * a CRC-32C of its bytes; a file that fails it (or is short, or names another view) is skipped and the previous one
 * used. The newest {@value #KEEP} snapshots of a view are kept.
 *
 * <pre>
 *   magic "SLATESNP" (8) | format u32 = 1 | index i64 | view length u16 | view UTF-8 | data length u32 | data | CRC-32C u32
 * </pre>
 * Integers little-endian; the CRC covers every byte before it. Thread-safe.
 */
public final class ShmSnapshotStore implements SnapshotStore {
    public static final String DIR_NAME = "snapshots";
    static final long MAGIC = 0x504E_5345_5441_4C53L; // "SLATESNP" little-endian
    static final int FORMAT = 1;
    /** Snapshots kept per view: the newest, and the one before it in case the newest is found damaged. */
    static final int KEEP = 2;
    /** A temporary file older than this was left by a writer that died; it is removed. */
    private static final long STALE_TMP_MILLIS = 60_000;

    private final Path dir;
    private final boolean groupShared;

    ShmSnapshotStore(final Path spaceDir, final boolean groupShared) {
        this.dir = spaceDir.resolve(DIR_NAME);
        this.groupShared = groupShared;
    }

    Path directory() {
        return dir;
    }

    static String viewHash(final String view) {
        try {
            final byte[] d = MessageDigest.getInstance("SHA-256").digest(view.getBytes(StandardCharsets.UTF_8));
            final StringBuilder sb = new StringBuilder(32);
            for (int i = 0; i < 16; i++) {
                sb.append(Character.forDigit((d[i] >> 4) & 0xF, 16)).append(Character.forDigit(d[i] & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fileName(final String hash, final long index) {
        return hash + "." + String.format("%016x", index) + ".snap";
    }

    /** The index in a snapshot file's name, or -1 when the name is not one of ours. */
    private static long indexOf(final String fileName, final String hash) {
        if (!fileName.endsWith(".snap") || (hash != null && !fileName.startsWith(hash + "."))) {
            return -1;
        }
        final int dot = fileName.indexOf('.');
        final String hex = fileName.substring(dot + 1, fileName.length() - ".snap".length());
        if (dot != 32 || hex.length() != 16) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static byte[] encode(final String view, final long index, final byte[] data, final int offset, final int length) {
        final byte[] name = view.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xFFFF) {
            throw new IllegalArgumentException("snapshot view name is " + name.length + " bytes, at most 65535");
        }
        final ByteBuffer b = ByteBuffer.allocate(8 + 4 + 8 + 2 + name.length + 4 + length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(FORMAT).putLong(index).putShort((short) name.length).put(name).putInt(length).put(data, offset, length);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** The snapshot in {@code bytes}, or null when they are not a whole, intact snapshot of {@code view} (null: any view). */
    static Snapshot decode(final byte[] bytes, final String view) {
        if (bytes.length < 8 + 4 + 8 + 2 + 4 + 4) {
            return null;
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong() != MAGIC || b.getInt() != FORMAT) {
            return null;
        }
        final long index = b.getLong();
        final int nameLen = b.getShort() & 0xFFFF;
        if (b.remaining() < nameLen + 8) {
            return null;
        }
        final String name = new String(bytes, b.position(), nameLen, StandardCharsets.UTF_8);
        b.position(b.position() + nameLen);
        final int len = b.getInt();
        if (len < 0 || b.remaining() != (long) len + 4) {
            return null;
        }
        final int dataAt = b.position();
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, dataAt + len);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, dataAt + len, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
            return null;
        }
        if (view != null && !view.equals(name)) {
            return null;
        }
        final byte[] data = new byte[len];
        System.arraycopy(bytes, dataAt, data, 0, len);
        return new Snapshot(name, index, data);
    }

    @Override
    public void write(final String view, final long index, final byte[] data, final int offset, final int length) {
        final byte[] bytes = encode(view, index, data, offset, length);
        SpaceFiles.createDirectory(dir, groupShared);
        final String hash = viewHash(view);
        final Path tmp = dir.resolve(".tmp-" + ProcFs.currentPid() + "-" + System.nanoTime());
        try {
            SpaceFiles.createFile(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                final ByteBuffer b = ByteBuffer.wrap(bytes);
                if (FaultPoints.ENABLED) {
                    b.limit(bytes.length / 2);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.force(false);
                    FaultPoints.reach(FaultPoints.SNAPSHOT_WRITING);
                    b.limit(bytes.length);
                }
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(false);
            }
            Files.move(tmp, dir.resolve(fileName(hash, index)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next writer removes it once it is stale
            }
            throw new SpaceException(dir, "cannot write the snapshot of " + view + " at journal index " + index + ": " + e.getMessage(), e);
        }
        prune(hash);
    }

    /** Keeps the newest {@value #KEEP} snapshots of the view; removes stale temporary files of dead writers. */
    private void prune(final String hash) {
        final List<Long> indices = new ArrayList<>();
        final long now = System.currentTimeMillis();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                final String n = f.getFileName().toString();
                final long i = indexOf(n, hash);
                if (i >= 0) {
                    indices.add(i);
                } else if (n.startsWith(".tmp-")) {
                    try {
                        if (now - Files.getLastModifiedTime(f).toMillis() > STALE_TMP_MILLIS) {
                            Files.deleteIfExists(f);
                        }
                    } catch (IOException ignored) {
                        // another writer removed it, or it is not ours to remove
                    }
                }
            });
        } catch (IOException e) {
            return; // pruning is housekeeping: the next write tries again
        }
        indices.sort(Comparator.reverseOrder());
        for (int k = KEEP; k < indices.size(); k++) {
            try {
                Files.deleteIfExists(dir.resolve(fileName(hash, indices.get(k))));
            } catch (IOException ignored) {
                // the next write tries again
            }
        }
    }

    @Override
    public Snapshot newest(final String view) {
        final String hash = viewHash(view);
        final List<Long> indices = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                final long i = indexOf(f.getFileName().toString(), hash);
                if (i >= 0) {
                    indices.add(i);
                }
            });
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new SpaceException(dir, "cannot list snapshots: " + e.getMessage(), e);
        }
        indices.sort(Comparator.reverseOrder());
        for (long i : indices) {
            final Path f = dir.resolve(fileName(hash, i));
            try {
                final Snapshot s = decode(Files.readAllBytes(f), view);
                if (s != null && s.index() == i) {
                    return s;
                }
                // damaged (torn, truncated, overwritten): the previous one is used
            } catch (NoSuchFileException gone) {
                // pruned by a writer meanwhile: an older one, or a newer one written since, is used
            } catch (IOException e) {
                throw new SpaceException(f, "cannot read snapshot: " + e.getMessage(), e);
            }
        }
        return null;
    }

    @Override
    public List<String> views() {
        final Set<String> views = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> indexOf(f.getFileName().toString(), null) >= 0).forEach(f -> {
                try {
                    final Snapshot s = decode(Files.readAllBytes(f), null);
                    if (s != null) {
                        views.add(s.view());
                    }
                } catch (IOException ignored) {
                    // pruned meanwhile
                }
            });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new SpaceException(dir, "cannot list snapshots: " + e.getMessage(), e);
        }
        return new ArrayList<>(views);
    }

    /** Bytes the snapshot files take. */
    long bytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String location() {
        return dir.toString();
    }
}
