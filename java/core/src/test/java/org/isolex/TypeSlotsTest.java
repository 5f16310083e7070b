package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: the type slots tp_init, tp_new_kw, tp_finalize and tp_token (ABI.md 5.50-5.54)
 * through test-ext's initfinal, tokens_a and tokens_b modules: constructors with keywords
 * from Java, finalizers once per object (reference counting and cycles, resurrection, a
 * subtype's level), the safe downcast by token across modules, and every rule's exact
 * message; two interpreters at once.
 */
class TypeSlotsTest extends NativeTestBase {

    /** counts(): (inits, finalized, sub_finalized, deallocs, saw_pending). */
    private static List<?> counts(ExtensionModule m) {
        return (List<?>) m.invoke("counts");
    }

    private static String constructors(Interpreter interp) {
        ExtensionModule m = interp.importModule("initfinal");
        try (Handle point = (Handle) m.getAttr("Point"); Handle sub = (Handle) m.getAttr("SubPoint");
                Handle kwnew = (Handle) m.getAttr("KwNew"); Handle plain = (Handle) m.getAttr("Plain");
                Handle other = (Handle) m.getAttr("Other"); Handle badInit = (Handle) m.getAttr("BadInit")) {
            try (Handle p = (Handle) point.call(Arguments.of(1L).keyword("y", 2L));
                    Handle q = (Handle) point.call(Arguments.of().keyword("y", 4L).keyword("x", 3L));
                    Handle r = (Handle) point.call(5L); Handle s = (Handle) sub.call(Arguments.of(6L).keyword("y", 7L))) {
                assertEquals(List.of(1L, 2L), List.of(p.getAttr("x"), p.getAttr("y")));
                assertEquals(List.of(3L, 4L), List.of(q.getAttr("x"), q.getAttr("y")));
                assertEquals(List.of(5L, 0L), List.of(r.getAttr("x"), r.getAttr("y")));
                assertEquals("initfinal.SubPoint", s.typeName(), "a subtype inherits tp_new and tp_init");
                assertEquals(7L, s.getAttr("y"));
            }
            assertEquals(4L, counts(m).get(0), "tp_init ran once per instance");
            try (Handle k = (Handle) kwnew.call(Arguments.of(1L).keyword("b", "two"))) {
                assertEquals(List.of(1L, "two"), List.of(k.getAttr("a"), k.getAttr("b")));
            }
            assertEquals(5L, other.call(), "tp_new's result, not an instance: no tp_init");
            assertEquals(4L, counts(m).get(0));
            assertNativeError("TypeError", "initfinal.Plain() takes no keyword arguments",
                    () -> plain.call(Arguments.of().keyword("x", 1L)));
            assertNativeError("TypeError", "Point() missing required argument 'x' (pos 1)",
                    () -> point.call(Arguments.of().keyword("y", 1L)));
            assertNativeError("SystemError", "initfinal.BadInit.__init__() returned -1 without setting an error",
                    () -> badInit.call());
            assertNativeError("SystemError", "initfinal.InitErr.__init__() returned 0 with an error set",
                    () -> m.invoke("InitErr"), "ValueError: init failed quietly");
            try (Handle viaModule = (Handle) m.invoke("Point", Arguments.of(8L).keyword("y", 9L))) {
                assertEquals(9L, viaModule.getAttr("y"), "module.invoke on a type passes the keywords too");
            }
            assertNativeError("SystemError",
                    "type 'initfinal.Both': IX_tp_new and IX_tp_new_kw exclude each other; give one",
                    () -> m.invoke("bad_type"));
            try (Handle k = (Handle) kwnew.call(Arguments.of("again"))) {
                return (String) k.getAttr("a") + " " + k.getAttr("b");
            }
        }
    }

    @Test
    void constructorsTakeKeywordsThroughNewKwAndInit() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<String> seen = Together.run(2, i -> () -> constructors(i == 0 ? a : b));
            assertEquals(List.of("again null", "again null"), seen);
        }
    }

    private static List<?> finalizers(Interpreter interp) {
        ExtensionModule m = interp.importModule("initfinal");
        try (Handle fin = (Handle) m.getAttr("Fin"); Handle subFin = (Handle) m.getAttr("SubFin")) {
            ((Handle) fin.call()).close();
            assertEquals(List.of(0L, 1L, 0L, 1L, 0L), counts(m), "finalize, then dealloc, once each");
            ((Handle) subFin.call()).close();
            assertEquals(List.of(0L, 2L, 1L, 2L, 0L), counts(m), "the subtype's level and the base's");
            // resurrection by reference counting: the finalizer stores self; it does not run again
            m.invoke("resurrect", true);
            ((Handle) fin.call()).close();
            assertEquals(1L, m.invoke("kept"));
            assertEquals(List.of(0L, 3L, 1L, 2L, 0L), counts(m), "resurrected: no dealloc");
            m.invoke("release");
            assertEquals(List.of(0L, 3L, 1L, 3L, 0L), counts(m), "dies now, not finalized twice");
            // a cycle: both finalized once by the collector, then cleared and freed
            try (Handle x = (Handle) fin.call(); Handle y = (Handle) fin.call()) {
                x.setAttr("ref", y);
                y.setAttr("ref", x);
            }
            assertEquals(2L, interp.collectCycles());
            assertEquals(List.of(0L, 5L, 1L, 5L, 0L), counts(m));
            // a cycle one of whose finalizers resurrects it: nothing is cleared; later it goes
            m.invoke("resurrect", true);
            try (Handle x = (Handle) fin.call(); Handle y = (Handle) fin.call()) {
                x.setAttr("ref", y);
                y.setAttr("ref", x);
            }
            assertEquals(0L, interp.collectCycles(), "resurrected with what it reaches");
            assertEquals(List.of(0L, 7L, 1L, 5L, 0L), counts(m));
            m.invoke("release");
            assertEquals(2L, interp.collectCycles());
            assertEquals(List.of(0L, 7L, 1L, 7L, 0L), counts(m), "freed without finalizing again");
            // the caller's pending error is set aside; a finalizer's own error is recorded
            // and dropped (ABI.md 6.8)
            m.invoke("raise_in_finalize", true);
            assertNativeError("ValueError", "kept", () -> m.invoke("drop_with_error"));
            ((Handle) fin.call()).close();
            m.invoke("raise_in_finalize", false);
            UnraisableError raised = new UnraisableError(1, "tp_finalize of initfinal.Fin", "ValueError",
                    "from a finalizer");
            assertEquals(List.of(raised, new UnraisableError(2, raised.where(), raised.typeName(), raised.message())),
                    interp.unraisableErrors());
            return counts(m);
        }
    }

    @Test
    void finalizersRunOncePerObjectInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<?>> seen = Together.run(2, i -> () -> finalizers(i == 0 ? a : b));
            assertEquals(List.of(0L, 9L, 1L, 9L, 0L), seen.get(0));
            assertEquals(seen.get(0), seen.get(1));
        }
    }

    @Test
    void debugModeFindsNothingInTheTypeSlots() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter();
                Interpreter c = host.newInterpreter()) {
            constructors(a);
            finalizers(b);
            tokens(c);
        }
        // no violation: only the two raising finalizers, which debug mode logs too (ABI.md 6.8)
        String ignored = "isolex debug: exception ignored in tp_finalize of initfinal.Fin: ValueError: from a finalizer";
        assertEquals(List.of(ignored, ignored), Host.debugViolations());
    }

    @Test
    void theDefinitionShowsMethodKindsAndTypeSlots() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ModuleDefinition def = a.importModule("initfinal").definition();
            ModuleDefinition.TypeDef point = type(def, "initfinal.Point");
            assertEquals(List.of("tp_new", "tp_init"), point.slots());
            assertTrue(point.baseType());
            assertEquals(List.of("tp_new_kw", "tp_dealloc"), type(def, "initfinal.KwNew").slots());
            assertEquals(List.of("tp_new", "tp_init"), type(def, "initfinal.SubPoint").slots(), "inherited");
            assertEquals(List.of("tp_new", "tp_finalize", "tp_dealloc", "tp_traverse", "tp_clear"),
                    type(def, "initfinal.SubFin").slots());
            assertEquals(List.of("tp_new", "tp_token"), type(a.importModule("tokens_a").definition(), "tokens_a.Thing")
                    .slots());
            ModuleDefinition sub = a.importModule("subclasses").definition();
            ModuleDefinition.MethodDef make = type(sub, "subclasses.Base").methods().stream()
                    .filter(m -> m.name().equals("make")).findFirst().orElseThrow();
            assertEquals(ModuleDefinition.MethodDef.CLASS, make.flags());
            assertEquals(List.of("CLASS"), make.kinds());
            ModuleDefinition.MethodDef span = a.importModule("kwfuncs").definition().functions().stream()
                    .filter(m -> m.name().equals("span")).findFirst().orElseThrow();
            assertEquals(List.of("KEYWORDS"), span.kinds());
        }
    }

    private static ModuleDefinition.TypeDef type(ModuleDefinition def, String name) {
        return def.types().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static String tokens(Interpreter interp) {
        ExtensionModule ta = interp.importModule("tokens_a");
        ExtensionModule tb = interp.importModule("tokens_b");
        try (Handle thing = (Handle) ta.getAttr("Thing"); Handle subThing = (Handle) ta.getAttr("SubThing");
                Handle own = (Handle) ta.getAttr("Own"); Handle plainType = (Handle) ta.getAttr("Plain");
                Handle t = (Handle) thing.call(3L); Handle s = (Handle) subThing.call(7L);
                Handle o = (Handle) own.call(); Handle p = (Handle) plainType.call()) {
            try (Handle found = (Handle) tb.invoke("find", t)) {
                assertTrue(found.sameObject(thing));
            }
            try (Handle found = (Handle) tb.invoke("find", s)) {
                assertTrue(found.sameObject(subThing), "the subtype inherits the token: it is the first found");
            }
            try (Handle found = (Handle) tb.invoke("find", o, "own")) {
                assertTrue(found.sameObject(own));
            }
            assertEquals(null, tb.invoke("find", o));
            assertEquals(null, tb.invoke("find", p));
            assertEquals(null, tb.invoke("find", 5L));
            assertEquals(1L, tb.invoke("no_result", s));
            assertEquals(0L, tb.invoke("no_result", p));
            assertEquals(3L, tb.invoke("thing_v", t));
            assertNativeError("TypeError", "expected a tokens_a.Thing, got tokens_a.Plain", () -> tb.invoke("thing_v", p));
            assertNativeError("SystemError", "IxType_GetBaseByToken called with token=NULL",
                    () -> tb.invoke("null_token", t));
            assertNativeError("TypeError", "expected type, got int", () -> tb.invoke("not_a_type", 5L));
            return String.valueOf(tb.invoke("thing_v", s));
        }
    }

    @Test
    void tokensRecogniseAnotherModulesTypesInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("7", "7"), Together.run(2, i -> () -> tokens(i == 0 ? a : b)));
        }
    }
}
