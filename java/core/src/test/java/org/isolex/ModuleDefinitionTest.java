package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.isolex.ModuleDefinition.Attribute;
import org.isolex.ModuleDefinition.GetSetDef;
import org.isolex.ModuleDefinition.MemberDef;
import org.isolex.ModuleDefinition.MethodDef;
import org.isolex.ModuleDefinition.SupportLevel;
import org.isolex.ModuleDefinition.TypeDef;
import org.junit.jupiter.api.Test;

/**
 * {@link ExtensionModule#definition()} (ixh_module_definition, ABI.md 12.4): what a module
 * declares, the same in every interpreter, read without running the extension and without
 * leaving a byte behind (NativeTestBase checks live bytes 0 after each test).
 */
class ModuleDefinitionTest extends NativeTestBase {

    @Test
    void counterDeclaresStateFunctionsAndItsTypes() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ModuleDefinition d = a.importModule("counter").definition();
            assertEquals("counter", d.name());
            assertEquals("The model extension: per-interpreter state, a heap type, a module exception.", d.doc());
            assertEquals(List.of(1, ImportErrorsTest.HOST_MINOR), List.of(d.abiMajor(), d.abiMinor()));
            assertFalse(d.legacy());
            assertEquals(SupportLevel.PER_INTERPRETER_LOCK, d.supportLevel());
            assertEquals("IX_MOD_MULTI_PER_INTERPRETER_LOCK", d.supportLevel().macroName());
            assertTrue(d.supportLevelDeclared());
            assertEquals(32, d.stateSize(), "counter_state: two pointers and two int64");
            assertEquals(List.of(false, 1, true, true, true),
                    List.of(d.hasCreate(), d.execSlots(), d.hasTraverse(), d.hasClear(), d.hasFree()));
            assertEquals(List.of(
                    new MethodDef("created", 0, 0, "created() -> int: Counters made here"),
                    new MethodDef("increments", 0, 0, "increments() -> int: increment() calls here"),
                    new MethodDef("value_of", 1, 1, "value_of(c) -> int: c.value")), d.functions());

            assertEquals(2, d.types().size(), d.types()::toString);
            TypeDef counter = d.types().get(0);
            assertEquals("counter.Counter", counter.name());
            assertEquals("Counter(start=0, step=1): an int64 counter", counter.doc());
            assertEquals(40, counter.basicSize(), "header, value, step, label");
            assertTrue(counter.gc());
            assertFalse(counter.exception() || counter.staticType());
            assertNull(counter.base());
            assertEquals(List.of("increment", "add", "reset", "get"),
                    counter.methods().stream().map(MethodDef::name).toList());
            assertEquals(new MethodDef("add", 1, 1, "add(n) -> int: add n, return the value"), counter.methods().get(1));
            assertEquals(List.of(new MemberDef("value", "int64", true, "the current value"),
                    new MemberDef("step", "int64", false, "what increment() adds")), counter.members());
            assertEquals(List.of(new GetSetDef("label", true, "a str, or None")), counter.getsets());

            TypeDef error = d.types().get(1);
            assertEquals("counter.CounterError", error.name());
            assertTrue(error.exception());
            assertEquals("Exception", error.base());
            assertEquals(List.of(), error.methods());
            assertEquals(List.of(), d.attributes());

            // the same declaration in another interpreter, whose type objects are its own
            assertEquals(d, b.importModule("counter").definition());
        }
    }

    @Test
    void factIsStatelessWithThreeFunctions() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ModuleDefinition d = a.importModule("fact").definition();
            assertEquals(0, d.stateSize());
            assertEquals(List.of("factorial", "digits", "factorial_digits"),
                    d.functions().stream().map(MethodDef::name).toList());
            assertTrue(d.functions().stream().allMatch(f -> f.minArgs() == 1 && f.maxArgs() == 1 && !f.isVarargs()));
            assertEquals(List.of(), d.types());
            assertEquals(d, b.importModule("fact").definition());
        }
    }

    /** A legacy module lives in one interpreter at a time: read it in one, close, read it in the next. */
    @Test
    void legacyModuleShowsItsStaticTypes() {
        try (Host host = newHost()) {
            ModuleDefinition first;
            try (Interpreter a = host.newInterpreter()) {
                first = a.importModule("legacy_point").definition();
            }
            try (Interpreter b = host.newInterpreter()) {
                assertEquals(first, b.importModule("legacy_point").definition());
            }
            assertTrue(first.legacy());
            assertEquals(SupportLevel.NOT_SUPPORTED, first.supportLevel());
            assertFalse(first.supportLevelDeclared());
            assertEquals(List.of(false, 0, false, false, false),
                    List.of(first.hasCreate(), first.execSlots(), first.hasTraverse(), first.hasClear(),
                            first.hasFree()));
            assertEquals(List.of(new MethodDef("count", 0, 0, "count() -> int: calls so far, process-wide")),
                    first.functions());
            assertEquals(List.of("legacy_point.Point", "legacy_point.Line"),
                    first.types().stream().map(TypeDef::name).toList());
            TypeDef line = first.types().get(1);
            assertTrue(line.staticType());
            assertEquals(List.of("x1", "y1", "x2", "y2"), line.members().stream().map(MemberDef::name).toList());
            assertEquals(new MemberDef("x1", "double", false, null), line.members().get(0));
        }
    }

    @Test
    void sharedLockLevelIsReported() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            assertEquals(SupportLevel.SHARED_LOCK, a.importModule("conc_shared").definition().supportLevel());
        }
    }

    /** A create slot may return any object (ABI.md 4.4): it has no definition to show. */
    @Test
    void nonModuleImportIsATypeError() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ExtensionModule m = a.importModule("create_nonmodule_ok");
            assertNativeError("TypeError", "expected a module made from a definition, got dict", m::definition);
        }
    }

    @Test
    void closedModuleIsRefused() {
        try (Host host = newHost(); Interpreter a = host.newInterpreter()) {
            ExtensionModule m = a.importModule("counter");
            m.close();
            assertThrows(ClosedException.class, m::definition);
        }
    }

    @Test
    void supportLevelValues() {
        assertEquals(SupportLevel.SHARED_LOCK, SupportLevel.of(2));
        assertEquals(3, SupportLevel.PER_INTERPRETER_LOCK.value());
        assertThrows(IllegalArgumentException.class, () -> SupportLevel.of(4));
        assertEquals(new Attribute("X", "int"), new Attribute("X", "int"));
    }

    /** The type of {@code name} in what {@code module} declares. */
    private static TypeDef type(Interpreter interp, String module, String name) {
        return interp.importModule(module).definition().types().stream().filter(t -> t.name().equals(name))
                .findFirst().orElseThrow();
    }

    /** ABI 1.2 (ABI.md 12.30): the attribute, number and buffer slots, and the type flags. */
    private static List<Object> abi12Slots(Interpreter interp) {
        TypeDef xo = type(interp, "attrs", "attrs.Xo");
        TypeDef box = type(interp, "attrs", "attrs.Box");
        TypeDef subBox = type(interp, "attrs", "attrs.SubBox");
        TypeDef weakBox = type(interp, "attrs", "attrs.WeakBox");
        TypeDef num = type(interp, "numeric", "numeric.Num");
        TypeDef matrix = type(interp, "buffers", "buffers.Matrix");
        return List.of(xo.slots(), xo.flagNames(), box.flagNames(), subBox.flags(), weakBox.flagNames(), num.slots(),
                num.flagNames(), matrix.slots().subList(matrix.slots().size() - 2, matrix.slots().size()));
    }

    @Test
    void abi12SlotsAndTypeFlagsAreListedTheSameInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<Object>> seen = Together.run(2, i -> () -> abi12Slots(i == 0 ? a : b));
            assertEquals(List.of(
                    List.of("tp_dealloc", "tp_traverse", "tp_clear", "tp_getattro", "tp_setattro"),
                    List.of("HAVE_GC"),
                    List.of("BASETYPE", "MANAGED_DICT"),
                    TypeDef.MANAGED_DICT, // inherited from Box; BASETYPE is not
                    List.of("MANAGED_DICT", "MANAGED_WEAKREF"),
                    List.of("tp_repr", "nb_add", "nb_subtract", "nb_multiply", "nb_negative", "nb_bool", "nb_int",
                            "nb_float", "nb_index", "nb_inplace_add"),
                    List.of("BASETYPE"),
                    List.of("bf_getbuffer", "bf_releasebuffer")), seen.get(0));
            assertEquals(seen.get(0), seen.get(1));
            // the constructor without flags derives them from gc and baseType
            TypeDef old = new TypeDef("m.T", null, 16, true, false, false, null, List.of(), List.of(), List.of(), true,
                    List.of());
            assertEquals(List.of("HAVE_GC", "BASETYPE"), old.flagNames());
        }
    }
}
