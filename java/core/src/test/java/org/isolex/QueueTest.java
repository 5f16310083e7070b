package org.isolex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Queues (ABI.md 11) from Java: values, refusals, bounds, timeouts, interrupts, close, and through interpreters. */
class QueueTest extends NativeTestBase {

    static final String SHAREABLE = "values cross between interpreters as null, Boolean,"
            + " Long/Integer/Short/Byte/BigInteger (int), Double/Float (float), String (str), byte[] (bytes), SharedBuffer,"
            + " SharedQueue, or List/Object[] (tuple) of these";
    static final String NATIVE_SHAREABLE = "values cross between interpreters as None, bool, int, float, str,"
            + " bytes, buffer, queue, or tuples of these";

    @Test
    void everyShareableValueRoundTrips() throws InterruptedException {
        try (SharedQueue q = Host.newQueue()) {
            Object[] values = {null, true, false, 0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0.0, 1.5, -0.0,
                    Double.MAX_VALUE, Double.NEGATIVE_INFINITY, "", "plain", "ünïcødé ✓ 日本語 😀 \u0000 inside",
                    List.of(), List.of(1L, "two", 3.0, List.of(List.of(Arrays.asList(true, null)))),
                    Arrays.asList(null, false, List.of())};
            for (Object v : values) q.put(v);
            assertEquals(values.length, q.size());
            for (Object v : values) assertEquals(v, q.take(), () -> "round trip of " + v);
            assertEquals(0, q.size());

            // narrower types widen; Object[] is a tuple too; tuples come back as unmodifiable lists
            q.put(7);
            q.put((short) -7);
            q.put((byte) 7);
            q.put(0.25f);
            q.put(new Object[] {1, "a", new Object[] {2.0f, new Object[0]}});
            assertEquals(7L, q.take());
            assertEquals(-7L, q.take());
            assertEquals(7L, q.take());
            assertEquals(0.25, q.take());
            List<?> tuple = (List<?>) q.take();
            assertEquals(List.of(1L, "a", List.of(2.0, List.of())), tuple);
            @SuppressWarnings("unchecked")
            List<Object> asObjects = (List<Object>) tuple;
            assertThrows(UnsupportedOperationException.class, () -> asObjects.add(1L));

            q.put(Double.NaN);
            assertTrue(Double.isNaN((Double) q.take()));
            byte[] bytes = new byte[256];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
            q.put(bytes);
            q.put(new byte[0]);
            q.put(List.of(bytes, "after"));
            assertArrayEquals(bytes, (byte[]) q.take());
            assertArrayEquals(new byte[0], (byte[]) q.take());
            List<?> withBytes = (List<?>) q.take();
            assertArrayEquals(bytes, (byte[]) withBytes.get(0));
            assertEquals("after", withBytes.get(1));

            // 63 tuples inside one another is the deepest an interpreter can decode
            Object deep = "bottom";
            for (int i = 0; i < 64; i++) deep = List.of(deep);
            q.put(deep);
            Object back = q.take();
            for (int i = 0; i < 64; i++) back = ((List<?>) back).get(0);
            assertEquals("bottom", back);
        }
    }

    @Test
    void valuesLargerThanTheThreadsBufferCrossToo() throws InterruptedException {
        try (SharedQueue q = Host.newQueue()) {
            byte[] big = new byte[3 << 20];
            for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
            String text = "é".repeat(100_000);
            q.put(big);
            q.put(List.of(text, big));
            assertTrue(Host.sharedBytes() > 2 * big.length, "both items are held by the queue");
            assertArrayEquals(big, (byte[]) q.poll().orElseThrow());  // the no-wait path grows too
            List<?> pair = (List<?>) q.take();
            assertEquals(text, pair.get(0));
            assertArrayEquals(big, (byte[]) pair.get(1));
        }
    }

    @Test
    void nonShareableValuesAreRefusedBeforeAnyNativeCall() throws InterruptedException {
        Host host = newHost();
        try (SharedQueue q = Host.newQueue(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule channels = interp.importModule("channels");
            Map<String, Long> map = new HashMap<>();
            map.put("a", 1L);
            assertThrowsMessage(IllegalArgumentException.class, "a java.util.HashMap is not shareable: " + SHAREABLE,
                    () -> q.put(map));
            assertThrowsMessage(IllegalArgumentException.class,
                    "a org.isolex.ExtensionModule is not shareable: " + SHAREABLE,
                    () -> q.offer(channels));
            assertThrowsMessage(IllegalArgumentException.class, "a java.lang.Object is not shareable: " + SHAREABLE,
                    () -> q.offer(List.of(1L, List.of(new Object())), Duration.ofSeconds(1)));
            assertThrowsMessage(IllegalArgumentException.class, "a java.math.BigDecimal is not shareable: " + SHAREABLE,
                    () -> q.put(BigDecimal.ONE));
            assertThrowsMessage(IllegalArgumentException.class, "a java.lang.Character is not shareable: " + SHAREABLE,
                    () -> q.put('c'));
            Object deep = "bottom";
            for (int i = 0; i < 65; i++) deep = List.of(deep);
            Object tooDeep = deep;
            assertThrowsMessage(IllegalArgumentException.class,
                    "value nested deeper than 64 levels, the isolex host's limit (does it contain itself?)",
                    () -> q.put(tooDeep));
            List<Object> self = new ArrayList<>();
            self.add(self);
            assertThrows(IllegalArgumentException.class, () -> q.put(self));
            assertThrows(IllegalArgumentException.class, () -> q.put("unpaired \ud800 surrogate"));
            assertEquals(0, q.size(), "nothing was queued");
            // the same refusals natively, from inside an interpreter (ABI.md 11.3)
            assertNativeError("TypeError", "a dict is not shareable: " + NATIVE_SHAREABLE,
                    () -> channels.invoke("put", q, map));
            assertNativeError("TypeError", "a list is not shareable: " + NATIVE_SHAREABLE,
                    () -> channels.invoke("put", q, new Object[] {1L, List.of(2L)}));
            assertNativeError("TypeError", "a module is not shareable: " + NATIVE_SHAREABLE,
                    () -> channels.invoke("put", q, channels));
            assertEquals(0, q.size(), "nothing was queued");
        }
    }

    @Test
    void boundedQueueOffersFailWhenFullAndTimeoutsLastAtLeastAsLong() throws InterruptedException {
        assertThrowsMessage(IllegalArgumentException.class,
                "queue capacity must be >= 1 (newQueue() makes an unbounded one): 0", () -> Host.newQueue(0));
        try (SharedQueue q = Host.newQueue(2)) {
            assertTrue(q.offer(1L));
            assertTrue(q.offer(2L, Duration.ofSeconds(5)));
            assertFalse(q.offer(3L));
            long t0 = System.nanoTime();
            assertFalse(q.offer(3L, Duration.ofMillis(250)));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(250), "offer waited only " + waited + " ns");
            assertFalse(q.offer(3L, Duration.ZERO));
            assertEquals(2, q.size());

            assertEquals(Optional.of(1L), q.poll());
            assertEquals(Optional.of(2L), q.poll(Duration.ofSeconds(5)));
            assertEquals(Optional.empty(), q.poll());
            t0 = System.nanoTime();
            assertEquals(Optional.empty(), q.poll(Duration.ofMillis(150)));
            waited = System.nanoTime() - t0;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(150), "poll waited only " + waited + " ns");
            assertThrows(IllegalArgumentException.class, () -> q.poll(Duration.ofMillis(-1)));
        }
    }

    @Test
    void putWaitsForRoomAndTakeForAnItem() throws Exception {
        try (SharedQueue q = Host.newQueue(1)) {
            q.put("first");
            CompletableFuture<Void> putter = CompletableFuture.runAsync(() -> {
                try {
                    q.put("second");  // waits: full
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(150);
            assertFalse(putter.isDone(), "put waits while the queue is full");
            assertEquals("first", q.take());
            putter.get(5, TimeUnit.SECONDS);
            assertEquals("second", q.take());

            CompletableFuture<Object> taker = CompletableFuture.supplyAsync(() -> {
                try {
                    return q.take();  // waits: empty
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(150);
            assertFalse(taker.isDone(), "take waits while the queue is empty");
            q.put(42L);
            assertEquals(42L, taker.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void blockedTakeAndPutEndWithInterruptedException() throws Exception {
        try (SharedQueue q = Host.newQueue(1)) {
            assertInterruptible(q::take);
            q.put("fills it");
            assertInterruptible(() -> q.put("no room"));
            assertInterruptible(() -> q.offer("no room", Duration.ofMinutes(5)));
            assertEquals(1, q.size(), "an interrupted put left nothing behind");
            assertEquals("fills it", q.take());
            assertInterruptible(() -> q.poll(Duration.ofMinutes(5)));
            // an interrupt already pending is seen before waiting
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, q::take);
            assertFalse(Thread.interrupted(), "the interrupt status is cleared");
        }
    }

    interface Blocking {
        void run() throws Exception;
    }

    private static void assertInterruptible(Blocking body) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(150);
        assertTrue(t.isAlive(), "it blocks");
        long t0 = System.nanoTime();
        t.interrupt();
        t.join(5000);
        assertFalse(t.isAlive(), "the interrupt ended the wait");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "promptly");
        assertInstanceOf(InterruptedException.class, thrown.get());
    }

    @Test
    void closingTheQueueObjectEndsItsOwnBlockedWaitsAndLaterUse() throws Exception {
        SharedQueue q = Host.newQueue();
        CompletableFuture<Object> taker = CompletableFuture.supplyAsync(() -> {
            try {
                return q.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(150);
        q.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> taker.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ClosedException.class, e.getCause());
        assertEquals("queue is closed", e.getCause().getMessage());
        assertTrue(q.isClosed());
        q.close();  // idempotent
        assertThrowsMessage(ClosedException.class, "queue is closed", () -> q.put(1L));
        assertThrowsMessage(ClosedException.class, "queue is closed", q::poll);
        assertThrowsMessage(ClosedException.class, "queue is closed", q::size);
        assertEquals("SharedQueue[closed]", q.toString());
        try (SharedQueue other = Host.newQueue()) {
            assertThrowsMessage(ClosedException.class, "queue is closed", () -> other.put(List.of(1L, q)));
            assertEquals(0, other.size());
        }
    }

    /**
     * Close races with puts and polls on four threads, many times: every operation either
     * completes or throws "queue is closed", and the native queue is released exactly once
     * after the last of them (the base class then finds zero shared and live bytes; a
     * release too early would be a use after free, a missed one a leak).
     */
    @Test
    void closeRacingWithOperationsOnManyThreadsReleasesOnceAfterTheLast() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            closeRaces(threads);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void closeRaces(ExecutorService threads) throws Exception {
        for (int round = 0; round < 200; round++) {
            SharedQueue q = Host.newQueue(8);
            List<CompletableFuture<Long>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean putter = t % 2 == 0;
                workers.add(CompletableFuture.supplyAsync(() -> {
                    long done = 0;
                    try {
                        for (;;) {
                            if (putter) q.offer(done);
                            else q.poll();
                            done++;
                        }
                    } catch (ClosedException e) {
                        assertEquals("queue is closed", e.getMessage());
                        return done;
                    }
                }, threads));
            }
            Thread.sleep(round % 3);
            q.close();
            for (CompletableFuture<Long> w : workers) assertTrue(w.get(10, TimeUnit.SECONDS) >= 0);
        }
    }

    @Test
    void queuesAndBuffersCrossByReferenceInsideValues() throws InterruptedException {
        try (SharedQueue q = Host.newQueue(); SharedQueue inner = Host.newQueue();
             SharedBuffer buf = Host.newBuffer(64)) {
            q.put(List.of("pair", inner, buf));
            q.put(inner);
            List<?> item = (List<?>) q.take();
            try (SharedQueue innerBack = (SharedQueue) item.get(1); SharedBuffer bufBack = (SharedBuffer) item.get(2);
                 SharedQueue again = (SharedQueue) q.take()) {
                assertEquals("pair", item.get(0));
                assertEquals(buf.address(), bufBack.address(), "the same bytes");
                assertEquals(64, bufBack.size());
                inner.put("through the original");
                assertEquals("through the original", innerBack.take(), "the same queue");
                again.put("through the second copy");
                assertEquals("through the second copy", inner.take());
            }
            inner.put(buf);
        }
        // every Java reference is closed: the last holder was inner's item, freed with inner
        assertEquals(0, Host.sharedBytes());
    }

    @Test
    void javaToInterpreterToInterpreterToJava() throws Exception {
        Host host = newHost();
        try (SharedQueue first = Host.newQueue(); SharedQueue second = Host.newQueue();
             SharedQueue bounded = Host.newQueue(4);
             Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule chA = a.importModule("channels");
            ExtensionModule chB = b.importModule("channels");
            // (a Java List argument is an interpreter list, which does not cross: Object[] is a tuple)
            List<Object> values = List.of(1L, "ünï 日本", 2.5, new Object[] {true, new Object[0]}, "last");
            chA.invoke("put", first, values.get(0));
            // B pumps from first to second, waiting inside its interpreter (giving up its lock)
            // while A puts. (The first put went well, so the rest will: a pump left waiting for
            // ever would make closing B wait for ever.)
            CompletableFuture<Object> pump = CompletableFuture.supplyAsync(() -> chB.invoke("pump", first, second,
                    (long) values.size() + 1));
            for (Object v : values.subList(1, values.size())) chA.invoke("put", first, v);
            chA.invoke("put", first, new byte[] {1, 2, 3});
            for (Object v : values) {
                assertEquals(v instanceof Object[] ? List.of(true, List.of()) : v, second.take());
            }
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) second.take());
            assertNull(pump.get(5, TimeUnit.SECONDS));

            // and back into an interpreter: Java puts, A gets (with and without waiting)
            second.put(List.of("to A", 7L));               // Java's queue encoder makes a List a tuple
            assertEquals(List.of("to A", 7L), chA.invoke("get", second, 5.0));
            assertEquals(0L, chA.invoke("size", second));
            assertNativeError("QueueEmpty", "queue is empty", () -> chA.invoke("get", second, 0.0));
            assertNativeError("QueueEmpty", "queue is empty", () -> chA.invoke("get", second, 0.05));
            for (int i = 0; i < 4; i++) bounded.put((long) i);
            assertNativeError("QueueFull", "queue is full (capacity 4)", () -> chA.invoke("put", bounded, 4L, 0.0));
            assertNativeError("QueueFull", "queue is full (capacity 4)", () -> chA.invoke("put", bounded, 4L, 0.05));
            assertNativeError("TypeError", "expected queue, got int", () -> chA.invoke("size", 42L));
            try (SharedBuffer buf = Host.newBuffer(1)) {
                assertNativeError("TypeError", "expected queue, got buffer", () -> chA.invoke("get", buf, 0.0));
            }
            assertEquals(4, bounded.size());
        }
    }

    @Test
    void debugInterpretersUseQueuesAndBuffersWithoutViolations() throws InterruptedException {
        Host host = newHost();
        try (SharedQueue q = Host.newQueue(); SharedBuffer buf = Host.newBuffer(1000);
             Interpreter a = host.newInterpreter(true); Interpreter b = host.newInterpreter(true)) {
            ExtensionModule chA = a.importModule("channels");
            ExtensionModule chB = b.importModule("channels");
            chA.invoke("fill", buf, 1L);
            chA.invoke("put", q, new Object[] {"x", buf, q});
            List<?> item = (List<?>) chB.invoke("get", q, 1.0);
            try (SharedBuffer got = (SharedBuffer) item.get(1); SharedQueue self = (SharedQueue) item.get(2)) {
                assertEquals(1000L, chB.invoke("checksum", got));
                self.put("via the copy");
                assertEquals("via the copy", q.take());
            }
            assertNativeError("TypeError", "a dict is not shareable: " + NATIVE_SHAREABLE,
                    () -> chB.invoke("put", q, Map.of("k", 1L)));
        }
        assertEquals(List.of(), Host.debugViolations());
    }

    @Test
    void theReadmeExample() throws InterruptedException {
        Host host = newHost();
        try (SharedQueue jobs = Host.newQueue(64);
             SharedQueue results = Host.newQueue();
             SharedBuffer frame = Host.newBuffer(1 << 20);
             Interpreter a = host.newInterpreter();
             Interpreter b = host.newInterpreter()) {
            ExtensionModule chA = a.importModule("channels"), chB = b.importModule("channels");
            chA.invoke("fill", frame, 7L);
            chA.invoke("put", jobs, new Object[] {"frame", frame});
            chB.invoke("pump", jobs, results, 1L);
            List<?> item = (List<?>) results.take();
            try (SharedBuffer same = (SharedBuffer) item.get(1)) {
                assertEquals(frame.address(), same.address());
                assertEquals(7, same.byteBuffer().get(0));
            }
        } finally {
            awaitNoSharedBytes();  // the view
        }
    }

    @SuppressWarnings("try") // closes a resource of its try-with-resources early, on purpose
    @Test
    void aQueueMadeInAnInterpreterComesBackAsAQueue() throws InterruptedException {
        Host host = newHost();
        try (Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule chA = a.importModule("channels");
            ExtensionModule chB = b.importModule("channels");
            try (SharedQueue q = (SharedQueue) chA.invoke("new_queue", 0L)) {
                q.put("from Java");
                assertEquals("from Java", chB.invoke("get", q, 1.0));
                chB.invoke("put", q, new Object[] {"from B", 2L});
                a.close();  // A's own object for the queue goes; Java's reference keeps it
                assertEquals(List.of("from B", 2L), q.take());
            }
        }
    }

    @Test
    void takeWaitsWithoutHoldingAnyInterpreterLock() throws Exception {
        Host host = newHost();
        try (SharedQueue q = Host.newQueue(); Interpreter a = host.newInterpreter()) {
            ExtensionModule ch = a.importModule("channels");
            CompletableFuture<Object> taker = CompletableFuture.supplyAsync(() -> {
                try {
                    return q.take();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(100);
            assertEquals(0L, ch.invoke("size", q), "the interpreter runs while Java waits on its queue");
            ch.invoke("put", q, "hello");
            assertEquals("hello", taker.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aDroppedQueueIsReleasedByTheGarbageCollector() throws InterruptedException {
        dropQueueWithItems();
        assertTrue(Host.sharedBytes() > 0);
        awaitNoSharedBytes();
    }

    private static void dropQueueWithItems() throws InterruptedException {
        SharedQueue q = Host.newQueue();
        SharedBuffer b = Host.newBuffer(4096);
        q.put(List.of("an item holding a buffer", b));
        b.close();  // the item's reference keeps the bytes
        // q is dropped unclosed
    }

    /** Bounded wait for the Cleaner (the safety net): GC until no shared byte is left. */
    static void awaitNoSharedBytes() throws InterruptedException {
        Gc.until(() -> Host.sharedBytes() == 0, 10);
        assertEquals(0, Host.sharedBytes(), "shared bytes after garbage collection");
    }
}
