package io.slate.cli;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** {@code slate replay --to DIR}: rebuilds a space's map from its journal into a new space. */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Creates a new space at DIR with the same sizes as this one and replays this space's journal into it: every "
                + "write in order, keeping versions, writers and times. Prints the number of records applied.",
            "Refuses (exit 2) when DIR exists and is not an empty directory. On failure the new space is removed again.",
        })
final class ReplayCommand extends SpaceCommand {
    @Option(names = "--to", paramLabel = "DIR", required = true, description = "The directory of the new space; must not exist, or be empty.")
    private String to;

    @Override
    int execute() {
        if (to.isBlank()) {
            throw CliFailure.usage("--to must name a directory");
        }
        final Path target;
        try {
            target = Paths.get(to).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw CliFailure.usage("--to '" + Text.abbreviate(to) + "' is not a valid path: " + e.getReason());
        }
        final boolean existed = checkTarget(target);
        try (Space source = openExisting()) {
            if (target.equals(source.directory())) {
                throw CliFailure.usage("cannot replay the space at " + target + " into itself");
            }
            final long applied;
            try (Space copy = Space.open(sizedLike(source.options(), target).agentId(source.agentId()))) {
                applied = source.journal().replayInto(copy, Long.MAX_VALUE);
            } catch (RuntimeException | InternalError e) {
                discard(target, existed);
                throw e;
            }
            out().println(applied + " records replayed into " + target);
        }
        return SlateCli.EXIT_OK;
    }

    /** Refuses a target that is not absent or an empty directory; returns whether it exists. */
    private static boolean checkTarget(final Path target) {
        if (!Files.exists(target)) {
            return false;
        }
        if (!Files.isDirectory(target)) {
            throw CliFailure.usage(target + ": replay target exists and is not a directory");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw CliFailure.usage(target + ": replay target exists and is not empty");
            }
        } catch (IOException e) {
            throw CliFailure.space(target + ": cannot read the replay target: " + e.getMessage());
        }
        return true;
    }

    /** Options for the new space: the source's sizes, so whatever fits in the source fits in the copy. */
    private static SpaceOptions sizedLike(final SpaceOptions source, final Path target) {
        return SpaceOptions.at(target)
                .maxEntries(source.maxEntries())
                .averageKeyBytes(source.averageKeyBytes())
                .averageValueBytes(source.averageValueBytes())
                .maxKeyBytes(source.maxKeyBytes())
                .maxValueBytes(source.maxValueBytes())
                .maxAgents(source.maxAgents())
                .rollCycle(source.rollCycle())
                .retainCycles(source.retainCycles())
                .retainBytes(source.retainBytes())
                .groupShared(source.groupShared());
    }

    /** Removes a half-made copy; an empty directory that was there before is left, empty. */
    private static void discard(final Path target, final boolean existed) {
        try {
            Space.delete(target);
            if (existed) {
                Files.createDirectories(target);
            }
        } catch (RuntimeException | IOException e) {
            // the original failure is the one to report
        }
    }
}
