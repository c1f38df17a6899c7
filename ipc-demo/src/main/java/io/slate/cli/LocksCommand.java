package io.slate.cli;

import io.slate.space.Space;
import io.slate.sync.Holder;
import io.slate.sync.PrimitiveInfo;
import io.slate.sync.Sync;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/** {@code slate locks}: the space's mutexes and semaphores with their holders. */
@Command(name = "locks", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Prints the space's mutexes and semaphores, in creation order, each followed by its holders:",
            "  mutex NAME held token=T          (or: free token=T; T is the latest fencing token handed out)",
            "  semaphore NAME free=A/N",
            "    holder AGENT pid=PID alive|dead [permits=K]",
            "A dead holder (its process gone, or its space closed) keeps what it held until the next waiter takes it over.",
            "With --all, counters, latches and barriers too:",
            "  counter NAME value=V | latch NAME count=C initial=I | barrier NAME arrived=A parties=P generation=G",
            "Prints nothing when no agent has used sync primitives in the space.",
        })
final class LocksCommand extends SpaceCommand {
    @Option(names = "--all", description = "Also list counters, latches and barriers.")
    private boolean all;

    @Override
    int execute() {
        try (Space s = observe()) {
            if (!Sync.exists(s)) {
                return SlateCli.EXIT_OK; // nothing to list, and nothing to create
            }
            final PrintStream out = out();
            for (PrimitiveInfo p : Sync.of(s).primitives()) {
                switch (p.kind()) {
                    case MUTEX:
                        out.println("mutex " + Text.oneLine(p.name()) + (p.value() != 0 ? " held" : " free") + " token=" + p.lastToken());
                        holders(out, p, false);
                        break;
                    case SEMAPHORE:
                        out.println("semaphore " + Text.oneLine(p.name()) + " free=" + p.value() + "/" + p.parameter());
                        holders(out, p, true);
                        break;
                    case COUNTER:
                        if (all) {
                            out.println("counter " + Text.oneLine(p.name()) + " value=" + p.value());
                        }
                        break;
                    case LATCH:
                        if (all) {
                            out.println("latch " + Text.oneLine(p.name()) + " count=" + p.value() + " initial=" + p.parameter());
                        }
                        break;
                    case BARRIER:
                        if (all) {
                            out.println("barrier " + Text.oneLine(p.name()) + " arrived=" + p.value() + " parties=" + p.parameter()
                                    + " generation=" + p.lastToken());
                        }
                        break;
                    default:
                        throw new IllegalStateException("unknown primitive kind " + p.kind());
                }
            }
        }
        return SlateCli.EXIT_OK;
    }

    private static void holders(final PrintStream out, final PrimitiveInfo p, final boolean permits) {
        for (Holder h : p.holders()) {
            out.println("  holder " + Text.oneLine(h.agentId()) + " pid=" + h.pid() + (h.isAlive() ? " alive" : " dead")
                    + (permits ? " permits=" + h.permits() : ""));
        }
    }
}
