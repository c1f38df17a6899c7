package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceStats;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code slate stat}: the space's numbers. */
@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prints the space's numbers: directory, format version, entries, journal records and indices, memory used, agents.",
            "This command opens the space as an observer: it is not counted among the agents.",
        })
final class StatCommand extends SpaceCommand {
    @Override
    int execute() {
        try (Space s = observe()) {
            final SpaceStats st = s.stats();
            final PrintStream out = out();
            line(out, "directory", s.directory().toString());
            line(out, "format version", st.formatMajor() + "." + st.formatMinor());
            line(out, "entries", st.entries() + " / " + st.maxEntries() + " (removed keys' tombstones included)");
            line(out, "journal records", Long.toString(st.journalRecords()));
            line(out, "first index", index(st.firstIndex()));
            line(out, "last index", index(st.lastIndex()));
            line(out, "journal bytes", Text.bytes(st.journalBytes()));
            line(out, "map bytes", Text.bytes(st.mapBytes()));
            line(out, "agents alive", Integer.toString(st.agentsAlive()));
            line(out, "agents known", Integer.toString(st.agentsKnown()));
        }
        return SlateCli.EXIT_OK;
    }

    private static void line(final PrintStream out, final String name, final String value) {
        out.printf("%-16s %s%n", name + ":", value);
    }

    private static String index(final long i) {
        return i < 0 ? "none (journal empty)" : i + " (0x" + Long.toHexString(i) + ")";
    }
}
