package io.slate.etcd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the {@code etcd} server program is, for whatever starts members (the test fixture, the benchmarks). */
public final class EtcdExecutable {
    private EtcdExecutable() {
    }

    /** The {@code etcd} executable: {@code SLATE_ETCD_BIN} when set (if it exists), else the one on the PATH, or {@code null}. */
    public static Path find() {
        final String bin = System.getenv("SLATE_ETCD_BIN");
        if (bin != null && !bin.isEmpty()) {
            return Files.isExecutable(Paths.get(bin)) ? Paths.get(bin) : null;
        }
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Paths.get(d, "etcd"))) {
                return Paths.get(d, "etcd");
            }
        }
        return null;
    }
}
