package io.slate.etcd;

/**
 * The versioned key/value commit as the etcd engine offers it to the backend SPI: a compare-version commit that
 * writes the key and its journal record in one atomic step, settled exactly once even when the member serving it
 * dies, and reads at three consistency levels.
 */
interface KeyValueEngine {
    /** Expected version of a key that must not exist. */
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
     * Puts {@code value} if the key's version is {@code expectedVersion} ({@link #ABSENT} = must not exist) and appends
     * its journal record, atomically. Retries a failure of unknown outcome with the same request id until the
     * operation timeout; throws {@link EtcdFailure} (not definite) if it cannot settle in time, having acknowledged
     * nothing.
     */
    Commit put(byte[] key, long expectedVersion, byte[] value, String requestId);

    /** Deletes the key if its version is {@code expectedVersion} and appends a delete record, like {@link #put}. */
    Commit delete(byte[] key, long expectedVersion, String requestId);

    /** The key's value and version (version 0 and a null value when absent). */
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

        Commit(final Status status, final long index, final long version) {
            this.status = status;
            this.index = index;
            this.version = version;
        }

        boolean applied() {
            return status != Status.CONFLICT;
        }

        @Override
        public String toString() {
            return status + " index " + index + " version " + version;
        }
    }

    /** A key's value as read. */
    final class Entry {
        final byte[] value;
        final long version;
        final long modRevision;
        /** The revision the answering member had applied: a causal token for later reads. */
        final long readRevision;

        Entry(final byte[] value, final long version, final long modRevision, final long readRevision) {
            this.value = value;
            this.version = version;
            this.modRevision = modRevision;
            this.readRevision = readRevision;
        }
    }
}
