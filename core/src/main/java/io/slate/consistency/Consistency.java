package io.slate.consistency;

/**
 * The consistency a {@link KeyValueView} gives its reads. Writes always go through the shared map's write path
 * (the key's lock, then the journal); the modes differ in where reads come from and what they wait for.
 * See {@code docs/consistency.md} for each mode's guarantee and cost.
 */
public enum Consistency {
    /** Reads hit the shared map: linearizable per key. Costs a shared-map lookup per read. */
    STRONG,
    /**
     * Reads come from a local view fed from the journal, which first catches up to the handle's session token: read
     * your writes, monotonic reads, writes follow reads; tokens carry causality between agents.
     */
    CAUSAL,
    /** Reads come from the local view as it is (after draining what the journal already has, without waiting). */
    EVENTUAL
}
