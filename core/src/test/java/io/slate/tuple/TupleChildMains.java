package io.slate.tuple;

import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** Programs the multi-JVM tuple tests run in child JVMs. Each prints what it did on stdout, one line at a time. */
final class TupleChildMains {
    /** The jobs: ("job", producer, sequence). */
    static final Template JOB = Template.of("job", Template.ANY_LONG, Template.ANY_LONG);
    /** One per consumer, written once all jobs are out. */
    static final Template STOP = Template.of("stop");

    private TupleChildMains() {
    }

    static Space open(final String dir, final String agent) {
        return Space.open(SpaceOptions.at(Paths.get(dir)).agentId(agent));
    }

    static void startAt(final long startAtMillis) throws InterruptedException {
        while (System.currentTimeMillis() < startAtMillis) {
            Thread.sleep(1);
        }
    }

    /** stdout with a large buffer, flushed when asked: printing 25,000 lines one write at a time would dominate. */
    static PrintStream bufferedOut() {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
    }

    /** args: dir agentId producerId count startAtMillis — outs ("job", producerId, 0..count-1). */
    static final class Producer {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1]); TupleSpace jobs = TupleSpace.of(space, "jobs")) {
                final long producer = Long.parseLong(args[2]);
                final int count = Integer.parseInt(args[3]);
                System.out.println("READY");
                startAt(Long.parseLong(args[4]));
                final TupleBuffer b = new TupleBuffer();
                for (int seq = 0; seq < count; seq++) {
                    jobs.out(b.clear().addString("job").addLong(producer).addLong(seq));
                }
                System.out.println("DONE " + count);
            }
        }
    }

    /**
     * args: dir agentId holdAfter holdCount — takes jobs with acknowledgement and prints "T producer seq id" for each
     * acknowledged one. Stops when no job came for a while and a ("stop") tuple is there. With {@code holdAfter >= 0}:
     * after that many acknowledged jobs it takes {@code holdCount} more without acknowledging, prints "HOLD producer seq
     * id" for each, then "HOLDING", and sleeps until killed.
     */
    static final class Consumer {
        public static void main(final String[] args) throws Exception {
            final int holdAfter = Integer.parseInt(args[2]);
            final int holdCount = Integer.parseInt(args[3]);
            final PrintStream out = bufferedOut();
            final Space space = open(args[0], args[1]);
            final TupleSpace jobs = TupleSpace.of(space, "jobs");
            out.println("READY");
            out.flush();
            int acked = 0;
            while (true) {
                if (acked == holdAfter) {
                    for (int h = 0; h < holdCount; h++) {
                        final Taken held = jobs.inWithAck(JOB, 60, TimeUnit.SECONDS);
                        if (held == null) {
                            break;
                        }
                        out.println("HOLD " + held.tuple().getLong(1) + " " + held.tuple().getLong(2) + " " + held.id());
                    }
                    out.println("HOLDING");
                    out.flush();
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                    return;
                }
                final Taken t = jobs.inWithAck(JOB, 200, TimeUnit.MILLISECONDS);
                if (t == null) {
                    if (jobs.inp(STOP) != null) {
                        break;
                    }
                    continue;
                }
                if (t.ack()) {
                    acked++;
                    out.println("T " + t.tuple().getLong(1) + " " + t.tuple().getLong(2) + " " + t.id());
                    if (holdAfter >= 0) {
                        out.flush(); // this one is killed: everything it acknowledged must be on the pipe first
                    }
                } else {
                    out.println("LOST-ACK " + t.id());
                }
            }
            out.println("DONE " + acked);
            out.flush();
            jobs.close();
            space.close();
        }
    }

    /**
     * args: dir agentId watchName — a named watch on ("ev", long): prints "W seq" for each tuple, flushed, until
     * killed.
     */
    static final class Watcher {
        public static void main(final String[] args) throws Exception {
            try (Space space = open(args[0], args[1]); TupleSpace events = TupleSpace.of(space, "events");
                 TupleWatch watch = events.watch(args[2], Template.of("ev", Template.ANY_LONG))) {
                System.out.println("READY");
                while (true) {
                    final TupleBuffer b = watch.next(1, TimeUnit.SECONDS);
                    if (b != null) {
                        System.out.println("W " + b.getLong(1));
                    }
                }
            }
        }
    }
}
