package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: bases of another module (ABI.md 5.5) through test-ext's xbase_b, which
 * subclasses xbase_a.Base, xbase_shared.Base (a shared-lock module), xbase_a.Error and
 * vector.Vector: inherited hooks run as code of the module that defined them (leak
 * attribution, the shared lock, debug mode), close is safe whichever module it clears
 * first, and the base's library stays mapped as long as a subtype needs it.
 */
class ForeignBaseTest extends NativeTestBase {

    /** One interpreter's run through every subtype; returns what it saw. */
    private static String useSubtypes(Interpreter interp) {
        ExtensionModule b = interp.importModule("xbase_b");
        try (Handle sub = (Handle) b.getAttr("Sub"); Handle s = (Handle) sub.call("held");
                Handle shared = (Handle) b.invoke("shared_sub"); Handle t = (Handle) shared.call();
                Handle vec = (Handle) b.getAttr("VecSub"); Handle v = (Handle) vec.call(1.0, 2.0);
                Handle error = (Handle) b.getAttr("SubError"); Handle e = (Handle) error.call("boom")) {
            assertEquals("<xbase_a.Base>", s.repr(), "Base's repr, as xbase_a's code");
            assertEquals("xbase_a", s.invoke("home"), "the defining class of home is xbase_a.Base");
            assertEquals("xbase_shared", t.invoke("home"));
            s.invoke("set_extra", "owned by Sub's level");
            assertEquals("owned by Sub's level", s.invoke("extra"));
            assertEquals(null, s.call(0L));
            assertEquals(null, t.call(0L));
            assertEquals("xbase_b.VecSub", v.typeName());
            assertEquals("VecSub", v.invoke("tag"));
            assertEquals("xbase_b.SubError", e.typeName());
        }
        b.invoke("entangle");
        try (Handle a = (Handle) interp.importModule("xbase_a").getAttr("kept")) {
            assertEquals("xbase_b.Sub", a.typeName());
            return a.repr();
        }
    }

    @Test
    void twoInterpretersSubclassOtherModulesTypesAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<String> seen = Together.run(2, i -> () -> useSubtypes(i == 0 ? a : b));
            assertEquals(List.of("<xbase_a.Base>", "<xbase_a.Base>"), seen);
        }
    }

    @Test
    void debugModeChecksInheritedHooksAndFindsNothing() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter()) {
            useSubtypes(a);
        }
    }

    @Test
    void aLeakInAnInheritedHookIsTheBasesModules() {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule b = interp.importModule("xbase_b");
        ExtensionModule third = interp.importModule("subclasses");
        try (Handle sub = (Handle) b.getAttr("Sub"); Handle s = (Handle) sub.call();
                Handle made = (Handle) third.invoke("sub_of", sub, 0L); Handle x = (Handle) made.call()) {
            s.call(100L); // Base's tp_call leaks 100 bytes: xbase_a's code, not xbase_b's
            x.call(50L); // two levels of other modules up (subclasses.Made -> xbase_b.Sub): still xbase_a's
            assertEquals("xbase_a", x.invoke("home"));
        }
        LeakException e = assertThrows(LeakException.class, interp::close);
        LeakReport r = e.report();
        assertEquals(Set.of("xbase_a"), r.bytesByModule().keySet(), r.toString());
        assertEquals(2, r.rawBlocks(), r.toString());
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void aSharedLockBaseTakesItsLockThroughAPerInterpreterSubtype() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            a.importModule("xbase_shared").invoke("reset");
            Together.run(2, i -> () -> {
                ExtensionModule m = (i == 0 ? a : b).importModule("xbase_b");
                try (Handle shared = (Handle) m.invoke("shared_sub"); Handle t = (Handle) shared.call()) {
                    for (int k = 0; k < 50; k++) t.call(0L);
                }
                return null;
            });
            assertEquals(1L, a.importModule("xbase_shared").invoke("max_inside"),
                    "xbase_shared's hook ran on two threads at once");
        }
    }

    @InProcessOnly("it reads which libraries this process maps; a worker maps them in its own (ABI.md 13.5)")
    @Test
    void theBasesLibraryIsUnloadedAfterItsLastSubtype() {
        Path lib = TEST_EXT.resolve("xbase_a.so");
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule b = interp.importModule("xbase_b");
        b.invoke("entangle"); // xbase_a's namespace holds a Sub: close meets it
        assertMapped(true, lib);
        interp.close();
        assertMapped(false, lib);
    }

    @Test
    void theBaseRulesThatStayHaveExactMessages() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ExtensionModule b = a.importModule("xbase_b");
            try (Handle point = (Handle) a.importModule("legacy_point").getAttr("Point");
                    Handle loose = (Handle) a.importModule("subclasses").invoke("loose_base");
                    Handle made = (Handle) b.invoke("sub_of", loose, 0L)) {
                assertNativeError("SystemError", "type 'xbase_b.Made': base 'legacy_point.Point' is a static type"
                        + " of a legacy module; it is a base only in that module", () -> b.invoke("sub_of", point, 0L));
                assertTrue(made.repr().contains("xbase_b.Made"), made.repr()); // a module-less base is fine
            }
            try (Handle base = (Handle) a.importModule("xbase_a").getAttr("Base")) {
                assertNativeError("SystemError", "type 'xbase_b.Made': basic_size 16 is smaller than its base's (32)",
                        () -> b.invoke("sub_of", base, 16L));
            }
        }
    }
}
