package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Behaviours abi/ABI.md once left unsaid (issue 11), pinned with test-ext/unsaid: a failed
 * create runs neither clear nor free, a failed exec runs clear then free (4.4, 4.6); a NULL
 * type-slot value (5.1); IX_T_BOOL and IX_T_OBJECT members (5.4); calls with args NULL
 * (4.13); a type made without a module (5.1); a module's attributes (4.21).
 */
class UnsaidRulesTest extends NativeTestBase {

    private static void assertError(String type, String message, Runnable r) {
        NativeError e = assertThrows(NativeError.class, r::run);
        assertEquals(type, e.typeName());
        assertEquals(message, e.nativeMessage());
    }

    @InProcessOnly("it counts slot runs in C globals shared by two interpreters of one process; each worker has its own (ABI.md 13.5)")
    /** 4.4: create failing leaves no module, so neither clear nor free runs; 4.6: exec failing runs clear, then free. */
    @Test
    void aFailedCreateRunsNeitherClearNorFreeAFailedExecRunsClearThenFree() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ExtensionModule unsaid = a.importModule("unsaid");
            List<?> before = (List<?>) unsaid.invoke("stats");
            unsaid.invoke("arm", 1L);
            try (Interpreter b = host.newInterpreter()) {
                assertError("ValueError", "create failed on purpose", () -> b.importModule("unsaid"));
                assertEquals(before, unsaid.invoke("stats"), "no clear, no free after a failed create");
                unsaid.invoke("arm", 2L);
                assertError("ValueError", "exec failed on purpose", () -> b.importModule("unsaid"));
                List<?> after = (List<?>) unsaid.invoke("stats");
                assertEquals((Long) before.get(0) + 1, after.get(0), "clear once");
                assertEquals((Long) before.get(1) + 1, after.get(1), "free once");
                assertEquals(true, after.get(2), "clear ran before free");
                assertEquals("<module 'unsaid'>", b.importModule("unsaid").repr(), "importable afterwards");
            }
        }
    }

    /** 5.4: IX_T_BOOL is a char, any non-zero byte reads True; only a bool is stored, as 0 or 1. */
    @Test
    void boolMembersAreACharAndAnyNonZeroByteReadsTrue() throws Exception {
        Together.run(2, i -> () -> {
            try (Interpreter interp = newHost().newInterpreter()) {
                ExtensionModule unsaid = interp.importModule("unsaid");
                try (Handle flag = (Handle) unsaid.invoke("Flag")) {
                    assertEquals(false, flag.getAttr("on"));
                    unsaid.invoke("poke", flag, 2L);
                    assertEquals(true, flag.getAttr("on"));
                    unsaid.invoke("poke", flag, 255L);
                    assertEquals(true, flag.getAttr("on"));
                    assertError("TypeError", "expected bool, got int", () -> flag.setAttr("on", 1L));
                    assertError("TypeError", "cannot delete attribute 'on'", () -> flag.delAttr("on"));
                    flag.setAttr("on", false);
                    assertEquals(false, flag.getAttr("on"));
                }
            }
            return null;
        });
    }

    /**
     * 5.4: setting an IX_T_OBJECT member releases the old value, deleting it stores NULL (read
     * as None); the type's tp_dealloc releases the last one. NativeTestBase's zero live bytes
     * proves each old value was released once.
     */
    @Test
    void objectMembersReleaseTheOldValueAndDeleteStoresNull() throws Exception {
        Together.run(2, i -> () -> {
            try (Interpreter interp = newHost().newInterpreter()) {
                ExtensionModule unsaid = interp.importModule("unsaid");
                long base = interp.liveBytes();
                try (Handle flag = (Handle) unsaid.invoke("Flag")) {
                    assertNull(flag.getAttr("obj"), "NULL reads as None");
                    flag.setAttr("obj", List.of(1L, 2L));
                    flag.setAttr("obj", List.of(3L));
                    assertEquals(List.of(3L), flag.getAttr("obj"));
                    flag.delAttr("obj");
                    assertNull(flag.getAttr("obj"));
                    flag.delAttr("obj"); // deleting NULL again is no error
                    flag.setAttr("obj", "kept until dealloc");
                }
                assertEquals(base, interp.liveBytes(), "the dealloc released the member");
            }
            return null;
        });
    }

    /** 5.1: a NULL type-slot value is as if the slot were absent (here: the default repr). */
    @Test
    void aNullTypeSlotValueIsAnAbsentSlot() {
        try (Interpreter interp = newHost().newInterpreter()) {
            try (Handle flag = (Handle) interp.importModule("unsaid").invoke("Flag")) {
                assertTrue(flag.repr().startsWith("<unsaid.Flag object at 0x"), flag.repr());
            }
        }
    }

    /** 4.13: args may be NULL when nargs is 0, for Ix_Call, Ix_CallKw and Ix_CallMethod. */
    @Test
    void callsTakeNullArgsWithNoArguments() throws Exception {
        Together.run(2, i -> () -> {
            try (Interpreter interp = newHost().newInterpreter()) {
                ExtensionModule unsaid = interp.importModule("unsaid");
                Object stats = unsaid.getAttr("stats");
                // stats() is (clears, frees, clear_before_free), process-wide counts the other
                // interpreter's close may move between two calls: compare shapes, not values
                for (Object r : new Object[] {unsaid.invoke("call_null", stats),
                        unsaid.invoke("callkw_null", stats), unsaid.invoke("callmethod_null", unsaid, "stats")}) {
                    assertEquals(3, ((List<?>) r).size(), "stats() ran with args NULL: " + r);
                    assertEquals(Boolean.class, ((List<?>) r).get(2).getClass(), String.valueOf(r));
                }
                ((Handle) stats).close();
            }
            return null;
        });
    }

    /** 4.13, 10.2: NULL args with nargs above 0 is a debug-mode violation (release mode: undefined). */
    @Test
    void nullArgsWithArgumentsIsADebugViolation() {
        Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule unsaid = interp.importModule("unsaid");
            String line = "isolex debug: Ix_Call: args is NULL but nargs is 2";
            Object stats = unsaid.getAttr("stats");
            NativeError e = assertThrows(NativeError.class, () -> unsaid.invoke("call_null_n", stats));
            assertEquals("SystemError", e.typeName());
            assertEquals(line, e.nativeMessage());
            assertEquals(List.of(line), Host.debugViolations());
            ((Handle) stats).close();
        }
    }

    /** 5.1: IxType_FromSpec with no module is allowed; the module lookups then raise. */
    @Test
    void aTypeWithoutAModule() {
        try (Interpreter interp = newHost().newInterpreter()) {
            ExtensionModule unsaid = interp.importModule("unsaid");
            try (Handle loose = (Handle) unsaid.invoke("loose", 0L)) {
                assertEquals("<class 'unsaid.Loose'>", loose.repr());
            }
            assertError("TypeError", "type 'unsaid.Loose' has no module", () -> unsaid.invoke("loose", 1L));
            assertError("TypeError", "type 'unsaid.Loose' has no module", () -> unsaid.invoke("loose", 2L));
            assertError("TypeError", "IxType_GetModuleByDef: no superclass of 'unsaid.Loose' has module 'unsaid'",
                    () -> unsaid.invoke("loose", 3L));
        }
    }

    /** 4.21: a module has __name__ (read-only) and what its dict holds; no __file__, __doc__ or __dict__. */
    @Test
    void aModulesAttributes() {
        try (Interpreter interp = newHost().newInterpreter()) {
            ExtensionModule unsaid = interp.importModule("unsaid");
            assertEquals("unsaid", unsaid.getAttr("__name__"));
            for (String absent : List.of("__file__", "__doc__", "__dict__", "__spec__", "__loader__")) {
                assertError("AttributeError", "module 'unsaid' has no attribute '" + absent + "'",
                        () -> unsaid.getAttr(absent));
            }
            assertError("AttributeError", "attribute '__name__' of 'module' objects is not writable",
                    () -> unsaid.setAttr("__name__", "other"));
            assertError("AttributeError", "attribute '__name__' of 'module' objects is not writable",
                    () -> unsaid.delAttr("__name__"));
            assertEquals(List.of("Flag", "arm", "call_null", "call_null_n", "callkw_null", "callmethod_null", "loose",
                    "poke", "stats"), unsaid.attributeNames());
        }
    }

    @InProcessOnly("it reads a legacy module's C global from another interpreter of the same process (ABI.md 13.5)")
    /**
     * 7.2-7.3: a static type's storage holds the type while the interpreter that readied it is
     * open and NULL once the type dies with that interpreter. While the library stays loaded
     * (legacy_peek, a module of the same file, keeps it mapped) no other interpreter may load
     * the legacy module: its C globals are what the closed one left. Once the library is
     * unloaded, the next interpreter loads it fresh.
     */
    @Test
    void aStaticTypeIsNullAfterItsInterpreterCloses() {
        try (Host host = newHost()) {
            long owner;
            try (Interpreter b = host.newInterpreter()) {
                ExtensionModule peek = b.importModule("legacy_peek");
                assertEquals(false, peek.invoke("readied"));
                try (Interpreter a = host.newInterpreter()) {
                    owner = a.id();
                    assertEquals(1L, a.importModule("legacy_point").invoke("count"));
                    assertEquals(true, peek.invoke("readied"));
                }
                assertEquals(false, peek.invoke("readied"), "NULL after the interpreter closed, not dangling");
                assertError("ImportError", "module 'legacy_point' uses single-phase init and was loaded in interpreter "
                        + owner + ", which has closed; its library is still loaded (a module or type made from it"
                        + " lives), and with it the C globals that import left, so the module loads again only once"
                        + " the library is unloaded", () -> b.importModule("legacy_point"));
                assertEquals(false, peek.invoke("readied"), "the refused import readied nothing");
            }
            try (Interpreter c = host.newInterpreter()) {
                ExtensionModule legacy = c.importModule("legacy_point");
                assertEquals(1L, legacy.invoke("count"), "the library was unloaded: fresh C globals");
                try (Handle p = (Handle) legacy.invoke("Point")) {
                    assertEquals("legacy_point.Point", p.typeName());
                }
            }
        }
    }

    @InProcessOnly("a not-supported module is refused to a second interpreter of the same process; in worker processes each interpreter has its process (ABI.md 13.5)")
    /** 4.9: a not-supported module stays refused after its interpreter closes while its library stays loaded. */
    @Test
    void aNotSupportedModuleStaysRefusedWhileItsLibraryStaysLoaded() {
        try (Host host = newHost(); Interpreter b = host.newInterpreter()) {
            b.importModule("unsaid"); // the same file: keeps the library loaded
            long owner;
            try (Interpreter a = host.newInterpreter()) {
                owner = a.id();
                a.importModule("unsaid_solo");
            }
            assertError("ImportError", "module 'unsaid_solo' does not support several interpreters and was loaded in"
                    + " interpreter " + owner + ", which has closed; its library is still loaded (a module or type made"
                    + " from it lives), and with it the C globals that import left, so the module loads again only"
                    + " once the library is unloaded", () -> b.importModule("unsaid_solo"));
        }
        try (Interpreter c = newHost().newInterpreter()) {
            assertEquals("<module 'unsaid_solo'>", c.importModule("unsaid_solo").repr(), "the library was unloaded");
        }
    }
}
