package io.slate.blackboard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable copy of a blackboard at one journal index: its levels, every entry (retracted ones included, in their
 * last version), and the activations claimed so far. Made by {@link Blackboard#snapshot()} and by
 * {@link Blackboard#replay(io.slate.space.Space, String, long)} (time travel). Thread-safe.
 *
 * <p>Two snapshots are equal when they hold the same levels, entries (every field, times and journal indices
 * included) and activation records, and reached the same last index and change number. So a process's live state
 * equals a replay of the journal up to the index that state had reached.
 */
public final class BlackboardSnapshot implements BlackboardState {
    private final String name;
    private final List<String> levels;
    private final Map<String, List<BlackboardEntry>> byLevel;
    private final TreeMap<Long, BlackboardEntry> byId;
    private final List<ActivationRecord> activations;
    private final Map<String, ActivationRecord> activationsByKey;
    private final long lastIndex;
    private final long lastChangeNumber;

    /**
     * For the implementation.
     *
     * @param entries every entry in its last version, in id order
     * @param activations the claimed activations, in order of their first claim
     */
    public BlackboardSnapshot(final String name, final List<String> levels, final List<BlackboardEntry> entries,
                              final List<ActivationRecord> activations, final long lastIndex, final long lastChangeNumber) {
        this.name = name;
        this.levels = List.copyOf(levels);
        final Map<String, List<BlackboardEntry>> lv = new LinkedHashMap<>();
        for (String l : levels) {
            lv.put(l, new ArrayList<>());
        }
        this.byId = new TreeMap<>();
        for (BlackboardEntry e : entries) {
            byId.put(e.id(), e);
            if (!e.isRetracted()) {
                lv.get(e.level()).add(e);
            }
        }
        for (Map.Entry<String, List<BlackboardEntry>> e : lv.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        this.byLevel = Collections.unmodifiableMap(lv);
        this.activations = List.copyOf(activations);
        final Map<String, ActivationRecord> byKey = new LinkedHashMap<>();
        for (ActivationRecord a : activations) {
            byKey.put(a.key(), a);
        }
        this.activationsByKey = Collections.unmodifiableMap(byKey);
        this.lastIndex = lastIndex;
        this.lastChangeNumber = lastChangeNumber;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> levels() {
        return levels;
    }

    @Override
    public List<BlackboardEntry> entries(final String level) {
        final List<BlackboardEntry> l = byLevel.get(level);
        if (l == null) {
            throw new IllegalArgumentException("blackboard '" + name + "' has no level '" + level + "' (levels: " + levels + ")");
        }
        return l;
    }

    @Override
    public BlackboardEntry entry(final long id) {
        return byId.get(id);
    }

    /** Every entry, retracted ones included, in id order. */
    public List<BlackboardEntry> allEntries() {
        return List.copyOf(byId.values());
    }

    /** The claimed activations, in order of their first claim. */
    public List<ActivationRecord> activations() {
        return activations;
    }

    /** The record of the activation with this {@linkplain Activation#key() key}, or {@code null} when it was never claimed. */
    public ActivationRecord activation(final String key) {
        return activationsByKey.get(key);
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public long lastChangeNumber() {
        return lastChangeNumber;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BlackboardSnapshot)) {
            return false;
        }
        final BlackboardSnapshot s = (BlackboardSnapshot) o;
        return lastIndex == s.lastIndex && lastChangeNumber == s.lastChangeNumber && name.equals(s.name) && levels.equals(s.levels)
                && byId.equals(s.byId) && activations.equals(s.activations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, lastIndex, lastChangeNumber, byId.size(), activations.size());
    }

    /** A summary line: name, index, change number and entries per level. {@link #dump()} lists everything. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("Blackboard '").append(name).append("' at index ").append(lastIndex)
                .append(", change ").append(lastChangeNumber).append(':');
        for (String l : levels) {
            sb.append(' ').append(l).append('=').append(byLevel.get(l).size());
        }
        return sb.append(", ").append(activations.size()).append(" activations").toString();
    }

    /** Every entry and activation record, one per line, after the summary line. */
    public String dump() {
        final StringBuilder sb = new StringBuilder(toString()).append('\n');
        for (BlackboardEntry e : byId.values()) {
            sb.append("  ").append(e).append(" @").append(e.index()).append('\n');
        }
        for (ActivationRecord a : activations) {
            sb.append("  ").append(a).append('\n');
        }
        return sb.toString();
    }
}
