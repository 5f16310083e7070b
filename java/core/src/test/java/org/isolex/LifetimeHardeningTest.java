package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lifetimes without close: the garbage collector's safety net for dropped interpreters (and
 * hosts), a close bounded in time or ended by an interrupt while a call never returns, and an
 * {@link InterpreterPool} closed from one of its own tasks.
 */
class LifetimeHardeningTest extends NativeTestBase {
    static final int DROPPED = 100;

    /** The warnings dropped interpreters log, asserted here instead of printed (CapturedWarnings). */
    private CapturedWarnings warnings;

    @BeforeEach
    void captureWarnings() {
        warnings = new CapturedWarnings();
    }

    @AfterEach
    void stopCapturing() {
        warnings.close();
    }

    private List<String> warningTexts() {
        return warnings.texts();
    }

    /** Collects garbage until no interpreter is left in the process (bounded). */
    private static void collectUntilNoInterpreterIsLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Together.TIMEOUT_SECONDS);
        while (Host.liveInterpreters() != 0) {
            if (System.nanoTime() > deadline) {
                fail(Host.liveInterpreters() + " dropped interpreter(s) still open after "
                        + Together.TIMEOUT_SECONDS + " s of garbage collection");
            }
            System.gc();
            Thread.sleep(20);
        }
    }

    /** Makes interpreters with a module and a handle each, and drops them all. */
    private static void dropInterpreters(Host host, int n) {
        for (int i = 0; i < n; i++) {
            Interpreter interp = host.newInterpreter();
            Handle c = (Handle) interp.importModule("counter").invoke("Counter");
            c.invoke("increment");
        }
    }

    @Test
    void interpretersDroppedWhileTheirHostLivesAreClosedByTheGarbageCollector() throws Exception {
        Host host = newHost();
        try (Interpreter kept = host.newInterpreter()) {
            kept.importModule("fact");
            long before = Host.liveNativeBytes();
            dropInterpreters(host, DROPPED);
            assertEquals(DROPPED + 1, Host.liveInterpreters());
            System.out.println(DROPPED + " dropped interpreters hold " + (Host.liveNativeBytes() - before)
                    + " native bytes until the garbage collector closes them");
        }
        collectUntilNoInterpreterIsLeft();
        assertEquals(0, Host.liveNativeBytes());
        assertEquals(List.of(), host.interpreters());
        String site = "It was created at " + LifetimeHardeningTest.class.getName()
                + ".dropInterpreters(LifetimeHardeningTest.java:";
        List<String> texts = warningTexts();
        assertEquals(DROPPED, texts.size(), () -> "one warning per dropped interpreter: " + texts);
        for (String w : texts) {
            assertTrue(w.matches("interpreter \\d+ was garbage collected without being closed; closing it now \\(close"
                    + " interpreters, or their host, when done with them\\)\\. It was created at .*"), w);
            assertTrue(w.contains(site), w);
            assertTrue(w.endsWith(") on thread " + Thread.currentThread().getName()), w);
        }
        // the host is as usable as before
        try (Interpreter again = host.newInterpreter()) {
            assertEquals(1L, ((Handle) again.importModule("counter").invoke("Counter")).invoke("increment"));
        }
    }

    @Test
    void aDroppedHostWithItsInterpretersIsFreedAndALeakIsLogged() throws Exception {
        dropHost();
        collectUntilNoInterpreterIsLeft();
        assertEquals(0, Host.liveNativeBytes());
        List<String> texts = warningTexts();
        assertEquals(4, texts.size(), () -> "3 interpreters not closed and 1 leak report: " + texts);
        assertEquals(3, texts.stream().filter(t -> t.contains("was garbage collected without being closed")
                && t.contains(".dropHost(LifetimeHardeningTest.java:")).count(), texts::toString);
        // the policy is THROW, but there is nobody to throw to
        assertEquals(1, texts.stream().filter(t -> t.matches("(?s)interpreter \\d+ leaked native memory \\(freed at"
                + " close\\):\n.*")).count(), texts::toString);
    }

    /** A host the test does not track (so nothing holds it), with three interpreters, one leaky. */
    private static void dropHost() {
        Host host = Host.builder().modulePath(EXTENSIONS, TEST_EXT).build();
        host.newInterpreter().importModule("fact").invoke("digits", 100L);
        host.newInterpreter().importModule("leaky").invoke("leak_block", 10L);
        host.newInterpreter();
        assertEquals(3, host.interpreters().size());
    }

    // ------------------------------------------------------------------ a call that never returns (until released)

    /** An interpreter with a call blocked in channels.get on an empty queue, until the test puts an item. */
    private static final class Blocked implements AutoCloseable {
        final Host host;
        final Interpreter interp;
        final long id;
        final SharedQueue queue = Host.newQueue();
        final ExecutorService pool = Executors.newCachedThreadPool();
        final Future<Object> call;

        Blocked(Host host) throws InterruptedException {
            this.host = host;
            interp = host.newInterpreter();
            id = interp.id();
            ExtensionModule channels = interp.importModule("channels");
            call = pool.submit(() -> channels.invoke("get", queue));
            Together.await("the call is in flight", () -> interp.operationsInFlight() == 1);
        }

        /** Lets the call return (with 7). */
        Object release() throws Exception {
            queue.put(7L);
            return Together.get(call);
        }

        @Override
        public void close() {
            pool.shutdownNow();
            queue.close();
        }
    }

    @Test
    void aBoundedCloseGivesUpWhileACallRunsAndCanBeRetried() throws Exception {
        try (Blocked b = new Blocked(newHost())) {
            Interpreter interp = b.interp;
            String inFlight = "interpreter " + b.id + " did not close within 100 ms: 1 call still in flight"
                    + " (new calls are refused; close it again to finish)";
            assertThrowsMessage(CloseIncompleteException.class, inFlight, () -> interp.closeWithin(Duration.ofMillis(100)));
            assertThrowsMessage(CloseIncompleteException.class, inFlight.replace("100 ms", "0 ms"),
                    () -> interp.closeWithin(Duration.ZERO));
            // closing: new calls refused, nothing freed, the call in flight untouched
            assertTrue(interp.isClosing());
            assertFalse(interp.isClosed());
            assertThrowsMessage(ClosedException.class, "interpreter " + b.id + " is closed", interp::liveBytes);
            assertEquals(List.of(interp), b.host.interpreters());

            assertEquals(7L, b.release(), "the call in flight completes normally");
            interp.closeWithin(Duration.ofSeconds(Together.TIMEOUT_SECONDS));
            assertTrue(interp.isClosed());
            interp.closeWithin(Duration.ZERO); // idempotent
            assertThrows(NullPointerException.class, () -> interp.closeWithin(null));
            assertThrowsMessage(IllegalArgumentException.class, "timeout must not be negative: PT-1S",
                    () -> interp.closeWithin(Duration.ofSeconds(-1)));
        }
    }

    @Test
    void aPlainCloseWaitingForACallHonoursInterrupts() throws Exception {
        try (Blocked b = new Blocked(newHost())) {
            Interpreter interp = b.interp;
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            Thread[] closer = new Thread[1];
            Future<CloseIncompleteException> closing = b.pool.submit(() -> {
                closer[0] = Thread.currentThread();
                try {
                    interp.close();
                    return null;
                } catch (CloseIncompleteException e) {
                    interruptedAfter.set(Thread.interrupted());
                    return e;
                }
            });
            Together.await("close has begun", interp::isClosing);
            // a second close, bounded, gives up waiting for the first
            assertThrowsMessage(CloseIncompleteException.class, "interpreter " + b.id
                    + " did not close within 50 ms: another thread's close of it is still running",
                    () -> interp.closeWithin(Duration.ofMillis(50)));
            assertFalse(closing.isDone());
            closer[0].interrupt();
            CloseIncompleteException e = Together.get(closing);
            assertEquals("close of interpreter " + b.id + " was interrupted: 1 call still in flight"
                    + " (new calls are refused; close it again to finish)", e.getMessage());
            assertInstanceOf(InterruptedException.class, e.getCause());
            assertTrue(interruptedAfter.get(), "the interrupt status is set again");
            assertTrue(interp.isClosing() && !interp.isClosed());

            assertEquals(7L, b.release());
            // an interrupted thread closes an interpreter that has nothing to wait for
            Thread.currentThread().interrupt();
            try {
                interp.close();
            } finally {
                assertTrue(Thread.interrupted(), "close keeps the interrupt status");
            }
            assertTrue(interp.isClosed());
        }
    }

    @Test
    void aBoundedHostCloseClosesWhatItCanAndReportsTheRest() throws Exception {
        Host host = newHost();
        Interpreter free = host.newInterpreter();
        free.importModule("fact");
        try (Blocked b = new Blocked(host)) {
            CloseIncompleteException e = assertThrows(CloseIncompleteException.class,
                    () -> host.closeWithin(Duration.ofMillis(100)));
            assertEquals("interpreter " + b.interp.id() + " did not close within 100 ms: 1 call still in flight"
                    + " (new calls are refused; close it again to finish)", e.getMessage());
            assertTrue(free.isClosed());
            assertEquals(List.of(b.interp), host.interpreters());
            assertEquals(7L, b.release());
            host.close();
            assertTrue(b.interp.isClosed());
            assertEquals(List.of(), host.interpreters());
        }
    }

    // ------------------------------------------------------------------ pools

    @Test
    void poolCloseFromItsOwnTaskIsRefusedAndThePoolCarriesOn() throws Exception {
        Host host = newHost();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(1).imports("fact").build()) {
            Future<String> f = pool.submit(interp -> {
                String thread = Thread.currentThread().getName();
                IllegalStateException e = assertThrows(IllegalStateException.class, pool::close);
                assertEquals("InterpreterPool.close() called from the pool's own task on thread " + thread
                        + " would wait for that task to end: call shutdown() there, or close() from another"
                        + " thread", e.getMessage());
                return thread;
            });
            assertTrue(Together.get(f).startsWith("isolex-pool-"));
            assertFalse(pool.isShutdown());
            Object digits = Together.get(pool.submit(i -> i.importModule("fact").invoke("factorial_digits", 2000L)));
            assertEquals(5736L, digits, "the pool still runs tasks");
        }
    }
}
