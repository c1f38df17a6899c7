package io.slate.contract;

import io.slate.space.Space;
import io.slate.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The base of every contract class: one fresh space address per test, spaces opened through the public API only,
 * and other agents as child JVMs ({@link ContractAgent}) killed by their own handles. Everything is removed after
 * each test. A backend subclasses each contract with a one-line {@link #fixture()}.
 */
public abstract class ContractBase {
    protected String address;
    private final List<Space> spaces = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();

    /** The backend under test; the same object for every test of a class is fine. */
    protected abstract BackendFixture fixture();

    @BeforeEach
    void newAddress(final TestInfo info) {
        address = fixture().newAddress(info.getTestMethod().map(m -> m.getName()).orElse("test"));
    }

    @AfterEach
    void removeEverything() {
        children.forEach(ChildJvm::close);
        children.clear();
        for (Space s : spaces) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // closing after a failure: the first error is the one reported
            }
        }
        spaces.clear();
        fixture().remove(address);
    }

    /** Opens this test's space as an agent of this JVM, with this agent id. */
    protected final Space open(final String agentId) {
        final Space s = Space.open(fixture().options(address).agentId(agentId));
        spaces.add(s);
        return s;
    }

    /** Another agent: {@link ContractAgent} with {@code command} on this test's space, in its own JVM. */
    protected final ChildJvm agent(final String command, final String... args) {
        final String[] all = new String[args.length + 2];
        all[0] = command;
        all[1] = address;
        System.arraycopy(args, 0, all, 2, args.length);
        final ChildJvm c = ChildJvm.start(command, ContractAgent.class, fixture().childJvmOptions(), all);
        children.add(c);
        return c;
    }

    /** The child's next line, which must start with {@code prefix}; returns what follows the prefix. */
    protected static String expect(final ChildJvm c, final String prefix) throws InterruptedException {
        final String line = c.awaitLineStartingWith(prefix, 60, TimeUnit.SECONDS);
        assertTrue(line.startsWith(prefix), line);
        return line.substring(prefix.length()).trim();
    }

    /** Lines the child printed until {@code done} (which it must print within a minute). */
    protected static List<String> untilDone(final ChildJvm c) throws InterruptedException {
        final List<String> lines = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            final String line = c.awaitLine(60, TimeUnit.SECONDS);
            if (line.equals("done")) {
                return lines;
            }
            lines.add(line);
        }
        return fail("child " + c + " did not finish: " + c.lastLines(10));
    }
}
