package io.slate.crash;

import io.slate.shm.FaultPoints;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;

import java.nio.file.Paths;

/** Child programs that stop inside a fault point and wait there to be killed. */
final class Victims {
    private Victims() {
    }

    /** Must run before any Slate class is loaded: {@link FaultPoints#ENABLED} is read once. */
    static void enableFaultPoints() {
        System.setProperty("slate.faultPoints", "true");
    }

    /** From now on, the first time this process reaches {@code point}: print "INSIDE point" and wait to be killed. */
    static void stopAt(final String point) {
        FaultPoints.install(p -> {
            if (p.equals(point)) {
                System.out.println("INSIDE " + p);
                System.out.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    /**
     * args: dir agent point key valueBytes — puts key="before" (printing "ACK before version"), then stops at the
     * fault point inside a put of a value of {@code valueBytes} bytes.
     */
    static final class StopInsidePut {
        public static void main(final String[] args) {
            enableFaultPoints();
            try (Space space = Space.open(SpaceOptions.at(Paths.get(args[0])).agentId(args[1]))) {
                final long v = space.kv().put(args[3], "before".getBytes());
                System.out.println("ACK before " + v);
                stopAt(args[2]);
                // bytes that, left behind in the journal, would read as headers of records of assorted lengths
                final byte[] big = new byte[Integer.parseInt(args[4])];
                for (int i = 0; i + 4 <= big.length; i += 4) {
                    big[i] = (byte) (8 + (i % 40));
                }
                space.kv().put(args[3], big);
                System.out.println("ACK victim");
            }
        }
    }
}
