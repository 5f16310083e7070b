package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.Test;

/**
 * Re-entry and the threads that can reach an interpreter (abi/ABI.md 9.2).
 *
 * <p>libisolex refuses a thread that re-enters an interpreter it is already inside
 * ({@code RuntimeError: interpreter N is already entered by this thread; ...}); the C driver
 * tests that. From Java there is no native path to it: the value API makes no upcalls into
 * Java, so a Java thread is never inside a native call when it starts another one. Java
 * code does run in the middle of an operation, though: converting a {@code List}, {@code Map}
 * or {@code Object[]} argument calls its methods ({@code size}, {@code iterator}, {@code get},
 * {@code entrySet} ...), and those may call into isolex again on the same thread. Such a
 * nested call gets a wire buffer of its own, so the outer call sends exactly what it
 * encoded, and the conversion runs before the call counts as in flight, so closing the
 * interpreter from there (on this thread or another one it waits for) completes, and the
 * call throws {@code ClosedException}, instead of deadlocking. Also tested: the garbage
 * collector's cleaner thread never enters an interpreter (it only queues), and one handle
 * used from many threads at once is safe.
 */
class ReentryTest extends NativeTestBase {

    @Test
    void oneHandleFromManyThreads() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
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
            ExtensionModule counter = interp.importModule("counter");
            ExtensionModule conc = interp.importModule("conc_parallel");
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
    private static void makeGarbage(ExtensionModule counter, int n) {
        for (int i = 0; i < n; i++) counter.invoke("Counter");
    }

    // ------------------------------------------------------------------ Java code run by a conversion

    /** Bounds every test below that hung before the fix, so a regression fails instead. */
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** A list of the ints 0..n-1 whose get(i) first runs {@code reenter.accept(i)}. */
    static List<Object> reentrantList(int n, IntConsumer reenter) {
        return new AbstractList<>() {
            @Override public Object get(int i) {
                reenter.accept(i);
                return (long) i;
            }

            @Override public int size() { return n; }
        };
    }

    /** A map {"k0": 0, ...} whose entry iteration runs {@code reenter.accept(i)} per entry. */
    static Map<Object, Object> reentrantMap(int n, IntConsumer reenter) {
        return new AbstractMap<>() {
            @Override public Set<Entry<Object, Object>> entrySet() {
                return new AbstractSet<>() {
                    @Override public int size() { return n; }

                    @Override public Iterator<Entry<Object, Object>> iterator() {
                        return new Iterator<>() {
                            int i;

                            @Override public boolean hasNext() { return i < n; }

                            @Override public Entry<Object, Object> next() {
                                reenter.accept(i);
                                Entry<Object, Object> e = new SimpleImmutableEntry<>("k" + i, (long) i);
                                i++;
                                return e;
                            }
                        };
                    }
                };
            }
        };
    }

    @Test
    void aListThatCallsTheSameInterpreterWhileConvertedRunsTheRightFunction() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule probe = interp.importModule("probe");
            List<Object> list = reentrantList(3, i -> probe.invoke("alloc", 4096L));
            assertEquals(List.of(0L, 1L, 2L), probe.invoke("echo", list));
            assertEquals(List.of(List.of(0L, 1L, 2L), "tail"), probe.invoke("echo", (Object) new Object[] {list, "tail"}));
            assertEquals(6L, probe.invoke("alloc_count"), "every nested call ran once, on its own buffer");
        }
    }

    @Test
    void aMapThatCallsAnotherInterpreterWhileConvertedRunsTheRightFunction() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule probeA = a.importModule("probe");
            ExtensionModule probeB = b.importModule("probe");
            Map<Object, Object> map = reentrantMap(2, i -> assertEquals("x" + i, probeB.invoke("echo", "x" + i)));
            assertEquals(Map.of("k0", 0L, "k1", 1L), probeA.invoke("echo", map));
            // nested three deep: a list converted for a, whose items call b with a list calling a
            List<Object> inner = reentrantList(2, i -> probeA.invoke("alloc", 16L));
            List<Object> outer = reentrantList(2, i -> assertEquals(List.of(0L, 1L), probeB.invoke("echo", inner)));
            assertEquals(List.of(0L, 1L), probeA.invoke("echo", outer));
            assertEquals(4L, probeA.invoke("alloc_count"));
        }
    }

    @Test
    void aListPutIntoAQueueThatCallsAnInterpreterWhileConvertedIsQueuedExactly() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter(); SharedQueue q = Host.newQueue()) {
            ExtensionModule probe = interp.importModule("probe");
            List<Object> list = reentrantList(3, i -> probe.invoke("echo", List.of("nested", i)));
            q.put(list);
            assertEquals(List.of(0L, 1L, 2L), q.take());
            // and the other way round: a call argument whose conversion puts into a queue
            List<Object> putting = reentrantList(2, i -> assertTrue(q.offer(new Object[] {"item", (long) i})));
            assertEquals(List.of(0L, 1L), probe.invoke("echo", putting));
            assertEquals(List.of("item", 0L), q.take());
            assertEquals(List.of("item", 1L), q.take());
        }
    }

    @Test
    void closingTheInterpreterFromInsideTheConversionOfItsCallClosesItAndTheCallThrowsClosed() {
        // an untracked host: if close deadlocks again, teardown must fail, not hang too
        Host host = Host.builder().modulePath(EXTENSIONS, TEST_EXT).build();
        assertTimeoutPreemptively(BOUND, () -> {
            Interpreter interp = host.newInterpreter();
            ExtensionModule probe = interp.importModule("probe");
            List<Object> closing = reentrantList(1, i -> interp.close());
            assertThrowsMessage(ClosedException.class, "interpreter " + interp.id() + " is closed",
                    () -> probe.invoke("echo", closing));
            assertTrue(interp.isClosed());
            // from the conversion of a call on another interpreter, the same
            Interpreter second = host.newInterpreter();
            try (Interpreter other = host.newInterpreter()) {
                ExtensionModule otherProbe = other.importModule("probe");
                assertEquals(List.of(0L), otherProbe.invoke("echo", reentrantList(1, i -> second.close())));
                assertTrue(second.isClosed());
                assertEquals("still usable", otherProbe.invoke("echo", "still usable"));
            }
            host.close();
        });
    }

    @Test
    void hostCloseFromInsideAConversionClosesEverything() {
        Host host = Host.builder().modulePath(EXTENSIONS, TEST_EXT).build();
        assertTimeoutPreemptively(BOUND, () -> {
            Interpreter interp = host.newInterpreter();
            Interpreter bystander = host.newInterpreter();
            ExtensionModule probe = interp.importModule("probe");
            assertThrowsMessage(ClosedException.class, "interpreter " + interp.id() + " is closed",
                    () -> probe.invoke("echo", reentrantList(1, i -> host.close())));
            assertTrue(interp.isClosed());
            assertTrue(bystander.isClosed());
            Thread other = new Thread(host::close, "closer"); // idempotent, from any thread
            other.start();
            other.join();
        });
    }

    @Test
    void aConversionThatWaitsForAnotherThreadClosingTheInterpreterDoesNotDeadlock() {
        Host host = Host.builder().modulePath(EXTENSIONS, TEST_EXT).build();
        assertTimeoutPreemptively(BOUND, () -> {
            Interpreter interp = host.newInterpreter();
            ExtensionModule probe = interp.importModule("probe");
            List<Object> joining = reentrantList(1, i -> {
                Thread closer = new Thread(interp::close, "closer");
                closer.start();
                try {
                    closer.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertThrowsMessage(ClosedException.class, "interpreter " + interp.id() + " is closed",
                    () -> probe.invoke("echo", joining));
            assertTrue(interp.isClosed());
            host.close();
        });
    }
}
