package io.slate.blackboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The multi-level problem the multi-JVM tests solve: sensors post numeric readings at level "signal"; the knowledge
 * source "detector" turns each reading above {@link #THRESHOLD} into a "hypothesis"; "combiner" merges the hypotheses
 * of adjacent sensors into "plan" entries. The answer (which plans) is a pure function of the readings.
 */
final class SensorProblem {
    static final String BOARD = "sonar";
    static final String[] LEVELS = {"signal", "hypothesis", "plan"};
    static final String DETECTOR = "detector";
    static final String COMBINER = "combiner";
    static final double THRESHOLD = 5.0;
    static final int SENSORS = 40;

    private SensorProblem() {
    }

    /** Reading of sensor {@code i}: deterministic, in [0, 10). */
    static double reading(final int i) {
        return Math.round(((i * 29 + 3) % 83) / 83.0 * 100) / 10.0;
    }

    /** The sensors above the threshold. */
    static Set<Long> expectedHypotheses() {
        final Set<Long> s = new TreeSet<>();
        for (int i = 0; i < SENSORS; i++) {
            if (reading(i) > THRESHOLD) {
                s.add((long) i);
            }
        }
        return s;
    }

    /** The plans, as "lo-hi": every two adjacent sensors above the threshold. */
    static Set<String> expectedPlans() {
        final Set<String> s = new TreeSet<>();
        for (int i = 0; i + 1 < SENSORS; i++) {
            if (reading(i) > THRESHOLD && reading(i + 1) > THRESHOLD) {
                s.add(i + "-" + (i + 1));
            }
        }
        return s;
    }

    /** The sensor with the highest reading: the detector activation every controller ranks first. */
    static int strongestSensor() {
        int best = 0;
        for (int i = 1; i < SENSORS; i++) {
            if (reading(i) > reading(best)) {
                best = i;
            }
        }
        return best;
    }

    static Set<String> plans(final BlackboardState s) {
        final Set<String> out = new TreeSet<>();
        for (BlackboardEntry e : s.entries("plan")) {
            out.add(e.getLong("lo") + "-" + e.getLong("hi"));
        }
        return out;
    }

    static Set<Long> hypotheses(final BlackboardState s) {
        final Set<Long> out = new TreeSet<>();
        for (BlackboardEntry e : s.entries("hypothesis")) {
            out.add(e.getLong("sensor"));
        }
        return out;
    }

    /** Posts every reading; returns the index of the last post. */
    static long postSignals(final Blackboard bb) {
        for (int i = 0; i < SENSORS; i++) {
            bb.post("signal", Attributes.of("sensor", i, "value", reading(i)), 1.0);
        }
        return bb.lastIndex();
    }

    /** Detector: a reading above the threshold becomes a hypothesis with confidence value / 10. */
    static KnowledgeSource detector(final Consumer<Activation> onExecute) {
        return KnowledgeSource.of(DETECTOR, Trigger.onPosted("signal").when(c -> c.entry().getDouble("value") > THRESHOLD), ctx -> {
            onExecute.accept(ctx.activation());
            final BlackboardEntry signal = ctx.activation().entry();
            final double v = signal.getDouble("value");
            ctx.post("hypothesis", Attributes.of("sensor", signal.getLong("sensor"), "value", v, "signal", signal.id()), v / 10);
        });
    }

    /**
     * Combiner: for a new hypothesis, a plan with each adjacent hypothesis already on the board as of the trigger. So
     * each adjacent pair makes exactly one plan, by the activation of whichever of its two hypotheses came later.
     */
    static KnowledgeSource combiner(final Consumer<Activation> onExecute) {
        return KnowledgeSource.of(COMBINER, Trigger.onPosted("hypothesis"), ctx -> {
            onExecute.accept(ctx.activation());
            final BlackboardEntry h = ctx.activation().entry();
            final long s = h.getLong("sensor");
            for (BlackboardEntry other : ctx.board().entries("hypothesis")) {
                final long o = other.getLong("sensor");
                if (o == s - 1 || o == s + 1) {
                    ctx.post("plan", Attributes.of("lo", Math.min(s, o), "hi", Math.max(s, o)), h.confidence() * other.confidence());
                }
            }
        });
    }

    /** Combiners first (they finish plans), then detectors by reading. Pure. */
    static double rating(final Activation a) {
        return a.knowledgeSource().equals(COMBINER) ? 1.0 + a.entry().confidence() : a.entry().getDouble("value") / 10;
    }

    /** Every activation the problem has, once solved: a detector per reading above the threshold, a combiner per hypothesis. */
    static Set<String> expectedActivations(final BlackboardState solved) {
        final Set<String> keys = new TreeSet<>();
        for (BlackboardEntry e : solved.entries("signal")) {
            if (e.getDouble("value") > THRESHOLD) {
                keys.add(Activation.key(DETECTOR, e.id(), 1));
            }
        }
        for (BlackboardEntry e : solved.entries("hypothesis")) {
            keys.add(Activation.key(COMBINER, e.id(), 1));
        }
        return keys;
    }

    /** Every field of every entry and activation record, one per line: equal text means equal snapshots. */
    static String canonical(final BlackboardSnapshot s) {
        final StringBuilder sb = new StringBuilder();
        sb.append(s.name()).append(' ').append(s.levels()).append(" index=").append(s.lastIndex()).append(" change=")
                .append(s.lastChangeNumber()).append('\n');
        for (BlackboardEntry e : s.allEntries()) {
            sb.append(e.id()).append(' ').append(e.level()).append(" v").append(e.version()).append(' ').append(e.attributes()).append(' ')
                    .append(Double.doubleToLongBits(e.confidence())).append(' ').append(e.author()).append(' ').append(e.writer()).append(' ')
                    .append(e.index()).append(' ').append(e.changeNumber()).append(' ').append(e.timestampNanos()).append(' ')
                    .append(e.isRetracted()).append('\n');
        }
        for (ActivationRecord a : s.activations()) {
            sb.append(a).append(" claim=").append(a.claimIndex()).append(" commit=").append(a.commitIndex()).append('\n');
        }
        return sb.toString();
    }

    static String digest(final BlackboardSnapshot s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical(s).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
