package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Errors nobody can raise (ABI 1.2, abi/ABI.md 6.8, 12.60): a tp_dealloc, tp_clear,
 * tp_finalize, weakref callback and capsule destructor that raise (test-ext unraisable,
 * initfinal, attrs). Each is recorded with its exact text, the calling code keeps its own
 * error, the record keeps the last 16 and numbers all; debug mode logs each, a module's
 * clear during close included. Two interpreters at once; zero live bytes afterwards.
 */
class UnraisableTest extends NativeTestBase {
    private static final UnraisableError DEALLOC = new UnraisableError(0, "tp_dealloc of unraisable.Dealloc",
            "RuntimeError", "raised in tp_dealloc");

    private static UnraisableError numbered(long n, UnraisableError e) {
        return new UnraisableError(n, e.where(), e.typeName(), e.message());
    }

    private static List<UnraisableError> everyHook(Interpreter interp) {
        assertEquals(List.of(), interp.unraisableErrors());
        ExtensionModule m = interp.importModule("unraisable");
        m.invoke("drop", 1L);
        assertNativeError("ValueError", "kept", () -> m.invoke("drop_with_error"));
        try (Handle c = (Handle) m.invoke("Cycle")) {
            c.setAttr("ref", c);
        }
        assertEquals(1L, interp.collectCycles());
        ((Handle) m.invoke("capsule", "unraisable.cap")).close();
        ((Handle) m.invoke("capsule", (Object) null)).close();
        ExtensionModule f = interp.importModule("initfinal");
        f.invoke("raise_in_finalize", true);
        try (Handle fin = (Handle) f.getAttr("Fin")) {
            ((Handle) fin.call()).close();
        }
        f.invoke("raise_in_finalize", false);
        ExtensionModule a = interp.importModule("attrs");
        try (Handle w = (Handle) a.invoke("weak", 1L); Handle r = (Handle) a.invoke("ref", w, a.getAttr("raise_in_callback"))) {
            w.close(); // the referent dies: the callback runs and raises
        }
        return interp.unraisableErrors();
    }

    @Test
    void eachHookIsRecordedWithItsExactTextInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<UnraisableError>> seen = Together.run(2, i -> () -> everyHook(i == 0 ? a : b));
            List<UnraisableError> want = List.of(
                    numbered(1, DEALLOC),
                    numbered(2, DEALLOC), // drop_with_error: the caller kept 'kept'
                    new UnraisableError(3, "tp_clear of unraisable.Cycle", "ValueError", "raised in tp_clear"),
                    new UnraisableError(4, "destructor of capsule \"unraisable.cap\"", "TypeError",
                            "raised in a capsule destructor"),
                    new UnraisableError(5, "destructor of capsule NULL", "TypeError", "raised in a capsule destructor"),
                    new UnraisableError(6, "tp_finalize of initfinal.Fin", "ValueError", "from a finalizer"),
                    new UnraisableError(7, "weakref callback attrs.raise_in_callback", "ValueError",
                            "raised in a weakref callback"));
            assertEquals(want, seen.get(0));
            assertEquals(want, seen.get(1));
            assertEquals("exception ignored in tp_finalize of initfinal.Fin: ValueError: from a finalizer",
                    want.get(5).toString());
            assertEquals(want, a.unraisableErrors(), "reading does not forget");
        }
    }

    @Test
    void theLastSixteenAreKeptAndAllAreCounted() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<UnraisableError>> seen = Together.run(2, i -> () -> {
                Interpreter interp = i == 0 ? a : b;
                interp.importModule("unraisable").invoke("drop", 40L);
                return interp.unraisableErrors();
            });
            List<UnraisableError> want = new ArrayList<>();
            for (long n = 25; n <= 40; n++) want.add(numbered(n, DEALLOC));
            assertEquals(Interpreter.UNRAISABLE_ERRORS_KEPT, want.size());
            assertEquals(want, seen.get(0));
            assertEquals(want, seen.get(1));
            assertThrows(UnsupportedOperationException.class, () -> seen.get(0).clear());
        }
    }

    @Test
    void aLongMessageIsCutAtACharacterBoundary() throws Exception {
        String text = "x" + "\u00e9".repeat(300); // 601 bytes of UTF-8; byte 508 is inside an é
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<UnraisableError>> seen = Together.run(2, i -> () -> {
                Interpreter interp = i == 0 ? a : b;
                ExtensionModule m = interp.importModule("unraisable");
                m.invoke("set_message", text);
                m.invoke("drop", 1L);
                return interp.unraisableErrors();
            });
            List<UnraisableError> want = List.of(new UnraisableError(1, DEALLOC.where(), "RuntimeError",
                    "x" + "\u00e9".repeat(253) + "..."));
            assertEquals(want, seen.get(0));
            assertEquals(want, seen.get(1));
        }
    }

    @Test
    void debugModeLogsEachOneThoseOfCloseIncluded() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build())) {
            Interpreter interp = host.newInterpreter();
            ExtensionModule m = interp.importModule("unraisable");
            m.invoke("drop", 1L);
            m.invoke("raise_at_clear", true);
            assertEquals(List.of(numbered(1, DEALLOC)), interp.unraisableErrors());
            interp.close();
            assertThrows(ClosedException.class, interp::unraisableErrors);
            assertEquals(List.of(
                    "isolex debug: exception ignored in tp_dealloc of unraisable.Dealloc: RuntimeError: raised in tp_dealloc",
                    "isolex debug: exception ignored in clear of module 'unraisable': RuntimeError: raised in the module's clear"),
                    Host.debugViolations());
        }
    }
}
