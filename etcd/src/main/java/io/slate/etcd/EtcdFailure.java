package io.slate.etcd;

/**
 * A failure of an etcd operation, as one line that names the thing (the address, the endpoints, the key) and the
 * problem. {@link #definite()} tells whether the operation certainly had no effect; when it is false (a write that
 * timed out or whose member died), its outcome is unknown and nothing was acknowledged: retrying with the same
 * request id settles it (see {@link EtcdKeyValue}).
 */
final class EtcdFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    enum Kind {
        /** The etcd:// address is malformed. */
        INVALID_ADDRESS,
        /** No member answered at all. */
        UNREACHABLE,
        /** Members answered but the operation was not confirmed in time: no leader, no quorum, a member died. */
        NOT_CONFIRMED,
        /** The request is over etcd's request limit. */
        TOO_LARGE,
        /** etcd's storage quota is exhausted (alarm NOSPACE). */
        QUOTA,
        /** Authentication failed or the user lacks permission. */
        REFUSED,
        /** The revision asked for was compacted away. */
        COMPACTED,
        /** The agent's lease expired: it is dead to everyone else. */
        LEASE_EXPIRED,
        /** A timed wait (a lock) ran out. */
        TIMED_OUT,
        /** Anything else etcd answered. */
        FAILED
    }

    private final Kind kind;
    private final boolean definite;
    private String reason;

    EtcdFailure(final Kind kind, final String message, final boolean definite) {
        super(message);
        this.kind = kind;
        this.definite = definite;
    }

    EtcdFailure(final Kind kind, final String message, final boolean definite, final Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.definite = definite;
    }

    Kind kind() {
        return kind;
    }

    /** etcd's or gRPC's own words for the cause, without the context (defaults to the message). */
    String reason() {
        return reason != null ? reason : getMessage();
    }

    EtcdFailure reason(final String r) {
        reason = r;
        return this;
    }

    /** True when the operation certainly had no effect; false when its outcome is unknown. */
    boolean definite() {
        return definite;
    }
}
