package io.slate.bench.ipc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** What the report says about the machine: CPUs, memory, kernel, and the load average (other work running). */
final class Machine {
    private Machine() {
    }

    /** The CPU model from {@code /proc/cpuinfo}, or the architecture. */
    static String cpuModel() {
        try {
            for (final String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** Total memory from {@code /proc/meminfo}, in GiB, or -1. */
    static double memoryGiB() {
        try {
            for (final String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    final long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return kb / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /** What {@code uptime} prints (its load averages: 1, 5 and 15 minutes), or {@code /proc/loadavg}. */
    static String uptime() {
        try {
            final Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            final String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                return out;
            }
        } catch (IOException e) {
            // no uptime(1)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final Path loadavg = Paths.get("/proc/loadavg");
        try {
            return "load average: " + Files.readString(loadavg).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average from {@link #uptime()}'s text, or NaN. */
    static double load1(final String uptime) {
        final int i = uptime.indexOf("load average:");
        if (i < 0) {
            return Double.NaN;
        }
        final String[] f = uptime.substring(i + "load average:".length()).trim().split("[,\\s]+");
        try {
            return Double.parseDouble(f[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
