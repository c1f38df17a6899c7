package io.slate.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Ways to damage one file of a space, for the tests of what opening, tailing and verifying make of it. */
public enum Damage {
    /** Truncated to 0 bytes. */
    EMPTY,
    /** Truncated to half its length. */
    HALF,
    /** Truncated to 64 KiB: the start of the file, headers included, and nothing after. */
    SHORT,
    /** Same length, all zeros. */
    ZEROED,
    /** Same length, random bytes (seeded: the same bytes every run). */
    RANDOM,
    /** Replaced by a few lines of text. */
    TEXT;

    /** The text {@link #TEXT} writes. */
    public static final String TEXT_CONTENT = "hello, this is a text file\nnot a part of any space\n";

    /** Applies this damage to {@code file}. */
    public void apply(final Path file) throws IOException {
        final long length = Files.size(file);
        switch (this) {
            case EMPTY:
                truncate(file, 0);
                break;
            case HALF:
                truncate(file, length / 2);
                break;
            case SHORT:
                truncate(file, Math.min(length, 64 << 10));
                break;
            case ZEROED:
                overwrite(file, new byte[(int) length]);
                break;
            case RANDOM:
                final byte[] noise = new byte[(int) length];
                new Random(42).nextBytes(noise);
                overwrite(file, noise);
                break;
            case TEXT:
                Files.write(file, TEXT_CONTENT.getBytes(StandardCharsets.UTF_8));
                break;
            default:
                throw new IllegalArgumentException("damage " + this);
        }
    }

    /** Sets {@code file}'s length. */
    public static void truncate(final Path file, final long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private static void overwrite(final Path file, final byte[] content) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(0);
            raf.write(content);
        }
    }
}
