package io.slate.shm;

import io.slate.space.SpaceFullException;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Lock-free claiming of a named slot in a small mapped table ({@code tailers.slate}'s named tailers,
 * {@code sync.slate}'s primitives): exactly one slot per name however many processes claim it at once, and a claimer
 * killed at any moment leaves nothing that a survivor cannot complete or undo, decided exactly.
 *
 * <p>Each slot has two 8-byte words (8-byte aligned):
 * <ul>
 * <li>the <b>claim word</b> W, whose low int is the slot's state: 0 free; &gt; 0 published (a tailer's name length,
 *     a primitive's kind); negative while being claimed. Its high int is the slot's own data (a tailer's first four
 *     name bytes, a primitive's name length), so a published slot's W is exactly the word it always had: files
 *     claimed under the old lock read the same.</li>
 * <li>the <b>owner word</b> P (a tailer's position, a primitive's creator word), which holds the claimer's
 *     <em>marker</em> while the slot is being named, and its published value after.</li>
 * </ul>
 * A claimer's identity is its PID and start time ({@link ProcFs}): {@code id = startTicks << 22 | pid} (62 bits;
 * Linux PIDs are below 2^22). It appears in two unique forms that no other process ever writes:
 * {@code reserved(id)} in W (low int {@code 0xC0000000 | id & 0x3FFFFFFF}, high int {@code id >>> 30}) and
 * {@code marker(id) = Long.MIN_VALUE | id} in P (negative, never -1, never a position). Claims of one process are
 * serialized inside it, so a value of either form names one claim in progress.
 *
 * <p>States of a slot and who moves it:
 * <pre>
 *  FREE           W.low = 0
 *    -- claimer: CAS W 0.. -> reserved(me)                                        (takes the slot, exactly one wins)
 *  RESERVED(me)   W = reserved(me); the claimer writes P = marker(me) and the slot's fields (name bytes, ...)
 *    -- claimer: CAS W reserved(me) -> naming(name)                                 (a full fence)
 *  NAMING         W = naming(name) = published(name) with bit 31 set; P = marker(me); name readable
 *    -- claimer: scan every other slot for the same name (see below); then either
 *       withdraw: CAS W naming -> 0, or
 *       publish:  CAS W naming -> published(name), then CAS P marker(me) -> published owner (0 / creator word)
 *  PUBLISHED      W.low &gt; 0; P = marker(me) for the few nanoseconds before the second CAS
 * </pre>
 * <b>One slot per name</b> (publish-then-check): after its CAS to NAMING a claimer reads every other slot. If one
 * holds the name PUBLISHED, it withdraws and uses that one. If one holds the name NAMING at a lower index, it
 * withdraws and waits for that claim to end; at a higher index, it waits (keeping its own) until that one ends;
 * it publishes only after a scan that saw no other slot with the name. Of two claimers that both publish, the later
 * one's scan started after the earlier one's NAMING store, so it saw the name there (NAMING or PUBLISHED) and did not
 * publish: a contradiction, so at most one slot with a name is ever published, and none is published while another
 * is. Only waits on a higher index are made while holding a slot, so waits form no cycle; the highest claimer of a
 * name never waits holding anything. Lookups return PUBLISHED slots only, and only once P holds its published value.
 *
 * <p><b>Crashes</b> (decided exactly, from the identity in the unique word, never from a timeout): RESERVED with a
 * dead {@code id}: CAS W reserved(id) -> 0 (undo; fields half-written are rewritten by the next claimer).
 * NAMING with P = marker(id) of a dead process: take it over, CAS P marker(id) -> marker(me) (it cannot succeed
 * unless the slot is still that dead claim), then withdraw it as its owner. PUBLISHED with P = marker(id) of a dead
 * process: complete, CAS P marker(id) -> published owner. Every CAS is from a value only one live process could have
 * written, or by the owner itself, so a survivor acting on a stale read changes nothing. A claimer killed at any
 * step therefore leaves the name claimable, its slot reusable, and no half-written name visible as published.
 *
 * <p>Readers of a slot's name read W, the name, then W again, and read the slot again if W changed (a check that
 * skipped a slot going from NAMING to PUBLISHED under its eyes would miss a rival). Claims of one JVM are serialized
 * by a monitor (the identity is the process's); no file lock is taken, and no other process can hold it. A claimer
 * frozen (SIGSTOP) inside its claim makes only claimers of the <em>same</em> name wait, and only once it is NAMING;
 * no lock is taken, and the space's {@code .lock} file is not involved.
 */
public final class NameClaims {
    /** What a table keeps where: the claim and owner words of a slot, its name, and its other fields. */
    public interface Layout {
        int slots();

        /** Offset of slot {@code slot}'s claim word W (8-byte aligned). */
        int claimOffset(int slot);

        /** Offset of slot {@code slot}'s owner word P (8-byte aligned). */
        int ownerOffset(int slot);

        /** True when the slot whose claim word is {@code word} (NAMING or PUBLISHED) holds {@code name}. */
        boolean nameIs(int slot, long word, byte[] name);
    }

    /** What a claimer writes into a slot it reserved, and the words it publishes. */
    public interface Claim {
        /** Writes every field of the slot except its claim and owner words (the slot is RESERVED by this process). */
        void prepare(int slot);

        /** The published claim word (low int &gt; 0). */
        long publishedWord();

        /** The published owner word. */
        long publishedOwner();
    }

    /** Crash tests stop a claimer here: the slot is RESERVED and its fields half-written. */
    public static final String FAULT_RESERVED = "claim.reserved";
    /** Crash tests stop a claimer here: the slot is NAMING (the name is visible to rivals, not published). */
    public static final String FAULT_NAMING = "claim.naming";
    /** Crash tests stop a claimer here: the slot is PUBLISHED and its owner word still holds the marker. */
    public static final String FAULT_PUBLISHED = "claim.published";

    /** Claims of one process run one at a time: the identity in the words is the process's. */
    private static final Object CLAIMS = new Object();
    private static final long PID_MASK = (1L << 22) - 1;
    private static final long ID_LOW_MASK = 0x3FFF_FFFFL;
    private static final long PAUSE_NANOS = 20_000;
    private static volatile long myId;

    private final UnsafeBuffer buffer;
    private final Layout layout;
    private final Path path;
    private final String what;

    public NameClaims(final UnsafeBuffer buffer, final Layout layout, final Path path, final String what) {
        this.buffer = buffer;
        this.layout = layout;
        this.path = path;
        this.what = what;
    }

    // ---------------------------------------------------------------- encodings

    /** This process's identity: start ticks and PID. */
    static long myId() {
        long id = myId;
        if (id == 0) {
            final long pid = ProcFs.currentPid();
            final long ticks = ProcFs.startTicks(pid);
            id = identity(pid, ticks);
            myId = id;
        }
        return id;
    }

    static long identity(final long pid, final long ticks) {
        if (pid <= 0 || pid > PID_MASK || ticks < 0 || ticks >= 1L << 40) {
            throw new IllegalStateException("process " + pid + " (start time " + ticks + " ticks) cannot be named in a claim word");
        }
        return ticks << 22 | pid;
    }

    static boolean isAlive(final long id) {
        return ProcFs.isAlive(id & PID_MASK, id >>> 22);
    }

    static long reserved(final long id) {
        return (id >>> 30) << 32 | 0xC000_0000L | (id & ID_LOW_MASK);
    }

    static boolean isReserved(final long word) {
        return ((int) word & 0xC000_0000) == 0xC000_0000;
    }

    static long reservedId(final long word) {
        return (word >>> 32) << 30 | (word & ID_LOW_MASK);
    }

    static boolean isNaming(final long word) {
        return ((int) word & 0xC000_0000) == 0x8000_0000;
    }

    static long naming(final long publishedWord) {
        return publishedWord | 0x8000_0000L;
    }

    /** True when the claim word's state is PUBLISHED. */
    public static boolean isPublished(final long word) {
        return (int) word > 0;
    }

    static long marker(final long id) {
        return Long.MIN_VALUE | id;
    }

    /** True when an owner word holds a claimer's marker (not a published value). */
    public static boolean isMarker(final long ownerWord) {
        return ownerWord < -1;
    }

    // ---------------------------------------------------------------- lookups

    /**
     * The published slot holding {@code name}, or -1. Completes a publication a dead claimer left unfinished and
     * waits (nanoseconds) for a live one to finish its own.
     */
    public int find(final byte[] name) {
        for (int s = 0, n = layout.slots(); s < n; s++) {
            final long w = buffer.getLongVolatile(layout.claimOffset(s));
            if (!isPublished(w)) {
                continue;
            }
            final boolean same = layout.nameIs(s, w, name);
            if (buffer.getLongVolatile(layout.claimOffset(s)) != w) {
                s--; // it changed while we read its name: look at it again
            } else if (same) {
                if (settled(s)) {
                    return s;
                }
                s--; // it changed while we waited: look at it again
            }
        }
        return -1;
    }

    /** Waits until a published slot's owner word holds its published value; false if the slot changed meanwhile. */
    private boolean settled(final int s) {
        final int co = layout.claimOffset(s);
        final long w = buffer.getLongVolatile(co);
        while (true) {
            final long p = buffer.getLongVolatile(layout.ownerOffset(s));
            if (!isMarker(p)) {
                return buffer.getLongVolatile(co) == w;
            }
            if (buffer.getLongVolatile(co) != w) {
                return false;
            }
            if (!isAlive(p & Long.MAX_VALUE)) {
                recover(s); // completes it
            } else {
                pause();
            }
        }
    }

    /**
     * The slot for {@code name}: the published one, or one this process claims (see the class comment). Takes no
     * lock.
     *
     * @throws SpaceFullException when every slot holds another name
     */
    public int findOrClaim(final byte[] name, final Claim claim) {
        final long me = myId();
        synchronized (CLAIMS) {
            while (true) {
                final int found = find(name);
                if (found >= 0) {
                    return found;
                }
                if (namingElsewhere(name, -1) != NONE) {
                    pause(); // a live claim of this name is under way: wait for it to end
                    continue;
                }
                final int mine = reserve(me);
                final int co = layout.claimOffset(mine);
                buffer.putLong(layout.ownerOffset(mine), marker(me));
                claim.prepare(mine);
                if (FaultPoints.ENABLED) {
                    FaultPoints.reach(FAULT_RESERVED);
                }
                final long naming = naming(claim.publishedWord());
                if (!buffer.compareAndSetLong(co, reserved(me), naming)) {
                    continue; // only a survivor that found this process dead moves a reserved slot: cannot happen
                }
                if (FaultPoints.ENABLED) {
                    FaultPoints.reach(FAULT_NAMING);
                }
                final int outcome = check(mine, name);
                if (outcome == PUBLISH) {
                    if (buffer.compareAndSetLong(co, naming, claim.publishedWord())) {
                        if (FaultPoints.ENABLED) {
                            FaultPoints.reach(FAULT_PUBLISHED);
                        }
                        buffer.compareAndSetLong(layout.ownerOffset(mine), marker(me), claim.publishedOwner());
                        return mine;
                    }
                    continue;
                }
                buffer.compareAndSetLong(co, naming, 0); // withdraw
                if (outcome == WITHDRAW_AND_WAIT) {
                    pause();
                }
            }
        }
    }

    /** Outcomes of {@link #check}. */
    private static final int PUBLISH = 0;
    private static final int WITHDRAW = 1;
    private static final int WITHDRAW_AND_WAIT = 2;
    /** Results of {@link #namingElsewhere} that are not a slot. */
    private static final int NONE = -1;
    private static final int PUBLISHED_ELSEWHERE = -2;

    /** Scans after this claimer's NAMING store until it may publish or must withdraw. */
    private int check(final int mine, final byte[] name) {
        while (true) {
            final int rival = namingElsewhere(name, mine);
            if (rival == NONE) {
                return PUBLISH;
            }
            if (rival == PUBLISHED_ELSEWHERE) {
                return WITHDRAW;
            }
            if (rival < mine) {
                return WITHDRAW_AND_WAIT;
            }
            pause(); // a higher rival withdraws when it sees us, or publishes if it did not: look again
        }
    }

    /**
     * Looks at every slot but {@code except} for {@code name}: {@link #PUBLISHED_ELSEWHERE} if one has it published,
     * else the lowest slot where a live claimer is naming it, else {@link #NONE}. Undoes dead claims it meets.
     */
    private int namingElsewhere(final byte[] name, final int except) {
        int lowest = NONE;
        for (int s = 0, n = layout.slots(); s < n; s++) {
            if (s == except) {
                continue;
            }
            final int co = layout.claimOffset(s);
            final long w = buffer.getLongVolatile(co);
            if ((int) w == 0) {
                continue;
            }
            if (isReserved(w)) {
                if (!isAlive(reservedId(w))) {
                    recover(s);
                }
                continue;
            }
            final boolean same = layout.nameIs(s, w, name);
            if (buffer.getLongVolatile(co) != w) {
                s--; // it changed while we read its name (published, withdrawn...): look at it again
                continue;
            }
            if (!same) {
                continue;
            }
            if (isPublished(w)) {
                return PUBLISHED_ELSEWHERE;
            }
            final long p = buffer.getLongVolatile(layout.ownerOffset(s));
            if (isMarker(p) && !isAlive(p & Long.MAX_VALUE)) {
                recover(s);
                s--; // look at it again
            } else if (lowest == NONE) {
                lowest = s;
            }
        }
        return lowest;
    }

    /** Reserves a free slot for {@code me}, undoing dead claims met on the way. */
    private int reserve(final long me) {
        for (int pass = 0; pass < 2; pass++) {
            for (int s = 0, n = layout.slots(); s < n; s++) {
                final int co = layout.claimOffset(s);
                final long w = buffer.getLongVolatile(co);
                if ((int) w == 0) {
                    if (buffer.compareAndSetLong(co, w, reserved(me))) {
                        return s;
                    }
                } else if (pass == 1 && !isPublished(w)) {
                    recover(s);
                    final long after = buffer.getLongVolatile(co);
                    if ((int) after == 0 && buffer.compareAndSetLong(co, after, reserved(me))) {
                        return s;
                    }
                }
            }
        }
        throw new SpaceFullException(path, "all " + layout.slots() + " " + what + " slots are in use");
    }

    /**
     * Completes or undoes slot {@code s} if the process claiming it is dead (exactly: its PID and start time). Does
     * nothing to a live claimer's slot, or to one that changed since it was read.
     */
    public void recover(final int s) {
        final int co = layout.claimOffset(s);
        final int po = layout.ownerOffset(s);
        final long w = buffer.getLongVolatile(co);
        if ((int) w == 0) {
            return;
        }
        if (isReserved(w)) {
            if (!isAlive(reservedId(w))) {
                buffer.compareAndSetLong(co, w, 0); // undo: the dead claimer's fields are rewritten by the next one
            }
            return;
        }
        final long p = buffer.getLongVolatile(po);
        if (!isMarker(p) || isAlive(p & Long.MAX_VALUE)) {
            return;
        }
        if (isPublished(w)) {
            // published, owner word not yet final: complete it (the value a published slot starts with)
            buffer.compareAndSetLong(po, p, publishedOwnerAfterCrash(s, w));
            return;
        }
        // NAMING by a dead claimer: take it over (only possible while it is still that claim), then withdraw it
        final long me = myId();
        if (buffer.compareAndSetLong(po, p, marker(me))) {
            final long now = buffer.getLongVolatile(co);
            if (isNaming(now)) {
                buffer.compareAndSetLong(co, now, 0);
            } else if (isPublished(now)) {
                buffer.compareAndSetLong(po, marker(me), publishedOwnerAfterCrash(s, now));
            }
        }
    }

    /** The owner word a published slot gets when its claimer died before writing it. */
    private long publishedOwnerAfterCrash(final int slot, final long word) {
        return layout instanceof OwnerAfterCrash ? ((OwnerAfterCrash) layout).ownerAfterCrash(slot, word) : 0;
    }

    /** A layout whose published owner word is not 0 when its claimer could not write it. */
    public interface OwnerAfterCrash {
        long ownerAfterCrash(int slot, long word);
    }

    /**
     * Frees the published slot {@code slot} if it still holds {@code word} (a named tailer's deletion): one
     * compare-and-set, no lock. False if it changed (deleted or re-claimed meanwhile).
     */
    public boolean free(final int slot, final long word) {
        return isPublished(word) && buffer.compareAndSetLong(layout.claimOffset(slot), word, 0);
    }

    private static void pause() {
        LockSupport.parkNanos(PAUSE_NANOS);
    }
}
