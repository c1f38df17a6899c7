package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.space.SpaceStats;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code slate stat}: the space's numbers. */
@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prints the space's numbers: directory, format version, entries, journal records and indices, the oldest index still readable,",
            "the journal's retention budget and how much of it is used, snapshots, memory used, agents.",
            "This command opens the space as an observer: it is not counted among the agents.",
        })
final class StatCommand extends SpaceCommand {
    @Override
    int execute() {
        try (Space s = observe()) {
            final SpaceStats st = s.stats();
            final PrintStream out = out();
            final boolean files = s.directory() != null;
            line(out, files ? "directory" : "address", s.address());
            line(out, "format version", st.formatMajor() + "." + st.formatMinor());
            line(out, "entries", st.entries() + " / " + st.maxEntries() + " (removed keys' tombstones included)");
            line(out, "journal records", Long.toString(st.journalRecords()));
            line(out, "first index", index(st.firstIndex()));
            line(out, "last index", index(st.lastIndex()));
            line(out, "oldest readable", index(st.firstIndex()) + (st.firstIndex() < 0 ? "" : st.journalComplete() ? " (the whole history)"
                    : " (retention removed the records before it)"));
            final SpaceOptions o = s.options();
            line(out, "retention", files ? budget(o) : s instanceof io.slate.etcd.EtcdSpace ? etcdBudget(((io.slate.etcd.EtcdSpace) s).retainRecords())
                    : "none on this backend: the journal keeps every record");
            line(out, "journal bytes", !files ? "not measured on this backend" : Text.bytes(st.journalBytes()) + (o.retainBytes() > 0 ? " of "
                    + Text.bytes(o.retainBytes()) + " budget (" + Math.round(100.0 * st.journalBytes() / o.retainBytes()) + "%)" : ""));
            line(out, "snapshots", st.snapshotViews() + " tuple spaces and blackboards, " + Text.bytes(st.snapshotBytes()));
            line(out, "map bytes", files ? Text.bytes(st.mapBytes()) : "not measured on this backend");
            line(out, "agents alive", Integer.toString(st.agentsAlive()));
            line(out, "agents known", Integer.toString(st.agentsKnown()));
        }
        return SlateCli.EXIT_OK;
    }

    private static void line(final PrintStream out, final String name, final String value) {
        out.printf("%-16s %s%n", name + ":", value);
    }

    /** An etcd space's budget, in records (stored with the space when it was created). */
    static String etcdBudget(final long records) {
        return records <= 0 ? "none: the journal keeps every record" : "keep the newest " + records + " journal records (older ones deleted)";
    }

    /** The journal's budget as the space was created with it. */
    static String budget(final SpaceOptions o) {
        final StringBuilder sb = new StringBuilder();
        if (o.retainBytes() <= 0 && o.retainCycles() <= 0) {
            sb.append("none: the journal keeps every cycle");
        } else {
            if (o.retainBytes() > 0) {
                sb.append("keep ").append(Text.bytes(o.retainBytes())).append(" of journal");
            }
            if (o.retainCycles() > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append("at most ").append(o.retainCycles()).append(" cycles");
            }
        }
        sb.append("; ").append(o.rollCycle().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(" cycles; older ones ")
                .append(o.archiveDirectory() == null ? "deleted" : "moved to " + o.archiveDirectory());
        return sb.toString();
    }

    private static String index(final long i) {
        return i < 0 ? "none (journal empty)" : i + " (0x" + Long.toHexString(i) + ")";
    }
}
