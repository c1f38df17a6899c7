package io.slate.etcd.backend;

import io.slate.etcd.testing.SharedEtcdCluster;
import io.slate.kv.KeyValue;
import io.slate.space.Space;
import io.slate.space.SpaceOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An increment on etcd reads its first attempt from whichever member answers, which may not have applied the last
 * writes yet (a follower learns of a commit with the leader's next message): the compare-and-set then conflicts and
 * the retry reads linearizably. A stale value must not be judged either: the text or the overflow of a value the key
 * held before is no reason to refuse the increment of the value it holds now.
 *
 * <p>Which member answers first, and whether it has applied the last commit, is up to the machine: this catches the
 * bug only in rounds where a follower answers before it applied the write just before (on a loaded machine the
 * contract test's one such round did, in one of three CI runs: {@code ArithmeticException} from a stale
 * {@code Long.MAX_VALUE}). A hundred rounds of both patterns make that likelier; on a quiet machine it may pass
 * without the fix.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdIncrementTest {
    /** Three members: two of them followers, whose serializable reads lag the leader's commits. */
    @RegisterExtension
    static final SharedEtcdCluster ETCD = new SharedEtcdCluster(3).connectTimeoutMillis(30_000);

    @Test
    void anIncrementJudgesTheValueTheKeyHoldsNotAStaleOne() {
        try (Space s = Space.open(SpaceOptions.of(ETCD.cluster().address("incr-" + ProcessHandle.current().pid())).agentId("a"))) {
            final KeyValue kv = s.kv();
            for (int round = 0; round < 100; round++) {
                kv.putLong("n", Long.MAX_VALUE); // +1 overflows this one
                kv.putLong("n", Long.MIN_VALUE);
                assertEquals(Long.MIN_VALUE + 1, kv.increment("n", 1), "round " + round);
                kv.putString("n", "not a number");
                kv.putLong("n", 41);
                assertEquals(42, kv.increment("n", 1), "round " + round);
            }
        }
    }
}
