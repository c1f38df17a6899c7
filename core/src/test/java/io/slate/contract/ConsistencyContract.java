package io.slate.contract;

import io.slate.consistency.Consistency;
import io.slate.consistency.KeyValueView;
import io.slate.space.Space;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Consistency modes on any backend: STRONG reads the latest, CAUSAL reads follow a session token across handles. */
public abstract class ConsistencyContract extends ContractBase {
    @Test
    void strongReadsTheLatestAndCausalFollowsTheToken() {
        final Space writer = open("writer");
        final Space reader = open("reader");
        try (KeyValueView w = KeyValueView.open(writer, Consistency.CAUSAL);
             KeyValueView strong = KeyValueView.open(reader, Consistency.STRONG);
             KeyValueView causal = KeyValueView.open(reader, Consistency.CAUSAL);
             KeyValueView eventual = KeyValueView.open(reader, Consistency.EVENTUAL)) {
            for (int i = 1; i <= 50; i++) {
                w.put("k", ("v" + i).getBytes());
            }
            assertEquals("v50", strong.get("k").valueAsString());
            causal.observe(w.sessionToken());
            assertNotNull(causal.get("k"));
            assertEquals("v50", causal.get("k").valueAsString(), "a causal read waits for what the token has seen");
            assertEquals(50, causal.get("k").version());
            // eventual reads converge
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while ((eventual.get("k") == null || eventual.get("k").version() < 50) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(50, eventual.get("k").version());
        }
    }
}
