package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * {@link Handle#close()} racing calls on the same handle (Handle's javadoc, "Closing while
 * other threads use it"): a call either runs with the handle alive or throws
 * {@link ClosedException}; it never reaches native code with a released handle id (which
 * libisolex answers with {@code ValueError: invalid handle}).
 */
class HandleRaceTest extends NativeTestBase {
    static final int CALLERS = 7;
    static final int ROUNDS = 300;
    /** Calls made in a round, across the callers, before the closer closes the handle. */
    static final long CALLS_BEFORE_CLOSE = 350;

    @Test
    void closeRacingCallsOnSevenThreadsOnlyEverThrowsClosedException() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            AtomicReference<Handle> current = new AtomicReference<>();
            AtomicLong calls = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            Map<String, AtomicLong> wrong = new ConcurrentHashMap<>();
            // the closer and the callers meet twice a round: a new handle is ready; it is closed
            CyclicBarrier ready = new CyclicBarrier(CALLERS + 1);
            CyclicBarrier done = new CyclicBarrier(CALLERS + 1);
            List<Long> perCaller = Together.run(CALLERS + 1, i -> () -> {
                long mine = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    if (i == CALLERS) {
                        current.set((Handle) counter.invoke("Counter"));
                        long start = calls.get();
                        ready.await(Together.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        while (calls.get() - start < CALLS_BEFORE_CLOSE) Thread.onSpinWait();
                        current.get().close();
                    } else {
                        ready.await(Together.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        Handle c = current.get();
                        while (true) {
                            try {
                                c.invoke("increment");
                                calls.incrementAndGet();
                                mine++;
                            } catch (ClosedException e) {
                                assertEquals("handle to counter.Counter is closed", e.getMessage());
                                refused.incrementAndGet();
                                break;
                            } catch (RuntimeException e) {
                                // counted, and the round goes on: the barriers keep every thread in step
                                wrong.computeIfAbsent(e.toString().replaceAll("[0-9]+", "N"), k -> new AtomicLong()).incrementAndGet();
                                break;
                            }
                        }
                    }
                    done.await(Together.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                return mine;
            });
            long total = perCaller.stream().mapToLong(Long::longValue).sum();
            System.out.println("handle close racing " + CALLERS + " callers: " + ROUNDS + " rounds, " + total
                    + " calls completed, " + refused.get() + " refused with ClosedException, other exceptions: " + wrong);
            assertEquals(Map.of(), wrong, "a call that lost the race to close threw something else than ClosedException");
            assertEquals(ROUNDS * (long) CALLERS, refused.get(), "every caller ends each round with ClosedException");
            assertTrue(total >= ROUNDS * CALLS_BEFORE_CLOSE);
            // every handle was released once: only the module's is left
            assertEquals(1, interp.handleCount());
            // and the interpreter is as usable as before
            try (Handle c = (Handle) counter.invoke("Counter")) {
                assertEquals(1L, c.invoke("increment"));
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            fail(e);
        }
    }
}
