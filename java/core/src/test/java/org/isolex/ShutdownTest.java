package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Closing while other threads call (see Interpreter's javadoc, "Closing while other threads
 * call"): close refuses every operation from the moment it begins, waits for the operations
 * already in flight, which complete normally, and cannot be starved by new calls.
 * Host.close closes all its interpreters, even when one close throws.
 */
class ShutdownTest extends NativeTestBase {
    static final long LONG_N = 60_000;
    static final long LONG_DIGITS = 260_635;  // decimal digits of 60000!

    @Test
    void hostCloseWaitsForCallsInFlightAndRefusesNewOnes() throws Exception {
        Host host = newHost();
        Interpreter a = host.newInterpreter();
        Interpreter b = host.newInterpreter();
        ExtensionModule[] fact = {a.importModule("fact"), b.importModule("fact")};
        assertEquals(LONG_DIGITS, fact[0].invoke("digits", LONG_N));
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            // four long calls, two per interpreter (the second of each waits for the native lock)
            List<Future<Object>> calls = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                ExtensionModule f = fact[t % 2];
                calls.add(pool.submit(() -> f.invoke("factorial_digits", LONG_N)));
            }
            Together.await("all four calls are in flight",
                    () -> a.operationsInFlight() == 2 && b.operationsInFlight() == 2);

            Future<?> closing = pool.submit(host::close);
            Together.await("close has begun", () -> a.isClosing() && b.isClosing());

            // refused at once, while close is still waiting for the calls in flight
            assertThrowsMessage(ClosedException.class, "interpreter " + a.id() + " is closed",
                    () -> fact[0].invoke("digits", 5L));
            assertThrowsMessage(ClosedException.class, "interpreter " + b.id() + " is closed",
                    () -> fact[1].invoke("factorial_digits", 5L));
            assertThrowsMessage(ClosedException.class, "interpreter " + a.id() + " is closed",
                    () -> a.importModule("counter"));
            assertThrowsMessage(ClosedException.class, "interpreter " + b.id() + " is closed", b::liveBytes);
            assertThrowsMessage(ClosedException.class, "host is closed; build a new one with Host.builder()",
                    host::newInterpreter);
            // (the calls in flight still have about two factorials of 60000 to go)
            assertFalse(closing.isDone(), "close returned while calls were in flight");

            Together.get(closing);
            // close waited: the interpreters were not freed under the calls, which all completed
            for (Future<Object> f : calls) assertEquals(LONG_DIGITS, Together.get(f), "a call in flight completes");
            assertTrue(a.isClosed() && b.isClosed());
            assertEquals(List.of(), host.interpreters());
            assertEquals(0, Host.liveInterpreters());
            assertThrowsMessage(ClosedException.class, "interpreter " + a.id() + " is closed",
                    () -> fact[0].invoke("digits", 5L));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLongCallInOneInterpreterDoesNotBlockAnother() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule factA = a.importModule("fact");
            ExtensionModule factB = b.importModule("fact");
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Object> slow = pool.submit(() -> factA.invoke("factorial_digits", LONG_N));
                Together.await("the long call is in flight", () -> a.operationsInFlight() == 1);
                Thread.sleep(20);  // let it get into the native code
                assertEquals(5736L, factB.invoke("factorial_digits", 2000L));
                try (Handle c = (Handle) b.importModule("counter").invoke("Counter")) {
                    assertEquals(1L, c.invoke("increment"));
                }
                assertFalse(slow.isDone(), "interpreter b's calls waited for interpreter a's long call");
                assertEquals(LONG_DIGITS, Together.get(slow));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closeIsNotStarvedByAStreamOfCalls() throws Exception {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule counter = interp.importModule("counter");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<Long>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Handle c = (Handle) counter.invoke("Counter");
                workers.add(pool.submit(() -> {
                    // calls back to back, overlapping with the other threads', until refused
                    long done = 0;
                    try {
                        while (true) {
                            assertEquals(done + 1, c.invoke("increment"));
                            done++;
                        }
                    } catch (ClosedException expected) {
                        assertEquals("interpreter " + interp.id() + " is closed", expected.getMessage());
                        return done;
                    }
                }));
            }
            Together.await("every worker has made calls", () -> interp.operationsInFlight() > 0);
            Thread.sleep(200);
            long t0 = System.nanoTime();
            Future<?> close = pool.submit(interp::close);
            Together.get(close);  // fails with a thread dump if close never gets the lock
            long closeMs = (System.nanoTime() - t0) / 1_000_000;
            long total = 0;
            for (Future<Long> w : workers) total += Together.get(w);
            System.out.println("close under a stream of calls from " + threads + " threads: " + closeMs + " ms ("
                    + total + " calls before it)");
            assertTrue(total > 0);
            assertTrue(interp.isClosed());
        } finally {
            pool.shutdownNow();
        }
        host.close();
    }

    @Test
    void hostCloseClosesEveryInterpreterEvenWhenOneThrows() {
        Host host = newHost();
        Interpreter a = host.newInterpreter();
        Interpreter leaky1 = host.newInterpreter();
        Interpreter c = host.newInterpreter();
        Interpreter leaky2 = host.newInterpreter();
        a.importModule("counter").invoke("created");
        leaky1.importModule("leaky").invoke("leak_block", 10L);
        c.importModule("fact").invoke("digits", 10L);
        leaky2.importModule("leaky").invoke("leak_list");
        LeakException e = assertThrows(LeakException.class, host::close);
        assertEquals(leaky1.id(), e.report().interpreterId());
        assertEquals(1, e.getSuppressed().length);
        LeakException second = assertInstanceOf(LeakException.class, e.getSuppressed()[0]);
        assertEquals(leaky2.id(), second.report().interpreterId());
        assertTrue(a.isClosed() && leaky1.isClosed() && c.isClosed() && leaky2.isClosed());
        assertEquals(List.of(), host.interpreters());
        assertEquals(0, Host.liveInterpreters());
        assertEquals(0, Host.liveNativeBytes());
        host.close();  // idempotent, and nothing left to throw
    }
}
