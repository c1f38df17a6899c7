package io.slate.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;

/**
 * Exact process liveness on one host from {@code /proc}: a process is the one we registered when
 * {@code /proc/<pid>/stat} exists and its start time (field 22, clock ticks since boot) is the recorded one.
 */
public final class ProcFs {
    /** Start time of a process that does not exist. */
    public static final long NO_PROCESS = -1;

    private ProcFs() {
    }

    public static long currentPid() {
        return ProcessHandle.current().pid();
    }

    /** The start time of {@code pid} in clock ticks since boot, or {@link #NO_PROCESS}. */
    public static long startTicks(final long pid) {
        if (pid <= 0) {
            return NO_PROCESS;
        }
        final String stat;
        try {
            stat = new String(Files.readAllBytes(Paths.get("/proc", Long.toString(pid), "stat")), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return NO_PROCESS;
        } catch (IOException e) {
            return NO_PROCESS;
        }
        // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        final int close = stat.lastIndexOf(')');
        if (close < 0) {
            return NO_PROCESS;
        }
        final String[] rest = stat.substring(close + 2).split(" ");
        // rest[0] is field 3 (state); field 22 is rest[19]
        if (rest.length < 20) {
            return NO_PROCESS;
        }
        if ("Z".equals(rest[0]) || "X".equals(rest[0])) {
            return NO_PROCESS; // a zombie has exited: it holds nothing any more
        }
        try {
            return Long.parseLong(rest[19]);
        } catch (NumberFormatException e) {
            return NO_PROCESS;
        }
    }

    /** True when the process {@code pid} that started at {@code startTicks} is still running. */
    public static boolean isAlive(final long pid, final long startTicks) {
        return startTicks != NO_PROCESS && startTicks(pid) == startTicks;
    }
}
