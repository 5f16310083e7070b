package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Re-entry and the threads that can reach an interpreter (abi/ABI.md 9.2).
 *
 * <p>libisolex refuses a thread that re-enters an interpreter it is already inside
 * ({@code RuntimeError: interpreter N is already entered by this thread; ...}); the C driver
 * tests that. From Java there is no path to it: the value API makes no upcalls into Java
 * (no Java callbacks, no Java objects inside an interpreter), so a Java thread is never
 * inside a native call when it starts another one, and {@link Interpreter#close()} refuses a
 * thread that holds one of the interpreter's operations rather than deadlocking. What Java
 * can reach is tested here instead: the garbage collector's cleaner thread never enters an
 * interpreter (it only queues), so it can never wait for (or re-enter) one, and one handle
 * used from many threads at once is safe.
 */
class ReentryTest extends NativeTestBase {

    @Test
    void oneHandleFromManyThreads() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            Module counter = interp.importModule("counter");
            try (Handle c = (Handle) counter.invoke("Counter")) {
                Together.run(8, i -> () -> {
                    for (int k = 0; k < 1000; k++) c.invoke("increment");
                    return null;
                });
                assertEquals(8000L, c.getAttr("value"));
                assertEquals(8000L, counter.invoke("increments"));
            }
        }
    }

    @Test
    void cleanerThreadNeverWaitsForABusyInterpreter() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            Module counter = interp.importModule("counter");
            Module conc = interp.importModule("conc_parallel");
            long baseline = interp.handleCount();
            makeGarbage(counter, 100);
            assertEquals(baseline + 100, interp.handleCount());
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                // holds the interpreter lock for 1.5 s (critical() does not release it)
                Future<Object> busy = pool.submit(() -> conc.invoke("critical", 1_500_000L));
                Together.await("the busy call is in flight", () -> interp.operationsInFlight() == 1);
                long deadline = System.nanoTime() + 1_200_000_000L;
                while (interp.state.pendingReleases.size() < 100 && System.nanoTime() < deadline) {
                    System.gc();
                    Thread.sleep(10);
                }
                assertEquals(100, interp.state.pendingReleases.size(), "the cleaner queued every dropped handle");
                assertFalse(busy.isDone(), "the cleaner's releases were queued while the interpreter was busy");
                Together.get(busy);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(baseline, interp.handleCount(), "queued releases ran at the next operation");
            assertTrue(interp.state.pendingReleases.isEmpty());
        }
    }

    /** Handles that become unreachable when this returns. */
    private static void makeGarbage(Module counter, int n) {
        for (int i = 0; i < n; i++) counter.invoke("Counter");
    }
}
