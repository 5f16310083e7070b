package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: attribute slots, instance dicts, deleting and listing attributes, weak
 * references, module constants (ABI.md 3.40-3.43, 4.20, 5.40-5.43, 12.40) on
 * test-ext/attrs, in two interpreters at once; every rule's message exact, and nothing
 * left after close (NativeTestBase).
 */
class AttributesTest extends NativeTestBase {

    /** An Xo (xxlimited's Xxo): its slots keep attributes in a dict of its own. */
    private static String xo(ExtensionModule m) {
        try (Handle x = (Handle) m.invoke("xo")) {
            x.setAttr("color", "red");
            assertEquals("red", x.getAttr("color"));
            assertEquals("demo of Xo", x.invoke("demo"), "the generic fallback finds methods");
            x.delAttr("color");
            assertNativeError("AttributeError", "delete non-existing Xo attribute", () -> x.delAttr("color"));
            assertNativeError("AttributeError", "'attrs.Xo' object has no attribute 'color'", () -> x.getAttr("color"));
            assertNativeError("TypeError", "attribute name must be string, not 'int'", () -> m.invoke("generic_get", x, 7L));
            assertNativeError("TypeError", "'attrs.Xo' object has no __dict__", () -> m.invoke("get_dict", x));
            return "ok";
        }
    }

    /** A Box (managed dict) and a SubBox (inherits it), and the lookup order. */
    private static String box(ExtensionModule m) {
        try (Handle b = (Handle) m.invoke("box"); Handle s = (Handle) m.invoke("sub_box")) {
            assertEquals(List.of("__dict__", "hello", "label", "size"), b.attributeNames());
            b.setAttr("zeta", 1L);
            b.setAttr("alpha", 2L);
            b.setAttr("size", 9L); // a member: data descriptors come before the dict
            assertEquals(Map.of("zeta", 1L, "alpha", 2L), b.getAttr("__dict__"));
            assertEquals(Map.of("zeta", 1L, "alpha", 2L), m.invoke("get_dict", b));
            assertEquals(List.of("__dict__", "alpha", "hello", "label", "size", "zeta"), b.attributeNames());
            assertEquals(9L, b.getAttr("size"));
            assertNativeError("AttributeError", "attribute 'label' of 'attrs.Box' objects is not writable",
                    () -> b.setAttr("label", "x"));
            assertNativeError("AttributeError", "attribute '__dict__' of 'attrs.Box' objects is not writable",
                    () -> b.setAttr("__dict__", Map.of()));
            b.setAttr("hello", 3L); // the dict comes before methods
            assertEquals(3L, b.getAttr("hello"));
            assertNativeError("TypeError", "'int' object is not callable", () -> b.invoke("hello"));
            b.delAttr("hello");
            assertEquals("hello from Box", b.invoke("hello"));
            assertNativeError("AttributeError", "'attrs.Box' object has no attribute 'nothing'", () -> b.delAttr("nothing"));
            assertNativeError("AttributeError", "'attrs.Box' object has no attribute 'nothing'", () -> b.getAttr("nothing"));

            s.setAttr("extra", 5L);
            s.setAttr("mine", 7L);
            assertEquals(Map.of("mine", 7L), s.getAttr("__dict__"));
            assertEquals(5L, s.getAttr("extra"));
            assertEquals(List.of("__dict__", "extra", "hello", "label", "mine", "size"), s.attributeNames());
            s.setAttr("box", b); // a cycle through two instance dicts: collected at close
            b.setAttr("sub", s);
            return "ok";
        }
    }

    /** Weak references: a callback on refcount death, one that raises, and the refusals. */
    private static String weak(ExtensionModule m) {
        Handle w = (Handle) m.invoke("weak", 4L);
        try (Handle r1 = (Handle) m.invoke("ref", w, m.getAttr("record"));
                Handle r2 = (Handle) m.invoke("ref", w, m.getAttr("raise_in_callback"));
                Handle r3 = (Handle) m.invoke("ref", w, null); Handle p = (Handle) m.invoke("plain")) {
            try (Handle got = (Handle) m.invoke("deref", r3)) {
                assertEquals(4L, got.getAttr("v"));
            }
            try (Handle got = (Handle) r3.call(Arguments.of())) {
                assertEquals(4L, got.getAttr("v"), "ref() is the referent");
            }
            assertTrue(r1.repr().matches("<weakref at 0x[0-9a-f]+; to 'attrs.Weak' at 0x[0-9a-f]+>"), r1.repr());
            w.close(); // the last reference: r1 records None, r2's error is recorded and dropped
            assertEquals(Arrays.asList((Object) null), m.invoke("log"));
            assertNull(m.invoke("deref", r1));
            assertTrue(r1.repr().matches("<weakref at 0x[0-9a-f]+; dead>"), r1.repr());
            assertNativeError("TypeError", "cannot create weak reference to 'attrs.Plain' object", () -> m.invoke("ref", p));
            assertNativeError("TypeError", "cannot create weak reference to 'int' object", () -> m.invoke("ref", 7L));
            assertNativeError("TypeError", "expected weakref, got int", () -> m.invoke("deref", 7L));
            assertNativeError("TypeError", "weakref() takes no arguments (1 given)", () -> r3.call(Arguments.of(1L)));
            return "ok";
        }
    }

    /** A WeakBox holding itself in its dict: collected, its weak reference's callback runs. */
    private static String cycle(Interpreter interp, ExtensionModule m) {
        Handle b = (Handle) m.invoke("weak_box");
        b.setAttr("me", b);
        try (Handle r = (Handle) m.invoke("ref", b, m.getAttr("record"))) {
            b.close();
            assertTrue(interp.collectCycles() >= 2, "the WeakBox and its dict");
            assertNull(m.invoke("deref", r));
            List<?> log = (List<?>) m.invoke("log");
            assertEquals(2, log.size(), log::toString);
        }
        return "ok";
    }

    private static String use(Interpreter interp) {
        try (ExtensionModule m = interp.importModule("attrs")) {
            assertEquals(42L, m.getAttr("ANSWER"));
            assertEquals(Long.MIN_VALUE, m.getAttr("LOWEST"));
            assertEquals("h\u00e9llo", m.getAttr("GREETING"));
            assertEquals(List.of("ANSWER", "BadGet", "BadSet", "Box", "GREETING", "LOWEST", "Plain", "SubBox",
                    "Weak", "WeakBox", "Xo"), m.attributeNames().stream().filter(n -> Character.isUpperCase(n.charAt(0))).toList());
            assertEquals(List.of(xo(m), box(m), weak(m), cycle(interp, m)), List.of("ok", "ok", "ok", "ok"));
            // left for close: a referent and weak references to it, one with a callback
            Handle w = (Handle) m.invoke("weak", 1L);
            m.setAttr("kept_ref", m.invoke("ref", w, m.getAttr("record")));
            m.setAttr("kept", w);
            w.close();
            return "ok";
        }
    }

    @Test
    void twoInterpretersAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("ok", "ok"), Together.run(2, i -> () -> use(i == 0 ? a : b)));
        }
    }

    @Test
    void debugModeChecksTheNewEntriesAndFindsNothing() throws Exception {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("ok", "ok"), Together.run(2, i -> () -> use(i == 0 ? a : b)));
        }
        // no violation: only the raising callbacks, which debug mode logs too (ABI.md 6.8)
        String ignored = "isolex debug: exception ignored in weakref callback attrs.raise_in_callback: "
                + "ValueError: raised in a weakref callback";
        assertEquals(List.of(ignored, ignored), Host.debugViolations());
    }

    @Test
    void brokenSlotsRaiseExactErrorsAndTheHostStaysUsable() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter();
                ExtensionModule m = interp.importModule("attrs");
                Handle g = (Handle) m.invoke("bad_get"); Handle s = (Handle) m.invoke("bad_set")) {
            assertNativeError("SystemError", "attrs.BadGet.__getattribute__() returned NULL without setting an error",
                    () -> g.getAttr("noerr"));
            assertNativeError("SystemError", "attrs.BadGet.__getattribute__() returned a result with an error set",
                    () -> g.getAttr("both"), "ValueError: both");
            assertNativeError("AttributeError", "'attrs.BadGet' object has no attribute 'other'", () -> g.getAttr("other"));
            assertNativeError("SystemError", "attrs.BadSet.__setattr__() returned -1 without setting an error",
                    () -> s.setAttr("x", 1L));
            assertNativeError("SystemError", "attrs.BadSet.__delattr__() returned -1 without setting an error",
                    () -> s.delAttr("x"));
            assertNativeError("SystemError", "IxModule_AddIntConstant: the name is NULL", () -> m.invoke("const_null_name"));
            assertNativeError("SystemError", "IxModule_AddStringConstant: value for 'NOTHING' is NULL",
                    () -> m.invoke("const_null_value"));
            assertNativeError("ValueError", "invalid UTF-8 at byte 2", () -> m.invoke("const_bad_utf8"));
            m.delAttr("ANSWER");
            assertNativeError("AttributeError", "module 'attrs' has no attribute 'ANSWER'", () -> m.delAttr("ANSWER"));
            assertThrows(IllegalArgumentException.class, () -> m.delAttr("a\0b"));
            assertEquals(BigInteger.valueOf(Long.MIN_VALUE).longValue(), m.getAttr("LOWEST"), "still usable");
        }
    }
}
