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
 *  +---------------------------------------------------------------+ 100 .. 128 reserved
 * </pre>
 * States: 0 free, 1 claiming, 2 live, 3 closed. A slot is claimed by CAS of the claim word from what was read to
 * {@code pid << 2 | 1}; its fields are written, then {@code pid << 2 | 2} is stored with release semantics, so a
 * reader that sees "live" sees the fields. A live or claiming slot whose process is gone is dead (exactly: same
 * PID and start time, see {@link ProcFs}). Registration runs under the space's open lock, so ids are unique among
 * live agents.
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
     * Claims a slot for this process: a free one, else the one of an agent that closed, else a dead agent's.
     * Call under the space's open lock.
     *
     * @return the slot
     * @throws IllegalStateException when a live agent already has this id
     * @throws SpaceFullException when every slot belongs to a live agent
     */
    public int register(final String id, final long pid, final long startTicks) {
        for (AgentInfo a : agents()) {
            if (a.isAlive() && a.id().equals(id)) {
                throw new IllegalStateException("agent id '" + id + "' is already attached to " + file.path().getParent()
                        + " by live process " + a.pid());
            }
        }
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
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
                    // release: a reader that sees LIVE sees the fields above
                    buffer.putLongOrdered(o + CLAIM_OFFSET, (pid << 2) | LIVE);
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
