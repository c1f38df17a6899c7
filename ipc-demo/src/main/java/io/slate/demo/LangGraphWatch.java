package io.slate.demo;

import io.slate.journal.JournalRecord;
import io.slate.journal.Op;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM agent that watches a LangGraph thread's checkpoints arrive through the space's journal, as Node agents save
 * them with the Slate checkpoint saver (clients/node/langgraph) through {@code slate serve}. It uses the public API
 * only: it opens the space as one more agent and tails the journal from its start, so it also replays the thread's
 * history (time travel) before it follows new checkpoints live.
 *
 * <pre>java -cp slate.jar io.slate.demo.LangGraphWatch SPACE THREAD [SECONDS] [PREFIX]</pre>
 *
 * Prints one line per checkpoint, {@code checkpoint ID parent PARENT index I agent A bytes N} ({@code removed ID index I}
 * when a checkpoint key is removed: one its writer lost the race for, or a deleted thread), and stops after SECONDS
 * (default 60), on Ctrl-C or SIGTERM. The tailer is single-threaded (Chronicle's tailers are): this main thread alone
 * uses it.
 */
public final class LangGraphWatch {
    private static final Pattern PARENT = Pattern.compile("\"parent\":(null|\"([^\"]*)\")");

    private LangGraphWatch() {
    }

    /** The saver's escaping of one key part (clients/node/langgraph/src/keys.js): bytes outside [A-Za-z0-9_.~-] as %XX. */
    static String esc(final String part) {
        final StringBuilder b = new StringBuilder();
        for (byte x : part.getBytes(StandardCharsets.UTF_8)) {
            final char c = (char) (x & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '~' || c == '-')) {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        return b.toString();
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: LangGraphWatch SPACE THREAD [SECONDS] [PREFIX]");
            System.exit(2);
        }
        final long seconds = args.length > 2 ? Long.parseLong(args[2]) : 60;
        final String prefix = (args.length > 3 ? args[3] : "lg") + ":c:" + esc(args[1]) + ":";
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final boolean[] stop = new boolean[1];
        Signals.onStop(() -> stop[0] = true);
        final SpaceOptions options = (args[0].contains("/") ? SpaceOptions.at(java.nio.file.Paths.get(args[0])) : SpaceOptions.of(args[0]))
                .agentId("langgraph-watch-" + ProcessHandle.current().pid());
        try (Space space = Space.open(options); Tailer tailer = space.journal().tailerFromStart()) {
            System.out.println("WATCHING " + args[1] + " in " + args[0]);
            System.out.flush();
            while (!stop[0] && System.nanoTime() < deadline) {
                final JournalRecord r = tailer.next(100, TimeUnit.MILLISECONDS);
                if (r == null || (r.op() != Op.PUT && r.op() != Op.REMOVE) || !r.key().toString().startsWith(prefix)) {
                    continue;
                }
                final String key = r.key().toString();
                final String id = java.net.URLDecoder.decode(key.substring(key.lastIndexOf(':') + 1), StandardCharsets.UTF_8);
                if (r.op() == Op.REMOVE) {
                    // a checkpoint the saver refused (its writer had lost the race for the thread), or a deleted thread
                    System.out.println("removed " + id + " index " + Long.toHexString(r.index()));
                    System.out.flush();
                    continue;
                }
                final Matcher m = PARENT.matcher(r.valueAsString());
                final String parent = m.find() && m.group(2) != null ? m.group(2) : "-";
                System.out.println("checkpoint " + id + " parent " + parent + " index " + Long.toHexString(r.index()) + " agent "
                        + r.agent() + " bytes " + r.valueLength());
                System.out.flush();
            }
        }
    }
}
