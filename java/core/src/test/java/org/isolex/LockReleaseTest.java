package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The interpreter lock inside one interpreter (abi/ABI.md 9.1): two threads calling into the
 * same interpreter take turns, unless the extension gives the lock up around pure-C work
 * ({@code IxLock_Release}/{@code IxLock_Acquire}); a shared-lock module gives up its
 * process-wide lock along with it (9.3).
 */
class LockReleaseTest extends NativeTestBase {
    static final long SPIN_US = SupportLevelsTest.SPIN_US;

    /**
     * Most threads inside at once when two threads run {@code function(SPIN_US)} together.
     * Retried once when fewer than {@code expected} overlapped (a loaded machine may not run
     * both threads at once); never retried when too many did.
     */
    static long maxInside(ExtensionModule[] m, String function, long expected) throws Exception {
        long max = -1;
        for (int attempt = 0; attempt < 2 && max < expected; attempt++) {
            m[0].invoke("reset");
            Together.run(2, i -> () -> m[i].invoke(function, SPIN_US));
            max = (Long) m[0].invoke("max_inside");
        }
        return max;
    }

    @Test
    void twoThreadsInOneInterpreterTakeTurns() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("conc_parallel");
            assertEquals(1L, maxInside(new ExtensionModule[] {m, m}, "critical", 1));
            assertEquals(2L, m.invoke("calls"));
        }
    }

    @Test
    void releasingTheInterpreterLockLetsTheOtherThreadIn() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("conc_parallel");
            assertEquals(2L, maxInside(new ExtensionModule[] {m, m}, "critical_released", 2));
            // the lock is back: ordinary calls still take turns afterwards
            assertEquals(1L, maxInside(new ExtensionModule[] {m, m}, "critical", 1));
        }
    }

    @Test
    void releasingTheLockAlsoGivesUpTheSharedLock() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule[] m = {a.importModule("conc_shared"), b.importModule("conc_shared")};
            assertEquals(2L, maxInside(m, "critical_released", 2));
            assertEquals(1L, maxInside(m, "critical", 1));
        }
    }
}
