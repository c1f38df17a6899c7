package io.slate.shm;

import io.slate.agent.AgentInfo;
import io.slate.space.SpaceFullException;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent registry, {@code agents.slate}: one slot per attached (or once attached) process.
 *
 * <pre>
 *  header (64 bytes): magic "SLATEAGT" (8) | slot count (4) | reserved
 *  slot (128 bytes each, from offset 64):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |        claim word: pid &lt;&lt; 2 | state (8 bytes, CAS)            |
 *  +---------------------------------------------------------------+  8
 *  |        process start time, clock ticks since boot (8 bytes)   |
 *  +---------------------------------------------------------------+ 16
 *  |        registered at, epoch millis (8 bytes)                  |
 *  +---------------------------------------------------------------+ 24
 *  |        closed at, epoch millis (8 bytes)                      |
 *  +---------------------------------------------------------------+ 32
 *  |        id length (4)      |   id, UTF-8 (up to 64 bytes) ...  |
 *  +---------------------------------------------------------------+ 100
 *  |  kind (4): 0 agent, 1 observer |  reserved to 128              |
 *  +---------------------------------------------------------------+
 * </pre>
 * States: 0 free, 1 claiming, 2 live, 3 closed. A slot is claimed by CAS of the claim word from what was read to
 * {@code pid << 2 | 1}; its fields are written, then {@code pid << 2 | 2} is stored with release semantics, so a
 * reader that sees "live" sees the fields. A live or claiming slot whose process is gone is dead (exactly: same
 * PID and start time, see {@link ProcFs}).
 *
 * <p>Registration takes no lock (issue 17: opening never waits for another process). Ids stay unique among live
 * agents by publish-then-check: a registrant publishes its slot as live (compare-and-set, a full fence), then looks
 * for another live slot with its id. Of two registrants of one id, at least one sees the other, and whoever sees a
 * rival withdraws (its slot goes back to free); if the rival is still there a moment later the id is taken, else
 * (both withdrew) it tries again. Generated ids ({@code agent-PID-N}) are unique by construction and skip the check.
 *
 * <p>An observer ({@code SpaceOptions.observer}) has a slot too, of kind observer: its liveness makes the guards it
 * takes while reading recoverable like anyone's, but {@link #agents()} does not list it and its id is not checked
 * for uniqueness (it is {@code observer-PID}).
 */
public final class AgentRegistry implements AutoCloseable {
    public static final long MAGIC = 0x5447_4145_5441_4C53L; // "SLATEAGT"
    public static final int HEADER_LENGTH = 64;
    public static final int SLOT_LENGTH = 128;
    static final int SLOT_COUNT_OFFSET = 8;
    static final int CLAIM_OFFSET = 0;
    static final int START_TICKS_OFFSET = 8;
    static final int REGISTERED_OFFSET = 16;
    static final int CLOSED_OFFSET = 24;
    static final int ID_LENGTH_OFFSET = 32;
    static final int ID_OFFSET = 36;
    static final int KIND_OFFSET = 100;
    static final int KIND_AGENT = 0;
    static final int KIND_OBSERVER = 1;
    /** Attempts of a registrant that withdrew because a rival took the same id at the same moment. */
    private static final int REGISTER_ATTEMPTS = 50;

    static final int FREE = 0;
    static final int CLAIMING = 1;
    static final int LIVE = 2;
    static final int CLOSED = 3;

    private final MappedFile file;
    private final UnsafeBuffer buffer;
    private final int slots;

    private AgentRegistry(final MappedFile file) {
        this.file = file;
        this.buffer = file.buffer();
        this.slots = buffer.getInt(SLOT_COUNT_OFFSET);
    }

    public static int fileLength(final int slots) {
        return HEADER_LENGTH + slots * SLOT_LENGTH;
    }

    public static AgentRegistry create(final Path path, final int slots) {
        final MappedFile f = MappedFile.create(path, fileLength(slots));
        f.buffer().putInt(SLOT_COUNT_OFFSET, slots);
        f.buffer().putLongOrdered(0, MAGIC);
        return new AgentRegistry(f);
    }

    public static AgentRegistry open(final Path path, final int slots) {
        final MappedFile f = MappedFile.open(path, fileLength(slots));
        if (f.buffer().getLongVolatile(0) != MAGIC || f.buffer().getInt(SLOT_COUNT_OFFSET) != slots) {
            f.close();
            throw new io.slate.space.CorruptSpaceException(path, "not a Slate agent registry of " + slots + " slots (bad magic or slot count)");
        }
        return new AgentRegistry(f);
    }

    private static int offset(final int slot) {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }

    /**
     * Claims a slot for this process: a free one, else the one of an agent that closed, else a dead agent's. Takes no
     * lock (see the class comment).
     *
     * @param checkUnique whether to make sure no other live agent has this id (false for generated ids and observers)
     * @return the slot
     * @throws IllegalStateException when a live agent already has this id
     * @throws SpaceFullException when every slot belongs to a live agent
     */
    public int register(final String id, final long pid, final long startTicks, final boolean observer, final boolean checkUnique) {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; ; attempt++) {
            if (checkUnique) {
                final AgentInfo rival = liveWithId(idBytes, -1);
                if (rival != null) {
                    throw alreadyAttached(id, rival.pid());
                }
            }
            final int s = claim(idBytes, pid, startTicks, observer);
            if (!checkUnique) {
                return s;
            }
            final AgentInfo rival = liveWithId(idBytes, s);
            if (rival == null) {
                return s;
            }
            // withdraw: a rival published the same id; at least one of us sees the other
            buffer.compareAndSetLong(offset(s) + CLAIM_OFFSET, (pid << 2) | LIVE, FREE);
            java.util.concurrent.locks.LockSupport.parkNanos(200_000L + java.util.concurrent.ThreadLocalRandom.current().nextLong(2_000_000L));
            final AgentInfo still = liveWithId(idBytes, -1);
            if (still != null || attempt == REGISTER_ATTEMPTS) {
                throw alreadyAttached(id, still != null ? still.pid() : rival.pid());
            }
        }
    }

    private IllegalStateException alreadyAttached(final String id, final long pid) {
        return new IllegalStateException("agent id '" + id + "' is already attached to " + file.path().getParent() + " by live process " + pid);
    }

    /** The live agent (not observer) other than slot {@code except} that has this id, or null. */
    private AgentInfo liveWithId(final byte[] idBytes, final int except) {
        for (int s = 0; s < slots; s++) {
            if (s == except) {
                continue;
            }
            final int o = offset(s);
            final long word = buffer.getLongVolatile(o + CLAIM_OFFSET);
            if ((word & 3) != LIVE || buffer.getInt(o + KIND_OFFSET) != KIND_AGENT || buffer.getInt(o + ID_LENGTH_OFFSET) != idBytes.length) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < idBytes.length && same; i++) {
                same = buffer.getByte(o + ID_OFFSET + i) == idBytes[i];
            }
            if (same && ProcFs.isAlive(word >>> 2, buffer.getLong(o + START_TICKS_OFFSET))) {
                return new AgentInfo(s, new String(idBytes, StandardCharsets.UTF_8), word >>> 2, buffer.getLong(o + START_TICKS_OFFSET),
                        buffer.getLong(o + REGISTERED_OFFSET), AgentInfo.State.ALIVE);
            }
        }
        return null;
    }

    /** Claims a slot and publishes it live (compare-and-set: a full fence before the caller's check). */
    private int claim(final byte[] idBytes, final long pid, final long startTicks, final boolean observer) {
        for (int pass = 0; pass < 3; pass++) {
            for (int s = 0; s < slots; s++) {
                final int o = offset(s);
                final long word = buffer.getLongVolatile(o + CLAIM_OFFSET);
                final int state = (int) (word & 3);
                final boolean candidate;
                if (pass == 0) {
                    candidate = state == FREE;
                } else if (pass == 1) {
                    candidate = state == CLOSED;
                } else {
                    candidate = !ProcFs.isAlive(word >>> 2, buffer.getLong(o + START_TICKS_OFFSET));
                }
                if (candidate && buffer.compareAndSetLong(o + CLAIM_OFFSET, word, (pid << 2) | CLAIMING)) {
                    buffer.putLong(o + START_TICKS_OFFSET, startTicks);
                    buffer.putLong(o + REGISTERED_OFFSET, System.currentTimeMillis());
                    buffer.putLong(o + CLOSED_OFFSET, 0);
                    buffer.putBytes(o + ID_OFFSET, idBytes);
                    buffer.putInt(o + ID_LENGTH_OFFSET, idBytes.length);
                    buffer.putInt(o + KIND_OFFSET, observer ? KIND_OBSERVER : KIND_AGENT);
                    // a reader that sees LIVE sees the fields above; the CAS is also the fence before the id check
                    buffer.compareAndSetLong(o + CLAIM_OFFSET, (pid << 2) | CLAIMING, (pid << 2) | LIVE);
                    return s;
                }
            }
        }
        throw new SpaceFullException(file.path(), "agent registry is full: all " + slots + " slots belong to live agents");
    }

    /**
     * True while the agent that registered in {@code slot} as process {@code pid} started at {@code startTicks} is
     * still attached and running: the slot still names that process as live, and /proc confirms the process.
     * This is how a survivor decides, exactly, that an owner is dead before taking over what it held.
     */
    public boolean isLive(final int slot, final long pid, final long startTicks) {
        if (slot < 0 || slot >= slots) {
            return false;
        }
        final int o = offset(slot);
        final long word = buffer.getLongVolatile(o + CLAIM_OFFSET);
        if (word != ((pid << 2) | LIVE) || buffer.getLong(o + START_TICKS_OFFSET) != startTicks) {
            return false;
        }
        return ProcFs.isAlive(pid, startTicks);
    }

    /** The start time recorded in a slot. */
    public long startTicks(final int slot) {
        return buffer.getLong(offset(slot) + START_TICKS_OFFSET);
    }

    /** Marks the slot's agent as closed cleanly. */
    public void markClosed(final int slot, final long pid) {
        final int o = offset(slot);
        buffer.putLong(o + CLOSED_OFFSET, System.currentTimeMillis());
        buffer.compareAndSetLong(o + CLAIM_OFFSET, (pid << 2) | LIVE, (pid << 2) | CLOSED);
    }

    /** Every agent in the registry, with exact liveness. Allocates. */
    public List<AgentInfo> agents() {
        final List<AgentInfo> list = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            final int o = offset(s);
            final long word = buffer.getLongVolatile(o + CLAIM_OFFSET);
            final int state = (int) (word & 3);
            if (state == FREE) {
                continue;
            }
            final long pid = word >>> 2;
            final long start = buffer.getLong(o + START_TICKS_OFFSET);
            final boolean alive = ProcFs.isAlive(pid, start);
            if (state == CLAIMING && alive) {
                continue; // still registering
            }
            if (buffer.getInt(o + KIND_OFFSET) == KIND_OBSERVER) {
                continue; // an observer is not an agent
            }
            final int len = Math.min(Math.max(buffer.getInt(o + ID_LENGTH_OFFSET), 0), 64);
            final byte[] idBytes = new byte[len];
            buffer.getBytes(o + ID_OFFSET, idBytes);
            final AgentInfo.State st = state == CLOSED ? AgentInfo.State.CLOSED : alive ? AgentInfo.State.ALIVE : AgentInfo.State.DEAD;
            list.add(new AgentInfo(s, new String(idBytes, StandardCharsets.UTF_8), pid, start, buffer.getLong(o + REGISTERED_OFFSET), st));
        }
        return list;
    }

    @Override
    public void close() {
        file.close();
    }
}
