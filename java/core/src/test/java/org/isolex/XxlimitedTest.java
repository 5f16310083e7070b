package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * extensions/xxlimited, CPython's xxlimited.c ported (its README.md maps every piece):
 * every function, type and message from Java, in two interpreters at once; the module's
 * declaration as the host reads it; x_attr attributes, the buffer (Handle.byteBuffer()), Str.
 * (==, ordering, raising Error and the views' count from C: the driver's
 * xxlimited scenario.)
 */
class XxlimitedTest extends NativeTestBase {

    /** One interpreter's run; returns what it saw, the same in every interpreter. */
    private static String use(Interpreter interp) {
        ExtensionModule m = interp.importModule("xxlimited");
        assertEquals(3L, m.invoke("foo", 1L, 2L));
        assertEquals(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO),
                m.invoke("foo", Long.MAX_VALUE, Long.MAX_VALUE), "the exact sum, past int64");
        assertNativeError("TypeError", "xxlimited.foo() takes exactly 2 arguments (1 given)", () -> m.invoke("foo", 1L));
        assertNativeError("TypeError", "expected int, got str", () -> m.invoke("foo", 1L, "x"));
        assertNativeError("OverflowError", "int too big to convert to int64",
                () -> m.invoke("foo", BigInteger.TWO.pow(63), 0L));
        String badSpec = "IxArg_Parse: invalid spec for roj(): names must be NULL-terminated (at most 255), "
                + "0 <= required <= count and 0 <= positional <= count";
        assertNativeError("SystemError", badSpec, () -> m.invoke("roj", 1L, 2L));
        assertNativeError("SystemError", badSpec, () -> m.invoke("roj", Arguments.of(1L).keyword("b", 2L)));

        try (Handle xxoType = (Handle) m.getAttr("Xxo"); Handle x = (Handle) m.invoke("new");
                Handle y = (Handle) xxoType.call()) {
            assertEquals("xxlimited.Xxo", x.typeName());
            assertEquals("xxlimited.Xxo", y.typeName());
            assertTrue(x.repr().startsWith("<xxlimited.Xxo object at "), x.repr());
            try (Handle same = (Handle) x.invoke("demo", y)) {
                assertTrue(same.sameObject(y), "demo(an Xxo) returns it");
            }
            assertEquals("s", x.invoke("demo", "s"));
            assertNull(x.invoke("demo", 5L));
            assertNativeError("TypeError", "xxlimited.Xxo.demo() takes exactly 1 argument (0 given)", () -> x.invoke("demo"));
            assertNativeError("TypeError", "xxlimited.Xxo.demo() takes no keyword arguments",
                    () -> x.invoke("demo", Arguments.of().keyword("o", 1L)));
            assertNativeError("TypeError", "Xxo.__new__() takes no arguments", () -> xxoType.call(1L));
            assertNativeError("TypeError", "xxlimited.Xxo() takes no keyword arguments",
                    () -> xxoType.call(Arguments.of().keyword("a", 1L)));
            assertNativeError("TypeError", "xxlimited.new() takes no arguments (1 given)", () -> m.invoke("new", 1L));
            assertNativeError("AttributeError", "'xxlimited.Xxo' object has no attribute 'x'", () -> x.getAttr("x"));
            // attributes live in x_attr, made on the first set
            x.setAttr("x", 5L);
            assertEquals(5L, x.getAttr("x"));
            assertEquals(0L, y.getAttr("x_exports"), "the other instance has its own");
            x.delAttr("x");
            assertNativeError("AttributeError", "delete non-existing Xxo attribute", () -> x.delAttr("x"));
            assertNativeError("AttributeError", "cannot set 'reserved'", () -> x.setAttr("reserved", 1L));
            // the buffer: 10 writable bytes; x_exports counts the views alive
            assertEquals(0L, x.getAttr("x_exports"));
            assertEquals(new BufferLayout("B", 1, List.of(10L), List.of(1L), false, 10), x.bufferLayout());
            assertEquals(0L, x.getAttr("x_exports"), "bufferLayout released its view");
            ByteBuffer bytes = x.byteBuffer();
            assertEquals(10, bytes.capacity());
            assertEquals(0, bytes.get(9));
            bytes.put(0, (byte) 'x');
            assertEquals((byte) 'x', x.byteBuffer().get(0), "the same memory");
            assertTrue((Long) x.getAttr("x_exports") >= 2L, "two ByteBuffers still reachable");
        }
        try (Handle strType = (Handle) m.getAttr("Str")) {
            assertEquals("abc", strType.call("abc"), "a Str is a str: Java gets a String");
            assertEquals("", strType.call());
            assertNativeError("TypeError", "xxlimited.Str() takes at most 1 argument (2 given)", () -> strType.call("a", "b"));
            assertNativeError("TypeError", "xxlimited.Str() takes no keyword arguments",
                    () -> strType.call(Arguments.of().keyword("x", "a")));
        }
        try (Handle nullType = (Handle) m.getAttr("Null"); Handle n = (Handle) nullType.call()) {
            assertEquals("xxlimited.Null", n.typeName());
            assertNativeError("TypeError", "Null() takes no arguments", () -> nullType.call(1L));
        }
        try (Handle error = (Handle) m.getAttr("Error"); Handle e = (Handle) error.call("boom")) {
            assertEquals("xxlimited.Error", e.typeName());
            return e.repr();
        }
    }

    @InProcessOnly("it uses the buffer protocol (Handle.byteBuffer), refused in a worker process (ABI.md 13.12)")
    @Test
    void twoInterpretersAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<String> seen = Together.run(2, i -> () -> use(i == 0 ? a : b));
            assertEquals(seen.get(0), seen.get(1));
            for (Interpreter i : List.of(a, b)) assertTrue(Gc.until(() -> i.state.exportsReachable() == 0, 30));
        }
    }

    @Test
    void debugModeFindsNothing() throws Exception {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter()) {
            use(a);
            assertTrue(Gc.until(() -> a.state.exportsReachable() == 0, 30));
        }
    }

    @Test
    void theDeclarationReadsLikeTheOriginal() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ModuleDefinition d = interp.importModule("xxlimited").definition();
            assertEquals("This is a template module just for instruction.", d.doc());
            assertEquals(ModuleDefinition.SupportLevel.PER_INTERPRETER_LOCK, d.supportLevel());
            assertTrue(d.hasTraverse() && d.hasClear() && d.hasFree());
            assertEquals(List.of("roj", "foo", "new"), d.functions().stream().map(ModuleDefinition.MethodDef::name).toList());
            assertEquals("foo(i,j)\n\nReturn the sum of i and j.", d.functions().get(1).doc());
            assertEquals(List.of("xxlimited.Error", "xxlimited.Xxo", "xxlimited.Str", "xxlimited.Null"),
                    d.types().stream().map(ModuleDefinition.TypeDef::name).toList());
            ModuleDefinition.TypeDef xxo = d.types().get(1);
            assertEquals("A class that explicitly stores attributes in an internal dict", xxo.doc());
            assertTrue(xxo.gc(), "Xxo is a GC type: its x_attr holds a reference");
            assertEquals("demo(o) -> o", xxo.methods().get(0).doc());
        }
    }
}
