package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Closing frees everything, unmaps libraries after their last user, and closed objects stay safe. */
class LifetimeTest extends NativeTestBase {

    @InProcessOnly("it reads the JVM process's native bytes (Host.liveNativeBytes), which a worker's interpreter does not use; NativeTestBase checks the worker's own after each close (ABI.md 13.14)")
    @Test
    void liveBytesReturnToZeroAfterEveryClose() {
        try (Host host = newHost()) {
            assertEquals(0, Host.liveNativeBytes());
            Interpreter a = host.newInterpreter();
            assertTrue(Host.liveNativeBytes() > 0);
            assertEquals(1, Host.liveInterpreters());
            ExtensionModule counter = a.importModule("counter");
            Handle c = (Handle) counter.invoke("Counter");
            c.setAttr("label", "kept alive by the handle");
            Handle type = (Handle) counter.getAttr("Counter");
            assertTrue(a.liveBytes() > 0);
            assertTrue(a.liveBlocks() > 0);
            a.close();  // handles still open: released by close, not leaks
            assertTrue(a.isClosed());
            assertTrue(c.isClosed());
            assertTrue(type.isClosed());
            assertEquals(0, Host.liveNativeBytes());
            assertEquals(0, Host.liveInterpreters());
            assertEquals(List.of(), host.interpreters());
            assertTrue(a.lastLeakReport().isEmpty());

            for (int round = 0; round < 3; round++) {
                try (Interpreter b = host.newInterpreter()) {
                    b.importModule("fact").invoke("factorial", 500L);
                    b.importModule("lifecycle").invoke("incr");
                    b.importModule("raiser");
                }
                assertEquals(0, Host.liveNativeBytes(), "after round " + round);
            }
        }
    }

    @InProcessOnly("it reads which libraries this process maps; a worker maps them in its own (ABI.md 13.5)")
    @Test
    void libraryIsUnmappedAfterItsLastUserCloses() {
        java.nio.file.Path so = EXTENSIONS.resolve("counter.so");
        try (Host host = newHost()) {
            assertMapped(false, so);
            Interpreter a = host.newInterpreter();
            Interpreter b = host.newInterpreter();
            assertMapped(false, so);
            a.importModule("counter");
            assertMapped(true, so);
            assertEquals(1, Host.loadedLibraries());
            b.importModule("counter");
            assertEquals(1, Host.loadedLibraries(), "loaded once per process");
            a.close();
            assertMapped(true, so);  // b still has it
            assertEquals(1, Host.loadedLibraries());
            try (Handle c = (Handle) b.importModule("counter").invoke("Counter")) {
                assertEquals(1L, c.invoke("increment"));
            }
            b.close();
            assertMapped(false, so);
            assertEquals(0, Host.loadedLibraries());

            // and it loads again
            try (Interpreter c = host.newInterpreter()) {
                c.importModule("counter");
                assertMapped(true, so);
            }
            assertMapped(false, so);
        }
    }

    @SuppressWarnings("try") // closes a resource of its try-with-resources early, on purpose
    @Test
    void useAfterCloseThrowsClosedException() {
        try (Host host = newHost()) {
            Interpreter interp = host.newInterpreter();
            long id = interp.id();
            ExtensionModule counter = interp.importModule("counter");
            Handle c = (Handle) counter.invoke("Counter");
            Handle closedFirst = (Handle) counter.invoke("Counter");
            closedFirst.close();
            closedFirst.close();  // idempotent
            assertThrowsMessage(ClosedException.class, "handle to counter.Counter is closed",
                    () -> closedFirst.invoke("increment"));
            assertThrowsMessage(ClosedException.class, "handle to counter.Counter is closed", closedFirst::repr);
            assertThrowsMessage(ClosedException.class, "argument 1: handle to counter.Counter is closed",
                    () -> counter.invoke("value_of", closedFirst));

            interp.close();
            String interpClosed = "interpreter " + id + " is closed";
            assertThrowsMessage(ClosedException.class, interpClosed, () -> interp.importModule("counter"));
            assertThrowsMessage(ClosedException.class, interpClosed, interp::liveBytes);
            assertThrowsMessage(ClosedException.class, interpClosed, interp::liveBlocks);
            assertThrowsMessage(ClosedException.class, interpClosed, interp::handleCount);
            assertThrowsMessage(ClosedException.class, interpClosed, () -> c.invoke("increment"));
            assertThrowsMessage(ClosedException.class, interpClosed, () -> c.getAttr("value"));
            assertThrowsMessage(ClosedException.class, interpClosed, () -> c.setAttr("step", 2L));
            assertThrowsMessage(ClosedException.class, interpClosed, () -> counter.invoke("created"));
            assertThrowsMessage(ClosedException.class, interpClosed, () -> counter.call());
            assertThrowsMessage(ClosedException.class, interpClosed, c::repr);
            assertThrowsMessage(ClosedException.class, interpClosed, () -> c.sameObject(counter));
            assertTrue(c.isClosed());
            assertTrue(counter.isClosed());
            c.close();  // fine after the interpreter closed
            counter.close();
            interp.close();  // idempotent
            assertEquals(id, interp.id());

            host.close();
            assertThrowsMessage(ClosedException.class, "host is closed; build a new one with Host.builder()",
                    host::newInterpreter);
        }
    }

    @Test
    void closedModuleHandleSaysWhichModule() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule fact = interp.importModule("fact");
            fact.close();
            assertThrowsMessage(ClosedException.class, "module fact is closed", () -> fact.invoke("digits", 5L));
            ExtensionModule again = interp.importModule("fact");  // a new handle to the same module
            assertEquals(3L, again.invoke("digits", 5L));
        }
    }

    @Test
    void droppedHandlesAreReleasedAfterGarbageCollection() throws InterruptedException {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            long baseline = interp.handleCount();
            long bytesBaseline = interp.liveBytes();
            makeGarbageHandles(counter, 50);
            assertEquals(baseline + 50, interp.handleCount());
            long deadline = System.nanoTime() + 5_000_000_000L;
            long count;
            do {
                System.gc();
                Thread.sleep(20);
                count = interp.handleCount();  // an entry: drains the pending releases
            } while (count != baseline && System.nanoTime() < deadline);
            assertEquals(baseline, count, "handles released after GC");
            assertEquals(bytesBaseline, interp.liveBytes(), "and the objects they held were freed");
            assertEquals(50L, counter.invoke("created"));
        }
    }

    private static void makeGarbageHandles(ExtensionModule counter, int n) {
        for (int i = 0; i < n; i++) {
            Handle h = (Handle) counter.invoke("Counter");
            assertFalse(h.isClosed());
        }
    }
}
