package io.slate.etcd;

/**
 * The versioned key/value commit as the etcd engine offers it to the backend SPI: a compare-version commit that
 * writes the key and its journal record in one atomic step, settled exactly once even when the member serving it
 * dies, and reads at three consistency levels.
 */
interface KeyValueEngine {
    /** Expected version of a key that must not exist or must be removed (a tombstone). */
    long ABSENT = 0;

    /** How fresh a read must be. */
    enum Consistency {
        /** Linearizable: goes through the leader's read index; fails without quorum. */
        STRONG,
        /** Serializable read from any member that has applied at least a given revision (the session's token). */
        CAUSAL,
        /** Serializable read from whichever member answers; answers without quorum, may be stale. */
        EVENTUAL
    }

    /** A fresh request id: unique per commit; reuse it only to retry the same commit. */
    String newRequestId();

    /**
     * Puts {@code value} if the key's version is {@code expectedVersion} ({@link #ABSENT} = must not exist or be
     * removed) and appends its journal record, atomically; the new version is the old one plus one (a removed key's
     * versions go on). Retries a failure of unknown outcome with the same request id until the
     * operation timeout; throws {@link EtcdFailure} (not definite) if it cannot settle in time, having acknowledged
     * nothing.
     */
    Commit put(byte[] key, long expectedVersion, byte[] value, String requestId);

    /**
     * Removes the key if it is live at version {@code expectedVersion}: its state becomes a tombstone at the next
     * version and a remove record is appended, like {@link #put}. One Txn: a conflict's answer says whether the key is
     * absent or removed ({@link Commit#removed}, version 0) or at another version.
     */
    Commit remove(byte[] key, long expectedVersion, String requestId);

    /**
     * {@link #put}, but only if the key is live (not removed) at {@code expectedVersion} (at least 1): a compare-and-set
     * on a live version, in one Txn (no read first).
     */
    Commit putIfLive(byte[] key, long expectedVersion, byte[] value, String requestId);

    /** The key's state: value and version; a null value when absent (version 0) or removed (the tombstone's version). */
    Entry get(byte[] key, Consistency consistency, long causalRevision);

    /** The outcome of a commit. */
    final class Commit {
        enum Status {
            /** Applied by this call. */
            COMMITTED,
            /** Found applied by an earlier attempt with the same request id (its outcome had been unknown). */
            ALREADY_COMMITTED,
            /** Not applied: the key's version was not the expected one. */
            CONFLICT
        }

        final Status status;
        /** Journal index (the commit's etcd revision) when applied, else the revision at which the conflict was seen. */
        final long index;
        /** The key's version after the commit, or its current version on a conflict. */
        final long version;
        /** On a conflict: whether the key is currently removed (a tombstone). */
        final boolean removed;
        /** When applied: the time the record carries (epoch nanoseconds); 0 on a conflict. */
        final long timestampNanos;

        Commit(final Status status, final long index, final long version, final boolean removed, final long timestampNanos) {
            this.status = status;
            this.index = index;
            this.version = version;
            this.removed = removed;
            this.timestampNanos = timestampNanos;
        }

        boolean applied() {
            return status != Status.CONFLICT;
        }

        @Override
        public String toString() {
            return status + " index " + index + " version " + version;
        }
    }

    /** A key's state as read. */
    final class Entry {
        /** The value; null when the key is absent or removed. */
        final byte[] value;
        final long version;
        final boolean removed;
        /** Journal index of the key's last commit (its mod revision), 0 when absent. */
        final long modRevision;
        /** Agent id of the last writer ("" when absent). */
        final String writer;
        final long timestampNanos;
        /** The revision the answering member had applied: a causal token for later reads. */
        final long readRevision;

        Entry(final byte[] value, final long version, final boolean removed, final long modRevision, final String writer,
              final long timestampNanos, final long readRevision) {
            this.value = value;
            this.version = version;
            this.removed = removed;
            this.modRevision = modRevision;
            this.writer = writer;
            this.timestampNanos = timestampNanos;
            this.readRevision = readRevision;
        }
    }
}
