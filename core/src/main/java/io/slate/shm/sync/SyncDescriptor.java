package io.slate.shm.sync;

/**
 * Layout of {@code sync.slate}, the shared state of a space's sync primitives: a header, a table of attached agents
 * (one entry per agent registry slot) and {@link #PRIMITIVES} primitive slots. Little-endian; the file is created
 * full (zeros written), so its size is fixed by the space's {@code maxAgents}; see {@link #fileLength(int)}.
 *
 * <pre>
 *  header (256 bytes)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                magic "SLATESYN" (8 bytes, written last)       |
 *  +---------------------------------------------------------------+  8
 *  |         format major          |         format minor          |
 *  +---------------------------------------------------------------+ 16
 *  |    agent entries (maxAgents)  |    primitive slots (1024)     |
 *  +---------------------------------------------------------------+ 24
 *  |   agent entry length (128)    |  primitive slot length (512)  |
 *  +---------------------------------------------------------------+ 32
 *  |                created (epoch millis, 8 bytes)                |
 *  +---------------------------------------------------------------+ 64
 *  |   incarnation sequence (8 bytes, own cache line, get-and-add) |
 *  +---------------------------------------------------------------+ 128 .. 256 reserved
 *
 *  agent entry (128 bytes each, from offset 256; entry i belongs to agent registry slot i)
 *  +---------------------------------------------------------------+  0
 *  |   incarnation (8 bytes; 0 while being written, release store) |
 *  +---------------------------------------------------------------+  8
 *  |                        pid (8 bytes)                          |
 *  +---------------------------------------------------------------+ 16
 *  |        process start time, clock ticks since boot (8)         |
 *  +---------------------------------------------------------------+ 24
 *  |                 attached at, epoch millis (8)                 |
 *  +---------------------------------------------------------------+ 32
 *  |     id length (4)     |     agent id, UTF-8 (up to 64 bytes)  |
 *  +---------------------------------------------------------------+ 100 .. 128 reserved
 *
 *  primitive slot (512 bytes each, after the agent table, 64-byte aligned)
 *  +---------------------------------------------------------------+  0  hot cache line
 *  | state word (8, CAS): mutex owner word | semaphore guard owner |
 *  |   word | counter value | latch count | barrier gen<<32|arrived |
 *  +---------------------------------------------------------------+  8
 *  |        mutex: last fencing token handed out (8)               |
 *  +---------------------------------------------------------------+ 16
 *  |        mutex: token of the last take-over from a dead owner   |
 *  +---------------------------------------------------------------+ 24
 *  |  journaling (4; 0 off 1 on)   |   (reserved to 64)            |
 *  +---------------------------------------------------------------+ 64  metadata, written once
 *  |  kind (4; 0 free, release)    |     name length (4)           |
 *  +---------------------------------------------------------------+ 72
 *  |  parameter (8): semaphore permits | latch count | parties     |
 *  +---------------------------------------------------------------+ 80
 *  |                created (epoch millis, 8)                      |
 *  +---------------------------------------------------------------+ 88
 *  |                creator's owner word (8)                       |
 *  +---------------------------------------------------------------+ 96 .. 128 reserved
 *  |                name, UTF-8 (64 bytes)                         |
 *  +---------------------------------------------------------------+ 192 semaphores only
 *  | holder 0: owner word (8)      | holder 0: permits held (8)    |
 *  |   ... 20 holders of 16 bytes ...                              |
 *  +---------------------------------------------------------------+ 512
 * </pre>
 *
 * <p><b>Owner word</b>: {@code incarnation << 16 | agent registry slot}. An agent's incarnation is taken from the
 * header's sequence when it first uses sync in the space, and published in its agent entry before it can hold
 * anything; incarnations are never reused, so an owner word names one attachment of one process for the life of the
 * file (no ABA when a PID or a registry slot is reused). A holder's identity is complete the moment its word is
 * stored by compare-and-set: there is no second write a crash could miss. The word is never 0 (incarnations start
 * at 1); 0 means free.
 *
 * <p>A primitive slot is claimed without a lock by {@link io.slate.shm.NameClaims}: the 8 bytes at 64 (kind, name
 * length) are its claim word and the creator word its owner word. While a slot is being claimed its kind is negative
 * and its creator word holds the claimer's marker (negative); a slot is a primitive only when its kind is positive.
 * Slots are never freed, but a claim that withdrew (a rival claimed the same name) or that a survivor undid (its
 * claimer died) leaves a free slot between used ones, so readers read every slot. Format 1.1 says so; a 1.0 file
 * (claimed in order under the space's lock file) is read the same way, as a 1.1 file without gaps.
 */
public final class SyncDescriptor {
    public static final String FILE_NAME = "sync.slate";
    public static final long MAGIC = 0x4E59_5345_5441_4C53L; // "SLATESYN" little-endian
    public static final int FORMAT_MAJOR = 1;
    public static final int FORMAT_MINOR = 1;

    public static final int HEADER_LENGTH = 256;
    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_MAJOR_OFFSET = 8;
    public static final int FORMAT_MINOR_OFFSET = 12;
    public static final int AGENT_ENTRIES_OFFSET = 16;
    public static final int PRIMITIVES_OFFSET = 20;
    public static final int AGENT_ENTRY_LENGTH_OFFSET = 24;
    public static final int SLOT_LENGTH_OFFSET = 28;
    public static final int CREATED_OFFSET = 32;
    public static final int INCARNATION_SEQUENCE_OFFSET = 64;

    public static final int AGENT_ENTRY_LENGTH = 128;
    public static final int AGENT_INCARNATION_OFFSET = 0;
    public static final int AGENT_PID_OFFSET = 8;
    public static final int AGENT_START_TICKS_OFFSET = 16;
    public static final int AGENT_ATTACHED_OFFSET = 24;
    public static final int AGENT_ID_LENGTH_OFFSET = 32;
    public static final int AGENT_ID_OFFSET = 36;
    public static final int AGENT_ID_MAX_BYTES = 64;

    public static final int PRIMITIVES = 1024;
    public static final int SLOT_LENGTH = 512;
    public static final int STATE_OFFSET = 0;
    public static final int TOKEN_OFFSET = 8;
    public static final int RECOVERED_TOKEN_OFFSET = 16;
    public static final int JOURNALING_OFFSET = 24;
    public static final int KIND_OFFSET = 64;
    public static final int NAME_LENGTH_OFFSET = 68;
    public static final int PARAMETER_OFFSET = 72;
    public static final int SLOT_CREATED_OFFSET = 80;
    public static final int CREATOR_OFFSET = 88;
    public static final int NAME_OFFSET = 128;
    public static final int NAME_MAX_BYTES = 64;
    public static final int HOLDERS_OFFSET = 192;
    public static final int HOLDER_LENGTH = 16;
    public static final int HOLDER_OWNER_OFFSET = 0;
    public static final int HOLDER_PERMITS_OFFSET = 8;
    public static final int HOLDERS = (SLOT_LENGTH - HOLDERS_OFFSET) / HOLDER_LENGTH;

    public static final int KIND_FREE = 0;
    public static final int KIND_MUTEX = 1;
    public static final int KIND_SEMAPHORE = 2;
    public static final int KIND_COUNTER = 3;
    public static final int KIND_LATCH = 4;
    public static final int KIND_BARRIER = 5;

    /** Bits of the owner word that hold the agent registry slot. */
    public static final int SLOT_BITS = 16;
    public static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    /** The largest number of agent registry slots an owner word can name. */
    public static final int MAX_AGENTS = 1 << SLOT_BITS;
    /** Incarnations must stay below this so an owner word stays positive. */
    public static final long MAX_INCARNATION = (1L << (63 - SLOT_BITS)) - 1;

    private SyncDescriptor() {
    }

    /** Offset of the agent table entry of registry slot {@code agentSlot}. */
    public static int agentOffset(final int agentSlot) {
        return HEADER_LENGTH + agentSlot * AGENT_ENTRY_LENGTH;
    }

    /** Offset of the first primitive slot for a space of {@code agents} registry slots. */
    public static int primitivesOffset(final int agents) {
        return HEADER_LENGTH + agents * AGENT_ENTRY_LENGTH; // a multiple of 128: cache-line aligned
    }

    /** Offset of primitive slot {@code slot}. */
    public static int slotOffset(final int agents, final int slot) {
        return primitivesOffset(agents) + slot * SLOT_LENGTH;
    }

    /** The length of the file for a space of {@code agents} registry slots. */
    public static int fileLength(final int agents) {
        return primitivesOffset(agents) + PRIMITIVES * SLOT_LENGTH;
    }

    /** The owner word of an agent: its incarnation and registry slot. */
    public static long ownerWord(final long incarnation, final int agentSlot) {
        return incarnation << SLOT_BITS | agentSlot;
    }

    public static int ownerSlot(final long ownerWord) {
        return (int) (ownerWord & SLOT_MASK);
    }

    public static long ownerIncarnation(final long ownerWord) {
        return ownerWord >>> SLOT_BITS;
    }

    /** The kind's name in messages. */
    public static String kindName(final int kind) {
        switch (kind) {
            case KIND_MUTEX:
                return "mutex";
            case KIND_SEMAPHORE:
                return "semaphore";
            case KIND_COUNTER:
                return "counter";
            case KIND_LATCH:
                return "latch";
            case KIND_BARRIER:
                return "barrier";
            default:
                return "unknown kind " + kind;
        }
    }
}
