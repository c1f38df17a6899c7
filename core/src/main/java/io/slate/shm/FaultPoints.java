package io.slate.shm;

/**
 * Named places in Slate's write paths where crash tests stop a process on purpose, so that a SIGKILL lands exactly
 * inside a window that is otherwise a few hundred nanoseconds wide (holding a Chronicle Map segment lock, holding the
 * journal's write lock with a half-written record, between the journal append and the map update).
 *
 * <p>Off unless the JVM was started with {@code -Dslate.faultPoints=true}: {@link #ENABLED} is a static final, so
 * the JIT removes every {@code if (FaultPoints.ENABLED)} block from the hot paths of a normal process. A test child
 * installs a {@link Handler} (typically: print where it is, then sleep until killed).
 */
public final class FaultPoints {
    /** True only in processes started with {@code -Dslate.faultPoints=true}. */
    public static final boolean ENABLED = Boolean.getBoolean("slate.faultPoints");

    /** Inside the journal's write lock: the record's bytes are all written, and it is not committed yet. */
    public static final String JOURNAL_WRITING = "journal.writing";
    /** Retention found an old journal cycle to retire and is about to remove it (another agent may be doing the same). */
    public static final String JOURNAL_RETIRING = "journal.retiring";
    /** Half of a snapshot's bytes are in its temporary file; it is not renamed into place yet. */
    public static final String SNAPSHOT_WRITING = "snapshot.writing";
    /** Holding the key's Chronicle Map segment lock, before the journal append. */
    public static final String KV_LOCKED = "kv.locked";
    /** Holding the key's segment lock, after the journal append (committed) and before the map is updated. */
    public static final String KV_APPENDED = "kv.appended";

    /** Creating a space: every file exists and is initialized, the header's ready word is not written yet. */
    public static final String SPACE_CREATING = "space.creating";
    /** Opening a space: its files are open and this process is registered, the handle not returned yet. */
    public static final String SPACE_ATTACHED = "space.attached";

    /** What a process does when it reaches a fault point. */
    @FunctionalInterface
    public interface Handler {
        void reached(String point);
    }

    private static volatile Handler handler;

    private FaultPoints() {
    }

    /** Installs the handler (null: none). Has no effect unless {@link #ENABLED}. */
    public static void install(final Handler h) {
        handler = h;
    }

    /** Called at a fault point, only inside {@code if (FaultPoints.ENABLED)}. */
    public static void reach(final String point) {
        final Handler h = handler;
        if (h != null) {
            h.reached(point);
        }
    }
}
