package io.slate.cli;

import io.slate.space.Space;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

/** A command on one tuple space of a space: takes {@code --name}, and shares the waiting of {@code rd} and {@code in}. */
abstract class TupleCommand extends SpaceCommand {
    /** How long one wait lasts at most before checking Ctrl-C. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The tuple space: a name inside the space (at most "
            + TupleSpace.MAX_NAME_BYTES + " UTF-8 bytes).")
    private String name;

    /** The tuple space's name. */
    final String name() {
        return name;
    }

    /** Opens the tuple space in an open space. */
    final TupleSpace tupleSpace(final Space s) {
        return TupleSpace.of(s, name);
    }

    /**
     * Reads or takes a match, waiting up to {@code timeoutNanos} ({@code null}: until one comes or Ctrl-C). Fails with
     * exit code 1 when none came.
     */
    final Tuple await(final TupleSpace ts, final Template template, final Long timeoutNanos, final boolean take) {
        final long deadline = timeoutNanos == null ? 0 : System.nanoTime() + timeoutNanos;
        while (true) {
            final long left = timeoutNanos == null ? WAIT_SLICE_NANOS : Math.max(0, Math.min(WAIT_SLICE_NANOS, deadline - System.nanoTime()));
            final Tuple t = take ? ts.in(template, left, TimeUnit.NANOSECONDS) : ts.rd(template, left, TimeUnit.NANOSECONDS);
            if (t != null) {
                return t;
            }
            if (timeoutNanos != null && System.nanoTime() - deadline >= 0) {
                throw CliFailure.failed("no tuple matching " + template + " in tuple space '" + name + "' within " + TupleText.describe(timeoutNanos));
            }
            if (stopRequested()) {
                throw CliFailure.failed("stopped before a tuple matching " + template + " came to tuple space '" + name + "'");
            }
        }
    }

    /** Fails with exit code 1: nothing matches now. */
    final CliFailure noMatch(final Template template) {
        return CliFailure.failed("no tuple matching " + template + " in tuple space '" + name + "'");
    }
}
