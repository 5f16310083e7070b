package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: builtin types as bases (ABI.md 5.55) through test-ext's strbase module: a str
 * subtype made as CPython's xxlimited makes its Str, its instances behaving as str in the
 * API and crossing to Java as a String, and the refused bases' exact messages; two
 * interpreters at once.
 */
class StrBaseTest extends NativeTestBase {

    private static final String MADE = "type 'strbase.Made': ";

    private static List<?> useStr(Interpreter interp) {
        ExtensionModule m = interp.importModule("strbase");
        try (Handle str = (Handle) m.getAttr("Str"); Handle sub = (Handle) m.getAttr("SubStr")) {
            assertEquals("abc", str.call("abc"), "a str subtype's instance is a str: Java gets a String");
            assertEquals("", str.call());
            assertEquals("42", str.call(42L), "str(x) of anything");
            assertEquals("x", sub.call("x"));
            assertEquals(1L, m.invoke("inits"), "the subtype's tp_init runs after str's constructor");
            assertNativeError("TypeError", "strbase.Str() takes at most 1 argument (2 given)", () -> str.call("a", "b"));
            assertNativeError("TypeError", "strbase.Str() takes no keyword arguments",
                    () -> str.call(Arguments.of().keyword("x", "a")));
            try (Handle made = (Handle) m.invoke("base_of", "str", 0L)) {
                assertEquals("made", made.call("made"));
            }
            return (List<?>) m.invoke("probe", "abcé");
        }
    }

    @Test
    void aStrSubtypeBehavesAsStrInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<List<?>> seen = Together.run(2, i -> () -> useStr(i == 0 ? a : b));
            List<Object> want = List.of("strbase.Str", "abcé", 4L, true, true, 1L, true, 4L);
            assertEquals(List.of(want, want), seen);
        }
    }

    @Test
    void refusedBasesHaveExactMessagesInTwoInterpreters() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("still usable", "still usable"), Together.run(2, i -> () -> refusals(i == 0 ? a : b)));
        }
    }

    private static Object refusals(Interpreter interp) {
        ExtensionModule m = interp.importModule("strbase");
        for (String name : List.of("int", "float", "bytes", "tuple", "list", "dict")) {
            assertNativeError("TypeError", "type '" + name + "' is not an acceptable base type",
                    () -> m.invoke("base_of", name, 0L));
        }
        assertNativeError("SystemError", MADE + "a subtype of str cannot add fields; its basic_size must be 0"
                + " (str's size), not 40", () -> m.invoke("base_of", "str", 40L));
        assertNativeError("SystemError", MADE + "a subtype of str cannot add fields; its basic_size must be 0"
                + " (str's size), not 48", () -> m.invoke("base_of", "Str", 48L));
        assertNativeError("SystemError", "type 'strbase.BadNew': a subtype of str is made by str's constructor;"
                + " it takes no IX_tp_new or IX_tp_new_kw (IX_tp_init runs after it)", () -> m.invoke("bad_new"));
        assertNativeError("TypeError", "IxType_GenericAlloc cannot make 'strbase.Str' instances (a subtype of"
                + " str): call the type", () -> m.invoke("alloc"));
        // ABI 1.2 (ABI.md 5.55): the hidden dict and weakref words would follow a str's value
        for (long flags : new long[] {4L, 8L, 12L}) {
            assertNativeError("SystemError", "type 'strbase.Managed': a subtype of str cannot have"
                    + " IX_TPFLAGS_MANAGED_DICT or IX_TPFLAGS_MANAGED_WEAKREF", () -> m.invoke("managed", flags));
        }
        return ((List<?>) m.invoke("probe", "still usable")).get(1);
    }

    @Test
    void debugModeFindsNothing() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter()) {
            useStr(a);
        }
    }
}
