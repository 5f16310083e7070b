package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * In-process interrupts and deadlines (ABI 1.3, abi/ABI.md 6.10-6.16, 12.80-12.84): a long
 * fact.factorial_digits, which polls Ix_CheckInterrupt, stops when its Java thread is
 * interrupted or its deadline passes (a Deadline, or the interpreter's call timeout), in two
 * interpreters at once; the thread stays interrupted; the interpreters work after. A thread
 * waiting for the interpreter lock is interrupted once it runs, and the call holding the
 * lock is not. The rule breakers of test-ext interrupts, plain and debug.
 */
@InProcessOnly("in-process interrupts; in a worker a deadline or an interrupt kills the worker (ABI.md 13.13, WorkerCrashTest)")
class InterruptTest extends NativeTestBase {
    /** Seconds of work uninterrupted; fact polls every ~100 us of it. */
    private static final long LONG_N = 2_000_000L;
    private static final String INTERRUPTED = "the call was interrupted";
    private static final String TIMED_OUT = "the call's deadline has passed";

    /** What a call on its own thread ended with: its result or error, and the thread's interrupt status. */
    private record Outcome(Object result, NativeError error, boolean stillInterrupted) {}

    /** factorial_digits(n) on a thread of its own, within a Deadline of {@code timeout} (null: none). */
    private static Thread start(Interpreter interp, long n, Duration timeout, CompletableFuture<Outcome> out) {
        Thread t = new Thread(() -> {
            try (Deadline d = timeout == null ? null : Deadline.after(timeout)) {
                Object r = interp.importModule("fact").invoke("factorial_digits", n);
                out.complete(new Outcome(r, null, Thread.currentThread().isInterrupted()));
            } catch (NativeError e) {
                out.complete(new Outcome(null, e, Thread.currentThread().isInterrupted()));
            } catch (Throwable e) {
                out.completeExceptionally(e);
            }
        });
        t.start();
        return t;
    }

    private static Outcome get(CompletableFuture<Outcome> f) throws Exception {
        return f.get(Together.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static void awaitInFlight(Interpreter interp, int n) throws InterruptedException {
        while (interp.operationsInFlight() < n) Thread.sleep(1);
    }

    private static void assertStopped(Outcome o, String type, String message, boolean interrupted) {
        assertEquals(null, o.result());
        assertEquals(type, o.error().typeName());
        assertEquals(message, o.error().nativeMessage());
        assertEquals(null, o.error().getCause());
        assertEquals(interrupted, o.stillInterrupted(), "the thread's interrupt status is left as it was");
    }

    @Test
    void threadInterruptStopsALongFactorialInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<CompletableFuture<Outcome>> outs = List.of(new CompletableFuture<>(), new CompletableFuture<>());
            List<Thread> threads = List.of(start(a, LONG_N, null, outs.get(0)),
                    start(b, LONG_N, null, outs.get(1)));
            awaitInFlight(a, 1);
            awaitInFlight(b, 1);
            for (Thread t : threads) t.interrupt();
            for (CompletableFuture<Outcome> o : outs) assertStopped(get(o), "InterruptedError", INTERRUPTED, true);
            for (Interpreter i : List.of(a, b)) assertEquals(2568L, i.importModule("fact").invoke("factorial_digits", 1000L));
        }
    }

    @Test
    void aPassedDeadlineStopsALongFactorialInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<CompletableFuture<Outcome>> outs = List.of(new CompletableFuture<>(), new CompletableFuture<>());
            start(a, LONG_N, Duration.ofMillis(50), outs.get(0));
            start(b, LONG_N, Duration.ofMillis(50), outs.get(1));
            for (CompletableFuture<Outcome> o : outs) assertStopped(get(o), "TimeoutError", TIMED_OUT, false);
            // a later call without a deadline is not hit by the old request
            CompletableFuture<Outcome> after = new CompletableFuture<>();
            start(a, 1000, null, after);
            assertEquals(new Outcome(2568L, null, false), get(after));
        }
    }

    @Test
    void theInterpretersCallTimeoutStopsALongFactorialInProcess() throws Exception {
        try (Host host = newHost();
             Interpreter a = host.interpreterBuilder().callTimeout(Duration.ofMillis(50)).build()) {
            CompletableFuture<Outcome> out = new CompletableFuture<>();
            start(a, LONG_N, null, out);
            assertStopped(get(out), "TimeoutError", TIMED_OUT, false);
            assertEquals(2568L, a.importModule("fact").invoke("factorial_digits", 1000L), "each call has its own deadline");
        }
    }

    @Test
    void aThreadWaitingForTheLockIsInterruptedOnceItRunsAndTheHolderIsNot() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            a.importModule("fact");
            CompletableFuture<Outcome> holder = new CompletableFuture<>(), waiter = new CompletableFuture<>();
            start(a, 40_000, null, holder);
            awaitInFlight(a, 1);
            Thread w = start(a, LONG_N, null, waiter);
            awaitInFlight(a, 2);
            w.interrupt();
            assertEquals(new Outcome(166714L, null, false), get(holder));
            assertStopped(get(waiter), "InterruptedError", INTERRUPTED, true);
        }
    }

    @Test
    void interruptingTheCallACloseWaitsForLetsTheCloseComplete() throws Exception {
        try (Host host = newHost()) {
            Interpreter a = host.newInterpreter();
            a.importModule("fact");
            CompletableFuture<Outcome> out = new CompletableFuture<>();
            Thread t = start(a, LONG_N, null, out);
            awaitInFlight(a, 1);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(a::close);
            while (!a.isClosing()) Thread.sleep(1); // close began: it waits for the call
            t.interrupt(); // the watcher raises inside the close gate, which is still open for it
            assertStopped(get(out), "InterruptedError", INTERRUPTED, true);
            closed.get(Together.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            try (Interpreter b = host.newInterpreter()) {
                assertEquals(2568L, b.importModule("fact").invoke("factorial_digits", 1000L));
            }
        }
    }

    @Test
    void aCallThatDoesNotPollRunsToItsEndAndTheStatusStays() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ExtensionModule fact = a.importModule("fact");
            Thread.currentThread().interrupt();
            try {
                assertEquals(7L, fact.invoke("digits", 10L));
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
        }
    }

    /** Runs body with this thread interrupted (the watcher raises the request), then clears the status. */
    private static void interrupted(Runnable body) {
        Thread.currentThread().interrupt();
        try {
            body.run();
        } finally {
            assertTrue(Thread.interrupted(), "the status is left set");
        }
    }

    private static void ruleBreakers(Interpreter interp) {
        ExtensionModule m = interp.importModule("interrupts");
        assertEquals(0L, m.invoke("poll"));
        interrupted(() -> assertNativeError("InterruptedError", INTERRUPTED, () -> m.invoke("spin")));
        interrupted(() -> assertNativeError("SystemError", "interrupts.ignore() returned a result with an error set",
                () -> m.invoke("ignore"), "InterruptedError: " + INTERRUPTED));
        interrupted(() -> assertEquals(4L, m.invoke("swallow"), "every later poll of the call fails too"));
        assertEquals(100L, m.invoke("spin", 100L));
    }

    @Test
    void theRuleBreakersOfTestExtInterruptsPlainAndDebugInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Host debug = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
             Interpreter a = host.newInterpreter(); Interpreter b = debug.newInterpreter()) {
            Together.run(2, i -> () -> {
                ruleBreakers(i == 0 ? a : b);
                return null;
            });
        }
    }

    @Test
    void aPollInADeallocIsRecordedNotRaised() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<UnraisableError>> seen = Together.run(2, i -> () -> {
                Interpreter interp = i == 0 ? a : b;
                ExtensionModule m = interp.importModule("interrupts"); // before: its exec polls too
                interrupted(() -> m.invoke("spin_then_dealloc"));
                return interp.unraisableErrors();
            });
            List<UnraisableError> want = new ArrayList<>(List.of(new UnraisableError(1, "tp_dealloc of interrupts.Poller",
                    "InterruptedError", INTERRUPTED)));
            assertEquals(want, seen.get(0));
            assertEquals(want, seen.get(1));
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }
}
