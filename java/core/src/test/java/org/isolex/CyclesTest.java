package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The per-interpreter cycle collector (native/src/gc.c) seen from Java, with test-ext/cycles:
 * {@link Interpreter#collectCycles()}, the automatic collection at the end of calls, the
 * one at close, and a cycle the collector cannot see (reported as a leak).
 */
class CyclesTest extends NativeTestBase {

    @Test
    void collectFreesUnreachableCyclesAndReturnsTheirCount() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule cycles = interp.importModule("cycles");
            assertEquals(0, interp.collectCycles(), "nothing to collect after the import");
            long before = interp.liveBytes();

            cycles.invoke("make_cycle", 50);   // 50 Node self-loops + 50 self-containing lists
            long withCycles = interp.liveBytes();
            assertTrue(withCycles > before, "the cycles hold memory: " + before + " -> " + withCycles);

            assertEquals(100, interp.collectCycles());
            assertEquals(before, interp.liveBytes(), "live bytes after collecting");
            assertEquals(0, interp.collectCycles(), "a second collection finds nothing");
        }
    }

    @Test
    void aCycleHeldByAHandleSurvivesUntilTheHandleCloses() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule cycles = interp.importModule("cycles");
            long before = interp.liveBytes();
            Handle node = (Handle) cycles.invoke("make_kept");
            assertEquals("cycles.Node", node.typeName());

            assertEquals(0, interp.collectCycles(), "reachable through the handle: not garbage");
            try (Handle next = (Handle) node.getAttr("next")) {
                assertTrue(next.sameObject(node), "the node survived collection, still pointing at itself");
            }
            assertTrue(interp.liveBytes() > before);

            node.close();
            assertTrue(interp.liveBytes() > before, "refcounting alone cannot free a self-loop");
            assertEquals(1, interp.collectCycles());
            assertEquals(before, interp.liveBytes());
        }
    }

    @Test
    void aLongLivedInterpreterMakingCyclesDoesNotGrowWithoutBound() {
        final long bound = 2L << 20;
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule cycles = interp.importModule("cycles");
            long base = interp.liveBytes();
            long max = 0;
            for (int i = 0; i < 200; i++) {
                cycles.invoke("make_cycle", 100);   // 200 unreachable objects per call, 40 000 in all
                max = Math.max(max, interp.liveBytes() - base);
            }
            long found = interp.collectCycles();
            System.out.printf("cycles: 200 x make_cycle(100) = 40000 unreachable objects; peak %d bytes above the"
                    + " module's own (bound %d); %d left for the final collect%n", max, bound, found);
            assertTrue(max < bound, "live bytes grew to " + max + " (bound " + bound
                    + "): the automatic collection at the end of calls did not run");
            assertTrue(found < 40_000, "the automatic collection freed nothing: " + found + " left");
            assertEquals(base, interp.liveBytes());
        }
    }

    @Test
    void closeCollectsCyclesStillThere() {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        interp.importModule("cycles").invoke("make_cycle", 10);
        interp.close();   // no LeakException: close runs the collector before it counts
        assertTrue(interp.lastLeakReport().isEmpty());
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void aCycleTheCollectorCannotSeeIsReportedAtCloseAndFreed() {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule cycles = interp.importModule("cycles");
        cycles.invoke("make_opaque");
        assertEquals(0, interp.collectCycles(), "cycles.Opaque has no traverse: invisible to the collector");

        LeakException e = assertThrows(LeakException.class, interp::close);
        LeakReport r = e.report();
        assertEquals(1L, r.objectsByType().get("cycles.Opaque"), r.toString());
        // and what the leaked instance keeps alive: its heap type, the type's module, the
        // module's dict and a str in it (the report counts every object still there)
        assertEquals(Map.of("cycles.Opaque", 1L, "type", 1L, "module", 1L, "dict", 1L, "str", 1L),
                r.objectsByType(), r.toString());
        assertEquals(Map.of("cycles", r.bytes()), r.bytesByModule(), r.toString());
        assertTrue(r.bytes() > 0);
        assertEquals(0, Host.liveNativeBytes(), "freed anyway");
        assertEquals(0, Host.liveInterpreters());
    }
}
