package io.slate.contract;

import io.slate.blackboard.Attributes;
import io.slate.blackboard.Blackboard;
import io.slate.blackboard.BlackboardEntry;
import io.slate.blackboard.BlackboardSnapshot;
import io.slate.blackboard.Controller;
import io.slate.blackboard.KnowledgeSource;
import io.slate.blackboard.RunResult;
import io.slate.blackboard.Trigger;
import io.slate.space.Space;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The blackboard on any backend: posts, a knowledge source fired once per trigger, and time travel equal to the live board. */
public abstract class BlackboardContract extends ContractBase {
    @Test
    void aKnowledgeSourceFiresOncePerPostAndReplayEqualsTheBoard() {
        final Space s = open("a");
        try (Blackboard bb = Blackboard.of(s, "board", "signal", "hypothesis")) {
            bb.post("signal", Attributes.of("x", 1), 1.0);
            bb.post("signal", Attributes.of("x", 2), 1.0);
            final KnowledgeSource double_ = KnowledgeSource.of("double", Trigger.onPosted("signal"),
                    ctx -> ctx.post("hypothesis", Attributes.of("y", ctx.activation().entry().getLong("x") * 2), 0.5));
            try (Controller c = bb.controller().register(double_).build()) {
                final RunResult r = c.run(30, TimeUnit.SECONDS);
                assertEquals(2, r.executed(), r.toString());
            }
            final List<BlackboardEntry> hypotheses = bb.snapshot().entries("hypothesis");
            assertEquals(2, hypotheses.size());
            final BlackboardSnapshot replayed = Blackboard.replay(s, "board", Long.MAX_VALUE);
            assertEquals(bb.snapshot().entries("hypothesis").size(), replayed.entries("hypothesis").size());
            assertEquals(bb.snapshot().entries("signal").size(), replayed.entries("signal").size());
        }
        try (Blackboard again = Blackboard.of(s, "board")) {
            assertEquals(List.of("signal", "hypothesis"), again.snapshot().levels(), "a second handle reads the board from the journal");
            assertEquals(2, again.snapshot().entries("hypothesis").size());
        }
    }
}
