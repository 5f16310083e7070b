package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Modules that cannot live in several interpreters at once (ABI.md 4.9, 7.3). */
class LegacyTest extends NativeTestBase {

    @SuppressWarnings("try") // closes a resource of its try-with-resources early, on purpose
    @Test
    void notSupportedModuleLoadsInOneInterpreterOnly() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule m = a.importModule("multi_not_supported");
            assertEquals("pong", m.invoke("ping"));
            long bytes = b.liveBytes();
            assertNativeError("ImportError", "module 'multi_not_supported' does not support several interpreters and is"
                    + " already loaded in interpreter " + a.id(), () -> b.importModule("multi_not_supported"));
            assertEquals(bytes, b.liveBytes());
            assertEquals("pong", a.importModule("multi_not_supported").invoke("ping"), "a is unaffected");
            a.close();
            // once a is closed, b may load it
            assertEquals("pong", b.importModule("multi_not_supported").invoke("ping"));
        }
    }

    @Test
    void legacySinglePhaseModuleIsFencedWithAMigrationHint() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            legacyPointIsFenced(a, b);
        }
    }

    /** legacy_point (fresh in a's host) works in a and is refused in b with the migration hint;
     *  also run on the committed old builds of legacy_point (AbiCompatTest). */
    static void legacyPointIsFenced(Interpreter a, Interpreter b) {
        ExtensionModule legacy = a.importModule("legacy_point");
        assertEquals(1L, legacy.invoke("count"));
        assertEquals(2L, legacy.invoke("count"));
        assertNativeError("ImportError", "module 'legacy_point' uses single-phase init and static types"
                + " (legacy_point.Point, legacy_point.Line) and is loaded in interpreter " + a.id()
                + "; it cannot be loaded in several interpreters. See abi/MIGRATION.md to make it multiphase",
                () -> b.importModule("legacy_point"));
        assertEquals(3L, a.importModule("legacy_point").invoke("count"), "same instance on re-import");
    }
}
