package io.slate.bench;

import io.slate.consistency.Consistency;
import io.slate.consistency.KeyValueView;
import io.slate.kv.Entry;
import io.slate.space.Space;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The cost of a read in each consistency mode ({@code docs/consistency.md}), on 1024 keys already written: STRONG
 * reads the shared map, CAUSAL and EVENTUAL the handle's local view (caught up, so no journal records to apply).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ConsistencyBench {
    private static final int KEYS = 1024;

    @Param({"STRONG", "CAUSAL", "EVENTUAL"})
    public Consistency consistency;

    private SpaceState state;
    private KeyValueView view;
    private String[] keys;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        state = new SpaceState();
        state.open();
        final Space space = state.space();
        keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "consistency/key-" + i;
            space.kv().put(keys[i], new byte[64]);
        }
        view = KeyValueView.open(space, consistency);
        view.get(keys[0]); // the local views catch up once here
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        view.close();
        state.close();
    }

    /** One read of an existing key. */
    @Benchmark
    public Entry get() {
        final String k = keys[next];
        next = (next + 1) & (KEYS - 1);
        return view.get(k);
    }
}
