package io.slate.contract;

import io.slate.journal.JournalRecord;
import io.slate.journal.Tailer;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import io.slate.sync.Mutex;
import io.slate.sync.Sync;
import io.slate.tuple.Taken;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;

import java.util.concurrent.TimeUnit;

/**
 * The other agent of the contract suite, in its own JVM: {@code COMMAND ADDRESS ARGS...}. It prints what it did, one
 * line at a time, and {@code ready} / {@code done} at the points the parent waits for. Commands that hold something
 * (a take, a lock) hold it until the parent kills the JVM.
 */
public final class ContractAgent {
    private ContractAgent() {
    }

    public static void main(final String[] args) throws Exception {
        final String command = args[0];
        try (Space space = Space.open(SpaceOptions.of(args[1]).agentId(command + "-" + ProcessHandle.current().pid()))) {
            switch (command) {
                case "put": { // put KEY N: N writes of KEY, each printed with its version
                    for (int i = 1; i <= Integer.parseInt(args[3]); i++) {
                        System.out.println("v " + space.kv().putString(args[2], "value-" + i));
                    }
                    System.out.println("done");
                    break;
                }
                case "named-tail": { // named-tail NAME COUNT: reads COUNT records under NAME, printing each index
                    try (Tailer t = space.journal().namedTailer(args[2])) {
                        final int n = Integer.parseInt(args[3]);
                        for (int i = 0; i < n; i++) {
                            final JournalRecord r = t.next(30, TimeUnit.SECONDS);
                            if (r == null) {
                                System.out.println("timeout");
                                return;
                            }
                            System.out.println("i " + r.index());
                        }
                    }
                    System.out.println("done");
                    break;
                }
                case "take-all": { // take-all TUPLESPACE: takes ("job", *) until none is left, printing each id
                    try (TupleSpace ts = TupleSpace.of(space, args[2])) {
                        System.out.println("ready");
                        final Template t = Template.of("job", Template.ANY);
                        Tuple got;
                        while ((got = ts.in(t, 2, TimeUnit.SECONDS)) != null) {
                            System.out.println("took " + got.getLong(1));
                        }
                    }
                    System.out.println("done");
                    break;
                }
                case "take-and-hold": { // take-and-hold TUPLESPACE: takes one ("job", *) with ack, then holds it
                    final TupleSpace ts = TupleSpace.of(space, args[2]);
                    final Taken taken = ts.inWithAck(Template.of("job", Template.ANY), 30, TimeUnit.SECONDS);
                    System.out.println(taken == null ? "nothing" : "took " + taken.id());
                    Thread.sleep(Long.MAX_VALUE);
                    break;
                }
                case "snapshot-tuples": { // snapshot-tuples TUPLESPACE: writes the tuple space's snapshot, prints its index
                    System.out.println("snapshot " + io.slate.engine.tuple.TupleSnapshots.write(io.slate.spi.BackendSpace.of(space, "contract"), args[2]));
                    System.out.println("done");
                    break;
                }
                case "lock-and-hold": { // lock-and-hold MUTEX: locks, prints the fencing token, holds it
                    final Mutex m = Sync.of(space).mutex(args[2]);
                    System.out.println("token " + m.lock());
                    Thread.sleep(Long.MAX_VALUE);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown command " + command);
            }
        }
    }
}
