package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Two interpreters share nothing: module state, type objects and objects are per interpreter. */
class IsolationTest extends NativeTestBase {

    @Test
    void counterStateIsPerInterpreter() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule ca = a.importModule("counter");
            ExtensionModule cb = b.importModule("counter");
            for (int i = 0; i < 3; i++) ((Handle) ca.invoke("Counter")).close();
            ((Handle) cb.invoke("Counter", 5L)).close();
            assertEquals(3L, ca.invoke("created"));
            assertEquals(1L, cb.invoke("created"));
            try (Handle c = (Handle) ca.invoke("Counter")) {
                c.invoke("increment");
                c.invoke("increment");
            }
            assertEquals(2L, ca.invoke("increments"));
            assertEquals(0L, cb.invoke("increments"));
        }
    }

    @Test
    void lifecycleStateIsPerInterpreterAndZeroed() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule la = a.importModule("lifecycle");
            ExtensionModule lb = b.importModule("lifecycle");
            assertEquals(1L, la.invoke("incr"));
            assertEquals(2L, la.invoke("incr"));
            assertEquals(3L, la.invoke("incr"));
            assertEquals(0L, lb.invoke("get"));
            assertEquals(1L, lb.invoke("incr"));
            assertEquals(3L, la.invoke("get"));
            assertEquals(List.of(1L, 2L, 3L), la.invoke("order"));
            assertEquals(List.of(1L, 2L, 3L), lb.invoke("order"));
            assertEquals(true, la.invoke("state_was_zeroed"));
            assertEquals(true, lb.invoke("state_was_zeroed"));
        }
    }

    @Test
    void typeObjectsAreDistinctPerInterpreter() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            Handle ta = (Handle) a.importModule("counter").getAttr("Counter");
            Handle tb = (Handle) b.importModule("counter").getAttr("Counter");
            assertEquals(ta.typeName(), tb.typeName());
            assertEquals(ta.repr(), tb.repr());
            assertFalse(ta.sameObject(tb));
            assertFalse(tb.sameObject(ta));
            // identity() is an address of its own process: two worker processes may reuse one
            if (ISOLATION == Isolation.IN_PROCESS) assertNotEquals(ta.identity(), tb.identity());
            // but within one interpreter the type is one object
            Handle ta2 = (Handle) a.importModule("counter").getAttr("Counter");
            assertTrue(ta.sameObject(ta2));
            try (Handle ca = (Handle) a.importModule("counter").invoke("Counter");
                 Handle typeOfCa = (Handle) a.importModule("probe").invoke("echo", ta)) {
                assertEquals("counter.Counter", ca.typeName());
                assertTrue(typeOfCa.sameObject(ta));
            }
        }
    }

    @Test
    @InProcessOnly("identity() is an address in its own process: two worker processes may hand out the same one")
    void builtinsArePerInterpreter() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            long noneA = (Long) a.importModule("probe").invoke("none_id");
            long noneB = (Long) b.importModule("probe").invoke("none_id");
            assertNotEquals(noneA, noneB);
            assertEquals(noneA, a.importModule("probe").invoke("none_id"));
        }
    }

    @Test
    void handleOfAnotherInterpreterIsRefusedInJava() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule ca = a.importModule("counter");
            ExtensionModule cb = b.importModule("counter");
            ExtensionModule probeB = b.importModule("probe");
            long handlesBefore = b.handleCount();
            long bytesBefore = b.liveBytes();
            try (Handle counterOfA = (Handle) ca.invoke("Counter", 7L)) {
                String msg = "argument 1 is a handle of interpreter " + a.id()
                        + "; objects cannot cross into interpreter " + b.id() + " (pass a value, or use a queue)";
                IsolexException e = assertThrowsMessage(IsolexException.class, msg, () -> cb.invoke("value_of", counterOfA));
                assertFalse(e instanceof NativeError);
                // nested inside a container, as a later argument
                assertThrowsMessage(IsolexException.class, msg.replace("argument 1", "argument 2"),
                        () -> probeB.invoke("echo", 1L, List.of(Map.of("k", counterOfA))));
                assertThrowsMessage(IsolexException.class, "the value is a handle of interpreter " + a.id()
                                + "; objects cannot cross into interpreter " + b.id() + " (pass a value, or use a queue)",
                        () -> cb.setAttr("x", counterOfA));
                // the same handle is fine in its own interpreter
                assertEquals(7L, ca.invoke("value_of", counterOfA));
            }
            assertEquals(handlesBefore, b.handleCount());
            assertEquals(bytesBefore, b.liveBytes());
        }
    }

    @InProcessOnly("it counts exec runs in C globals shared by two interpreters of one process; each worker has its own (ABI.md 13.5)")
    @Test
    void reimportReturnsTheSameInstanceWithoutRunningExecAgain() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule first = a.importModule("lifecycle");
            first.invoke("incr");
            @SuppressWarnings("unchecked")
            long execs = ((Map<String, Long>) first.invoke("stats")).get("exec");
            ExtensionModule again = a.importModule("lifecycle");
            assertTrue(first.sameObject(again));
            assertEquals("lifecycle", again.name());
            assertEquals(1L, again.invoke("get"));
            @SuppressWarnings("unchecked")
            long execsAfter = ((Map<String, Long>) again.invoke("stats")).get("exec");
            assertEquals(execs, execsAfter, "exec must not run again on re-import");
            // another interpreter gets its own instance, and its exec slots run (3 of them)
            ExtensionModule other = b.importModule("lifecycle");
            assertFalse(other.sameObject(first));
            @SuppressWarnings("unchecked")
            long execsOther = ((Map<String, Long>) other.invoke("stats")).get("exec");
            assertEquals(execs + 3, execsOther);
        }
    }
}
