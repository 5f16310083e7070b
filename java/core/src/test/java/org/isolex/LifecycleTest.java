package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The module lifecycle (ABI.md 4.5-4.8), observed through test-ext/lifecycle. */
class LifecycleTest extends NativeTestBase {

    @SuppressWarnings("unchecked")
    private static Map<String, Long> stats(ExtensionModule lifecycle) {
        return (Map<String, Long>) lifecycle.invoke("stats");
    }

    private static long delta(Map<String, Long> after, Map<String, Long> before, String key) {
        return after.get(key) - before.get(key);
    }

    @InProcessOnly("it counts slot runs in C globals shared by two interpreters of one process; each worker has its own (ABI.md 13.5)")
    @ParameterizedTest(name = "exec slot {0} fails")
    @ValueSource(longs = {1, 2, 3})
    void failingExecRunsClearAndFreeOnceAndLeavesNothing(long k) {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule la = a.importModule("lifecycle");
            b.importModule("counter").close();
            long bytes = b.liveBytes();
            long blocks = b.liveBlocks();
            Map<String, Long> before = stats(la);

            la.invoke("arm_failure", k);
            NativeError e = assertNativeError("ValueError", "exec slot " + k + " failed on purpose",
                    () -> b.importModule("lifecycle"));
            Map<String, Long> after = stats(la);
            assertEquals(k, delta(after, before, "exec"), "exec slots run before the failure");
            assertEquals(1, delta(after, before, "clear"), "clear runs exactly once");
            assertEquals(1, delta(after, before, "free"), "free runs exactly once");
            assertEquals(bytes, b.liveBytes(), "nothing of the failed module is left");
            assertEquals(blocks, b.liveBlocks());

            // the flag was consumed: the next import succeeds, with a fresh zeroed state
            ExtensionModule lb = b.importModule("lifecycle");
            assertEquals(List.of(1L, 2L, 3L), lb.invoke("order"));
            assertEquals(true, lb.invoke("state_was_zeroed"));
            assertEquals(0L, lb.invoke("get"));
            assertEquals(k + 3, delta(stats(la), before, "exec"));
            assertEquals("ValueError", e.typeName());
        }
    }

    @InProcessOnly("it counts slot runs in C globals shared by two interpreters of one process; each worker has its own (ABI.md 13.5)")
    @Test
    void closeRunsClearAndFreeExactlyOnce() {
        try (Host host = newHost(); Interpreter watcher = host.newInterpreter()) {
            ExtensionModule w = watcher.importModule("lifecycle");
            Map<String, Long> before = stats(w);
            Interpreter a = host.newInterpreter();
            a.importModule("lifecycle").invoke("incr");
            a.importModule("lifecycle");  // a re-import adds nothing
            Map<String, Long> open = stats(w);
            assertEquals(3, delta(open, before, "exec"));
            assertEquals(0, delta(open, before, "clear"));
            assertEquals(0, delta(open, before, "free"));
            a.close();
            Map<String, Long> closed = stats(w);
            assertEquals(1, delta(closed, before, "clear"));
            assertEquals(1, delta(closed, before, "free"));
            a.close();  // idempotent
            assertEquals(closed, stats(w));
        }
    }
}
