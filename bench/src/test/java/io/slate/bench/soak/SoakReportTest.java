package io.slate.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's verdict: what counts as flat memory and bounded /dev/shm, and which samples are warm-up. */
class SoakReportTest {
    private static final long MIB = 1024 * 1024;

    private static List<Soak.Sample> series(final int n, final long startMib, final long stepMib) {
        final List<Soak.Sample> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final long v = (startMib + i * stepMib) * MIB;
            l.add(new Soak.Sample(i * 5.0, new long[] {v}, v, 1000, 2000, i));
        }
        return l;
    }

    @Test
    void steadyMemoryIsFlatAndALeakIsNot() {
        assertTrue(SoakReport.flatness(series(40, 120, 0), s -> s.rssBytes[0] / (double) MIB, SoakReport.RSS_GROWTH, SoakReport.RSS_SLACK_MIB).flat);
        // a sawtooth (GC, retention) within the bounds is flat
        final List<Soak.Sample> saw = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            final long v = (100 + (i % 4) * 10) * MIB;
            saw.add(new Soak.Sample(i * 5.0, new long[] {v}, v, 1000, 2000, i));
        }
        assertTrue(SoakReport.flatness(saw, s -> s.shmBytes / (double) MIB, SoakReport.SHM_GROWTH, SoakReport.SHM_SLACK_MIB).flat);
        // 2 MiB more every interval: 60 MiB over the quarters apart
        final SoakReport.Flatness leak = SoakReport.flatness(series(40, 120, 2), s -> s.rssBytes[0] / (double) MIB, SoakReport.RSS_GROWTH,
                SoakReport.RSS_SLACK_MIB);
        assertFalse(leak.flat, leak.toString());
    }

    @Test
    void warmUpIsTheFirstFifthAndAtLeastAMinuteOfLongRuns() {
        assertEquals(120, SoakReport.afterWarmUp(series(121, 1, 0), 600).get(0).seconds, 1e-9);
        assertEquals(60, SoakReport.afterWarmUp(series(61, 1, 0), 300).get(0).seconds, 1e-9);
        assertEquals(10, SoakReport.afterWarmUp(series(11, 1, 0), 50).get(0).seconds, 1e-9);
    }
}
