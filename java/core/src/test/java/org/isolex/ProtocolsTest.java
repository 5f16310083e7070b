package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: items, length, membership and iteration from Java (ABI.md 3.20-3.24, 5.20,
 * 12.20) on test-ext/seqmap's Ring, in two interpreters at once; iterators closed early,
 * dropped to the garbage collector, and cut off by the interpreter's close.
 */
class ProtocolsTest extends NativeTestBase {

    /** A ring of n slots, slot i holding i * 10. */
    private static Handle ring(ExtensionModule seqmap, long n) {
        Handle r = (Handle) seqmap.invoke("ring", n);
        for (long i = 0; i < n; i++) r.setItem(i, i * 10);
        return r;
    }

    private static List<Object> drain(Handle h) {
        List<Object> out = new ArrayList<>();
        for (Object x : h) out.add(x);
        return out;
    }

    private static String use(Interpreter interp) {
        try (ExtensionModule m = interp.importModule("seqmap"); Handle r = ring(m, 3)) {
            assertEquals(3L, r.length());
            assertEquals(20L, r.getItem(-1L));
            assertEquals(10L, r.getItem(4L), "a ring wraps around");
            assertTrue(r.contains(20L));
            assertFalse(r.contains("x"));
            r.delItem(1L);
            assertEquals(Arrays.asList(0L, null, 20L), drain(r));
            r.setItem(1L, List.of("a", 1L));
            assertEquals(List.of("a", 1L), r.getItem(1L));
            assertNativeError("TypeError", "ring keys are ints, not str", () -> r.getItem("k"));
            return "ok";
        }
    }

    @Test
    void twoInterpretersAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("ok", "ok"), Together.run(2, i -> () -> use(i == 0 ? a : b)));
        }
    }

    @Test
    void iterationPullsBatchesAndEnds() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter();
                ExtensionModule m = interp.importModule("seqmap"); Handle r = ring(m, 40)) {
            long before = interp.handleCount();
            List<Object> all = drain(r); // 16 + 16 + 8: three native calls
            assertEquals(40, all.size());
            assertEquals(390L, all.get(39));
            HandleIterator it = r.iterator();
            for (int i = 0; i < 40; i++) it.next();
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
            assertEquals(before, interp.handleCount(), "an exhausted iterator released its handle");
        }
    }

    @Test
    void anIteratorClosedEarlyOrDroppedIsReleased() throws Exception {
        // m is closed last: a handle only reachable from a dead local could be collected
        // (and released) mid-test, and the counts below would be off by it
        try (Host host = newHost(); Interpreter interp = host.newInterpreter();
                ExtensionModule m = interp.importModule("seqmap"); Handle r = ring(m, 40)) {
            long before = interp.handleCount();
            try (HandleIterator it = r.iterator()) {
                assertEquals(0L, it.next());
                assertEquals(before + 1, interp.handleCount());
            }
            assertEquals(before, interp.handleCount(), "closed early: released");
            startAndDrop(r);
            assertEquals(before + 1, interp.handleCount());
            // handleCount is an entry: it drains the releases the GC found
            assertTrue(Gc.until(() -> interp.handleCount() == before, 10),
                    "a dropped iterator is released after the GC finds it");
        }
    }

    /** An iteration begun and dropped, in its own frame so that no local slot keeps it. */
    private static void startAndDrop(Handle r) {
        assertEquals(0L, r.iterator().next());
    }

    @Test
    void closingTheInterpreterMidIterationThrowsClosed() {
        try (Host host = newHost()) {
            Interpreter interp = host.newInterpreter();
            HandleIterator it = ring(interp.importModule("seqmap"), 40).iterator();
            assertEquals(0L, it.next());
            interp.close();
            assertThrows(ClosedException.class, it::hasNext);
            assertThrows(ClosedException.class, it::next);
        }
    }

    @Test
    void theExactMessages() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("seqmap");
            assertNativeError("TypeError", "'module' object is not subscriptable", () -> m.getItem(0L));
            assertNativeError("TypeError", "object of type 'module' has no len()", m::length);
            assertNativeError("TypeError", "'module' object is not iterable", m::iterator);
            assertNativeError("TypeError", "'module' object does not support item assignment", () -> m.setItem(0L, 1L));
            assertNativeError("TypeError", "argument of type 'module' is not iterable", () -> m.contains(1L));
            try (Handle broken = (Handle) m.invoke("broken")) {
                assertNativeError("SystemError", "seqmap.Broken.__getitem__() returned NULL without setting an error",
                        () -> broken.getItem(0L));
                assertNativeError("ValueError", "__len__() should return >= 0", broken::length);
                assertNativeError("TypeError", "iter() returned non-iterator of type 'seqmap.Broken'", broken::iterator);
            }
        }
    }
}
