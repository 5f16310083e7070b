package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * Issue 14's stress test: 8 threads share 4 worker-process interpreters for a bounded time
 * (8 s), mixing ordinary calls with crashes (SIGSEGV, abort, exit, a loop past a 150 ms
 * deadline). Every call runs under a deadline (nothing can hang); every crash call must end in
 * {@link InterpreterCrashedException} or {@link CallTimeoutException}; a thread that finds its
 * interpreter crashed replaces it; ordinary calls in a live interpreter give exact results.
 * Afterwards: no leak (NativeTestBase), no child process, no new descriptor.
 */
class WorkerStressTest extends NativeTestBase {
    private static final int THREADS = 8, INTERPRETERS = 4;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(8);

    /** One interpreter slot; replaced (under its monitor) when the interpreter in it crashed. */
    private static final class Slot {
        Interpreter interp;
        ExtensionModule crasher, counter;

        synchronized void fill(Host host) {
            interp = host.newInterpreter();
            crasher = interp.importModule("crasher");
            counter = interp.importModule("counter");
        }

        /** Replaces the interpreter if it is still {@code dead}; closing a crashed one is allowed. */
        synchronized void replace(Interpreter dead, Host host) {
            if (interp != dead) return;
            dead.close();
            fill(host);
        }
    }

    @Test
    void eightThreadsFourWorkersRandomCrashes() throws Exception {
        Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).isolation(Isolation.WORKER_PROCESS)
                .callTimeout(Duration.ofSeconds(10)).build());
        try (Interpreter warm = host.newInterpreter()) { // the JVM's own lazily opened descriptors
            warm.importModule("crasher").invoke("ping");
        }
        Set<String> fdsBefore = WorkerCrashTest.fds();
        Slot[] slots = new Slot[INTERPRETERS];
        for (int i = 0; i < INTERPRETERS; i++) {
            slots[i] = new Slot();
            slots[i].fill(host);
        }
        AtomicLong crashes = new AtomicLong(), reported = new AtomicLong(), calls = new AtomicLong();
        long end = System.nanoTime() + RUN_NANOS;
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = 1234 + t;
            done.add(pool.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (System.nanoTime() - end < 0) {
                    Slot slot = slots[random.nextInt(INTERPRETERS)];
                    Interpreter interp;
                    ExtensionModule crasher, counter;
                    synchronized (slot) {
                        interp = slot.interp;
                        crasher = slot.crasher;
                        counter = slot.counter;
                    }
                    int dice = random.nextInt(100);
                    try (Deadline d = Deadline.after(Duration.ofSeconds(5))) { // nothing may hang
                        if (dice < 4) {
                            crashes.incrementAndGet();
                            try {
                                crash(crasher, random.nextInt(4));
                            } catch (InterpreterCrashedException | CallTimeoutException e) {
                                reported.incrementAndGet();
                                throw e;
                            }
                            throw new AssertionError("a crash call returned");
                        }
                        try (Handle c = (Handle) counter.invoke("Counter")) {
                            assertEquals(1L, c.invoke("increment"));
                            assertEquals(2L, c.invoke("increment"));
                        }
                        calls.incrementAndGet();
                    } catch (InterpreterCrashedException | CallTimeoutException e) {
                        slot.replace(interp, host);
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "the threads end (no hang)");
        for (Future<?> f : done) f.get();
        for (Slot s : slots) s.interp.close();
        assertEquals(crashes.get(), reported.get(), "every crash reported");
        assertTrue(crashes.get() > 0 && calls.get() > 0, crashes + " crashes, " + calls + " calls");
        WorkerCrashTest.assertNothingLeft(fdsBefore);
    }

    private static void crash(ExtensionModule crasher, int kind) {
        switch (kind) {
            case 0: crasher.invoke("segfault"); break;
            case 1: crasher.invoke("abort"); break;
            case 2: crasher.invoke("exit_with", 7L); break;
            default:
                try (Deadline d = Deadline.after(Duration.ofMillis(150))) {
                    crasher.invoke("loop");
                }
        }
    }
}
