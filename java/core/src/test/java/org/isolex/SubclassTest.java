package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: subclassing (ABI.md 5.5-5.8) through test-ext's subclasses module: a subtype's
 * methods and members through its base, the host chaining each level's dealloc, an
 * Exception subtype crossing to Java, defining-class methods, GetModuleByDef from a
 * subtype, and the base rules' exact messages; two interpreters at once.
 */
class SubclassTest extends NativeTestBase {

    private static final String MADE = "type 'subclasses.Made': ";

    /** One interpreter's run; returns what it saw, the same in every interpreter. */
    private static String useSubclasses(Interpreter interp) {
        ExtensionModule m = interp.importModule("subclasses");
        try (Handle base = (Handle) m.getAttr("Base"); Handle sub = (Handle) m.getAttr("Sub");
                Handle s = (Handle) sub.call(7L); Handle cls = (Handle) s.invoke("defining");
                Handle mod = (Handle) s.invoke("module")) {
            assertEquals("Sub", s.invoke("who"));
            assertEquals(7L, s.invoke("get"));
            assertEquals(14L, s.invoke("twice"));
            assertEquals(7L, s.getAttr("value"));
            assertTrue(cls.sameObject(base), "the defining class is Base, not the instance's type");
            assertTrue(mod.sameObject(m), "GetModuleByDef from the subtype finds the module");
            s.setAttr("extra", "owned by Sub's level");
        }
        assertEquals(List.of(1L, 1L), m.invoke("deallocs"), "each level's dealloc ran once");
        try (Handle sub = (Handle) m.getAttr("Sub"); Handle made = (Handle) sub.invoke("make", 4L)) {
            assertEquals("subclasses.Sub", made.typeName(), "a class method called on Sub gets Sub");
            assertEquals(8L, made.invoke("twice"));
            assertEquals(42L, sub.invoke("doubled", 21L), "a static method");
        }
        assertNativeError("subclasses.Error", "from Java", () -> m.invoke("fail", "from Java"));
        try (Handle error = (Handle) m.getAttr("Error"); Handle e = (Handle) error.call("boom")) {
            return (String) e.invoke("describe");
        }
    }

    @Test
    void twoInterpretersEachWithTheirOwnTypesAndCounts() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<String> seen = Together.run(2, i -> () -> useSubclasses(i == 0 ? a : b));
            assertEquals(List.of("Error says: boom", "Error says: boom"), seen);
        }
    }

    @Test
    void debugModeChecksTheNewEntryAndFindsNothing() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter()) {
            useSubclasses(a);
        }
    }

    @Test
    void baseRulesHaveExactMessages() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ExtensionModule m = a.importModule("subclasses");
            try (Handle base = (Handle) m.getAttr("Base"); Handle fin = (Handle) m.invoke("final_type");
                    Handle loose = (Handle) m.invoke("loose_base")) {
                assertNativeError("SystemError", MADE + "basic_size 16 is smaller than its base's (32)",
                        () -> m.invoke("sub_of", base, 16L));
                assertNativeError("SystemError", MADE + "base 'subclasses.NoBase' does not allow subclassing;"
                        + " add IX_TPFLAGS_BASETYPE to its spec's flags", () -> m.invoke("sub_of", fin, 16L));
                try (Handle made = (Handle) m.invoke("sub_of", loose, 16L)) { // another module's: a base (5.5)
                    assertTrue(made.repr().contains("subclasses.Made"), made.repr());
                }
                assertNativeError("TypeError", "expected a type as base, got int", () -> m.invoke("sub_of", 7L, 16L));
                assertNativeError("TypeError", "IxType_GetModuleByDef: no superclass of 'subclasses.Loose' has"
                        + " module 'subclasses'", () -> m.invoke("by_def", loose));
            }
        }
    }

    @Test
    void theDefinitionReportsEachTypesBase() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ModuleDefinition def = a.importModule("subclasses").definition();
            assertEquals("subclasses.Base", type(def, "subclasses.Sub").base());
            assertEquals("Exception", type(def, "subclasses.Error").base());
            assertTrue(type(def, "subclasses.Error").exception());
            assertEquals(null, type(def, "subclasses.Base").base());
        }
    }

    private static ModuleDefinition.TypeDef type(ModuleDefinition def, String name) {
        return def.types().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }
}
