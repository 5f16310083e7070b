package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: IxImport_Import, capsules and exception chaining (ABI.md 4.11, 4.12, 6.5-6.7):
 * capi_user calls capi_provider's C API through a capsule, per interpreter; capi_misuse and
 * cycle_a/cycle_b break each rule, with the exact messages.
 */
class CapsuleTest extends NativeTestBase {

    private static final String NAME_RULE = "; pass the exact name it was created with";
    private static final String CYCLE_RULE = "; a module's exec must not import, directly or through other modules,"
            + " a module that imports it";

    /** One interpreter's use of capi_user; its provider's serials start at 1 in every interpreter. */
    private static String useProvider(Interpreter interp) {
        ExtensionModule user = interp.importModule("capi_user");
        assertEquals(1L, user.invoke("next_serial"));
        assertEquals(2L, user.invoke("next_serial"));
        String stamp = (String) user.invoke("stamp", "x");
        assertEquals(3L, interp.importModule("capi_provider").invoke("issued"), "the provider's own state");
        return stamp;
    }

    @Test
    void twoInterpretersEachWithTheirOwnProviderAndState() throws Exception {
        try (Host host = newHost(); Interpreter keeper = host.newInterpreter()) {
            ExtensionModule provider = keeper.importModule("capi_provider");
            Interpreter a = host.newInterpreter();
            Interpreter b = host.newInterpreter();
            List<String> stamps = Together.run(2, i -> () -> useProvider(i == 0 ? a : b));
            assertEquals(List.of("x#3", "x#3"), stamps);
            // each close frees its provider's struct through the capsule's destructor, or
            // reports it as leaked (LeakException); twice would be a double free
            a.close();
            b.close();
            assertEquals(0L, provider.invoke("issued"), "keeper's provider is its own");
        }
    }

    @Test
    void debugModeChecksTheNewEntriesAndFindsNothing() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals("x#3", useProvider(a));
            assertEquals("x#3", useProvider(b));
            ExtensionModule m = b.importModule("capi_misuse");
            assertEquals(true, m.invoke("pointer_named", "capi_provider._C_API"));
            assertNativeError("TypeError", "expected capsule, got int", () -> m.invoke("pointer_of", 7L));
            assertEquals(null, m.invoke("cause_cycle"), "the cycle is collected: close finds no leak");
        }
    }

    @InProcessOnly("a not-supported module loaded in another interpreter of the same process is refused; in worker processes each interpreter has its process (ABI.md 13.5)")
    @Test
    void importFromCFollowsTheJavaRules() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule misuse = a.importModule("capi_misuse");
            try (Handle counter = (Handle) misuse.invoke("import_name", "counter")) {
                assertEquals("module", counter.typeName());
            }
            NativeError missing = assertNativeError("ImportError", "no module named 'no_such_module' (searched: "
                    + EXTENSIONS + ", " + TEST_EXT + ")", () -> misuse.invoke("import_name", "no_such_module"));
            assertInstanceOf(NativeImportError.class, missing);
            assertNativeError("ValueError", "IxImport_Import: the name is NULL; pass a module name",
                    () -> misuse.invoke("import_name", (Object) null));
            // a not-supported module loaded in b is refused to a's C code as to a's Java code
            assertEquals("pong", b.importModule("multi_not_supported").invoke("ping"));
            String refusal = "module 'multi_not_supported' does not support several interpreters and is already"
                    + " loaded in interpreter " + b.id();
            assertNativeError("ImportError", refusal, () -> misuse.invoke("import_name", "multi_not_supported"));
            assertNativeError("ImportError", refusal, () -> a.importModule("multi_not_supported"));
            // a legacy module loaded in b: the same refusal from C as from Java (ABI.md 7.3)
            assertEquals(1L, b.importModule("legacy_point").invoke("count"));
            String legacy = "module 'legacy_point' uses single-phase init and static types (legacy_point.Point,"
                    + " legacy_point.Line) and is loaded in interpreter " + b.id() + "; it cannot be loaded in"
                    + " several interpreters. See abi/MIGRATION.md to make it multiphase";
            assertNativeError("ImportError", legacy, () -> misuse.invoke("import_name", "legacy_point"));
            assertNativeError("ImportError", legacy, () -> a.importModule("legacy_point"));
        }
    }

    @Test
    void importCyclesAreRefusedWithTheChain() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            assertInstanceOf(NativeImportError.class, assertNativeError("ImportError", "import cycle: module 'cycle_a'"
                    + " is still being initialised (cycle_a -> cycle_b -> cycle_a)" + CYCLE_RULE,
                    () -> interp.importModule("cycle_a")));
            assertNativeError("ImportError", "import cycle: module 'cycle_b' is still being initialised"
                    + " (cycle_b -> cycle_a -> cycle_b)" + CYCLE_RULE, () -> interp.importModule("cycle_b"));
            // nothing of either is left: the next import starts afresh
            assertNativeError("ImportError", "import cycle: module 'cycle_a' is still being initialised"
                    + " (cycle_a -> cycle_b -> cycle_a)" + CYCLE_RULE, () -> interp.importModule("cycle_a"));
        }
    }

    @Test
    void capsuleRulesAndMessages() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("capi_misuse");
            assertEquals(true, m.invoke("pointer_named", "capi_provider._C_API")); // imports capi_provider
            try (Handle capsule = (Handle) interp.importModule("capi_provider").getAttr("_C_API")) {
                assertEquals("capsule", capsule.typeName());
            }
            long bytes = interp.liveBytes();
            assertNativeError("ValueError", "IxCapsule_GetPointer: the capsule is named 'capi_provider._C_API', not"
                    + " 'capi_provider._C_AP'" + NAME_RULE, () -> m.invoke("pointer_named", "capi_provider._C_AP"));
            assertNativeError("ValueError", "IxCapsule_GetPointer: the capsule is named 'capi_provider._C_API', not"
                    + " NULL" + NAME_RULE, () -> m.invoke("pointer_named", (Object) null));
            assertNativeError("TypeError", "expected capsule, got int", () -> m.invoke("pointer_of", 7L));
            assertEquals(true, m.invoke("anon_pointer", (Object) null));
            assertNativeError("ValueError", "IxCapsule_GetPointer: the capsule is named NULL, not 'x'" + NAME_RULE,
                    () -> m.invoke("anon_pointer", "x"));
            assertEquals(true, m.invoke("valid_named", "capi_provider._C_API"));
            assertEquals(false, m.invoke("valid_named", (Object) null));
            assertEquals(false, m.invoke("valid_of", 7L));
            assertNativeError("ValueError", "IxCapsule_New: the pointer is NULL; a capsule holds a non-NULL pointer",
                    () -> m.invoke("null_capsule"));
            assertEquals(bytes, interp.liveBytes(), "misuse leaves nothing behind");
        }
    }

    @Test
    void causeAndContextReachJava() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("capi_misuse");
            NativeError chained = assertNativeError("TypeError", "second (while handling first)",
                    () -> m.invoke("chained"), "ValueError: first");
            assertEquals("ValueError", chained.getCause().typeName());
            NativeError caused = assertNativeError("RuntimeError", "outer", () -> m.invoke("caused"), "ValueError: root");
            StringWriter trace = new StringWriter();
            caused.printStackTrace(new PrintWriter(trace));
            assertTrue(trace.toString().contains("Caused by: org.isolex.NativeError: ValueError: root"), trace::toString);
            // GetCause gives the cause; GetContext NULL (nothing was pending when it was set)
            assertEquals(Arrays.asList("root", null), m.invoke("context_of_caused"));
        }
    }
}
