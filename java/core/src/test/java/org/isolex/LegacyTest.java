package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

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

    /** ABI 1.3 (ABI.md 7.10): a static subtype of a static type of the same module, readied with
     *  IxType_ReadyStaticWithBase, inherits like any subtype and is listed by the fence; the
     *  conditions it breaks (base not readied, base of another module, base not
     *  subclassable, a module that is not legacy) are refused with 5.5's and 7.10's messages. */
    @Test
    void staticSubtypeOfAStaticType() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertNativeError("SystemError", "type 'legacy_sub_peer.PeerShape': the base static type 'legacy_sub.Shape'"
                    + " is not readied; ready it first", () -> a.importModule("legacy_sub_peer"));

            ExtensionModule sub = a.importModule("legacy_sub");
            try (Handle circle = (Handle) ((Handle) sub.getAttr("Circle")).call()) {
                circle.setAttr("x", 1.5); // Shape's member
                circle.setAttr("r", 2.0);
                assertEquals(List.of(1.5, 2.0), List.of(circle.getAttr("x"), circle.getAttr("r")));
                assertEquals("legacy_sub.Circle", circle.invoke("kind")); // Shape's method
                assertEquals("legacy_sub.Circle", circle.typeName());
            }
            assertNativeError("SystemError", "type 'legacy_sub.FinalSub': base 'legacy_sub.Final' does not allow"
                    + " subclassing; add IX_TPFLAGS_BASETYPE to its spec's flags", () -> sub.invoke("sub_of_final"));
            assertNativeError("SystemError", "type 'legacy_sub_peer.PeerShape': base 'legacy_sub.Shape' is a static"
                    + " type of a legacy module; it is a base only in that module", () -> a.importModule("legacy_sub_peer"));
            ExtensionModule multi = a.importModule("legacy_sub_multi");
            assertNativeError("SystemError", "IxType_ReadyStaticWithBase needs the legacy module being built",
                    () -> multi.invoke("ready_sub"));

            assertNativeError("ImportError", "module 'legacy_sub' uses single-phase init and static types"
                    + " (legacy_sub.Shape, legacy_sub.Circle, legacy_sub.Final) and is loaded in interpreter " + a.id()
                    + "; it cannot be loaded in several interpreters. See abi/MIGRATION.md to make it multiphase",
                    () -> b.importModule("legacy_sub"));
            // the claim is the library's (7.3): a failed import of another legacy module of the same
            // file, in the interpreter that holds it, does not give it up
            assertNativeError("ImportError", "module 'legacy_sub_peer' uses single-phase init and static types"
                    + " (legacy_sub.Shape, legacy_sub.Circle, legacy_sub.Final) and is loaded in interpreter " + a.id()
                    + "; it cannot be loaded in several interpreters. See abi/MIGRATION.md to make it multiphase",
                    () -> b.importModule("legacy_sub_peer"));
            assertEquals("legacy_sub.Shape", ((Handle) ((Handle) sub.getAttr("Shape")).call()).invoke("kind"),
                    "a is unaffected");
            // a second legacy module of the library loads in a; the message lists both modules' types
            a.importModule("legacy_sub_also");
            assertNativeError("ImportError", "module 'legacy_sub_also' uses single-phase init and static types"
                    + " (legacy_sub.Shape, legacy_sub.Circle, legacy_sub.Final, legacy_sub_also.Also) and is loaded in"
                    + " interpreter " + a.id() + "; it cannot be loaded in several interpreters. See abi/MIGRATION.md to"
                    + " make it multiphase", () -> b.importModule("legacy_sub_also"));
        }
    }
}
