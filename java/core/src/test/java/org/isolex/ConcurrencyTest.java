package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Interpreters run in parallel; calls into one take turns; close waits for calls in flight. */
class ConcurrencyTest extends NativeTestBase {

    @SuppressWarnings("try") // closes a resource of its try-with-resources early, on purpose
    @Test
    void interpretersRunInParallelThreads() throws Exception {
        try (Host host = newHost()) {
            List<Interpreter> interps = new ArrayList<>();
            for (int i = 0; i < 4; i++) interps.add(host.newInterpreter());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> results = new ArrayList<>();
                for (Interpreter interp : interps) {
                    results.add(pool.submit(() -> {
                        ExtensionModule counter = interp.importModule("counter");
                        long last = 0;
                        try (Handle c = (Handle) counter.invoke("Counter")) {
                            for (int k = 0; k < 2000; k++) last = (Long) c.invoke("increment");
                        }
                        assertEquals(2000L, counter.invoke("increments"));
                        return (Long) interp.importModule("fact").invoke("factorial_digits", 3000L) + last;
                    }));
                }
                for (Future<Long> f : results) assertEquals(9131L + 2000L, f.get(60, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            host.close();
        }
    }

    @Test
    void threadsSharingOneInterpreterTakeTurns() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            Handle c = (Handle) counter.invoke("Counter");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    fs.add(pool.submit(() -> {
                        for (int k = 0; k < 1000; k++) c.invoke("increment");
                    }));
                }
                for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(4000L, c.getAttr("value"));
            c.close();
        }
    }

    @Test
    void closeWaitsForCallsInFlight() throws Exception {
        try (Host host = newHost()) {
            Interpreter interp = host.newInterpreter();
            ExtensionModule fact = interp.importModule("fact");
            CountDownLatch started = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Object> call = pool.submit(() -> {
                    started.countDown();
                    return fact.invoke("factorial_digits", 40000L);
                });
                started.await();
                Thread.sleep(20);
                interp.close();  // waits for the call if it is in flight
                Object result;
                try {
                    result = call.get(60, TimeUnit.SECONDS);
                    assertEquals(166714L, result);
                } catch (java.util.concurrent.ExecutionException e) {
                    // the call may also have started after close: then it was refused cleanly
                    assertTrue(e.getCause() instanceof ClosedException, e.getCause().toString());
                }
                assertThrows(ClosedException.class, () -> fact.invoke("digits", 1L));
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
