package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * extensions/vector (its README.md is the manual): construction, items with negative
 * indices, membership, iteration through vector.VectorIterator, repr, dot, norm, the class
 * method zeros with a keyword, the FrozenVector subtype, the keyword constructor, the buffer
 * (Handle.byteBuffer() read and written without a copy), and every documented message, in
 * two interpreters at once. (==, hash, the orderings, arithmetic, bool and weak references,
 * which Java does not reach: the driver's vector scenario.)
 */
class VectorTest extends NativeTestBase {

    private static List<Object> drain(Iterable<Object> h) {
        List<Object> out = new ArrayList<>();
        for (Object x : h) out.add(x);
        return out;
    }

    private static void sequence(Handle vectorType) {
        try (Handle v = (Handle) vectorType.call(1L, 2.5, -3.0)) {
            assertEquals("vector.Vector", v.typeName());
            assertEquals("Vector(1.0, 2.5, -3.0)", v.repr());
            assertEquals(3L, v.length());
            assertEquals(1.0, v.getItem(0L));
            assertEquals(-3.0, v.getItem(-1L));
            assertEquals(1.0, v.getItem(-3L));
            assertNativeError("IndexError", "vector index out of range", () -> v.getItem(3L));
            assertNativeError("IndexError", "vector index out of range", () -> v.getItem(-4L));
            assertNativeError("TypeError", "vector indices must be integers, not str", () -> v.getItem("0"));
            v.setItem(-1L, 4L);
            v.setItem(true, 0.5); // a bool is an int: index 1
            assertEquals(List.of(1.0, 0.5, 4.0), drain(v));
            assertNativeError("IndexError", "vector assignment index out of range", () -> v.setItem(3L, 1.0));
            assertNativeError("TypeError", "vector components must be real numbers, not str", () -> v.setItem(0L, "x"));
            assertNativeError("TypeError", "'vector.Vector' object doesn't support item deletion", () -> v.delItem(0L));
            assertTrue(v.contains(4L));
            assertTrue(v.contains(0.5));
            assertFalse(v.contains(2.0));
            assertFalse(v.contains("x"));
            HandleIterator it = v.iterator();
            assertEquals(1.0, it.next());
            v.close(); // the iterator holds the vector
            assertEquals(List.of(0.5, 4.0), drain(() -> it));
        }
    }

    private static void methods(Handle vectorType, Handle frozenType) {
        try (Handle a = (Handle) vectorType.call(3L, 4L); Handle f = (Handle) frozenType.call(1.0, 2.0);
                Handle c = (Handle) vectorType.call(1.0, 2.0, 3.0); Handle empty = (Handle) vectorType.call()) {
            assertEquals(5.0, a.invoke("norm"));
            try (Handle b = (Handle) vectorType.call(3L, 5L)) {
                assertEquals(Math.sqrt(34), b.invoke("norm"));
            }
            assertEquals(0.0, empty.invoke("norm"));
            assertEquals("Vector()", empty.repr());
            assertEquals(11.0, a.invoke("dot", f));
            assertEquals(11.0, f.invoke("dot", a), "dot from the subtype: its defining class is Vector");
            assertNativeError("ValueError", "dot() of vectors of different lengths (2 and 3)", () -> a.invoke("dot", c));
            assertNativeError("TypeError", "dot() argument must be vector.Vector, not float", () -> a.invoke("dot", 1.0));
            assertNativeError("TypeError", "vector.Vector.dot() takes exactly 1 argument (0 given)", () -> a.invoke("dot"));
            assertNativeError("TypeError", "vector components must be real numbers, not str", () -> vectorType.call(1.0, "x"));
            assertNativeError("TypeError", "vector.Vector() takes components or the keywords size and fill, not both",
                    () -> vectorType.call(Arguments.of(1.0).keyword("y", 2.0)));
            // FrozenVector: Vector's slots and methods, immutable
            assertEquals("FrozenVector(1.0, 2.0)", f.repr());
            assertEquals(2.0, f.getItem(-1L));
            assertEquals(List.of(1.0, 2.0), drain(f));
            assertNativeError("TypeError", "'vector.FrozenVector' object does not support item assignment",
                    () -> f.setItem(0L, 1.0));
            assertNativeError("TypeError", "'vector.FrozenVector' object doesn't support item deletion", () -> f.delItem(0L));
        }
        // zeros: a class method of the class it is called on, through the type or an instance
        try (Handle z = (Handle) vectorType.invoke("zeros", 2L);
                Handle fz = (Handle) frozenType.invoke("zeros", Arguments.of().keyword("n", 3L));
                Handle f = (Handle) frozenType.call(7L); Handle fz0 = (Handle) f.invoke("zeros", 0L)) {
            assertEquals("Vector(0.0, 0.0)", z.repr());
            assertEquals("FrozenVector(0.0, 0.0, 0.0)", fz.repr());
            assertEquals("vector.FrozenVector", fz0.typeName());
            assertEquals(0L, fz0.length());
        }
        assertNativeError("ValueError", "zeros() length must be >= 0, not -1", () -> vectorType.invoke("zeros", -1L));
        assertNativeError("TypeError", "zeros() length must be an int, not float", () -> vectorType.invoke("zeros", 1.0));
        assertNativeError("TypeError", "zeros() missing required argument 'n' (pos 1)", () -> vectorType.invoke("zeros"));
        assertNativeError("TypeError", "zeros() got an unexpected keyword argument 'm'",
                () -> vectorType.invoke("zeros", Arguments.of().keyword("m", 1L)));
        assertNativeError("MemoryError", "out of memory", () -> vectorType.invoke("zeros", Long.MAX_VALUE));
    }

    /** Vector(size=n, fill=x): the keyword form of the constructor, and its messages. */
    private static void keywords(Handle vectorType, Handle frozenType) {
        try (Handle v = (Handle) vectorType.call(Arguments.of().keyword("size", 3L).keyword("fill", 0.5));
                Handle f = (Handle) frozenType.call(Arguments.of().keyword("size", 2L))) {
            assertEquals("Vector(0.5, 0.5, 0.5)", v.repr());
            assertEquals("FrozenVector(0.0, 0.0)", f.repr());
        }
        assertNativeError("TypeError", "Vector() missing required keyword-only argument 'size'",
                () -> vectorType.call(Arguments.of().keyword("fill", 1.0)));
        assertNativeError("ValueError", "Vector() size must be >= 0, not -1",
                () -> vectorType.call(Arguments.of().keyword("size", -1L)));
        assertNativeError("TypeError", "Vector() size must be an int, not float",
                () -> vectorType.call(Arguments.of().keyword("size", 1.0)));
        assertNativeError("TypeError", "vector components must be real numbers, not str",
                () -> vectorType.call(Arguments.of().keyword("size", 1L).keyword("fill", "x")));
        assertNativeError("TypeError", "float() argument must be a string or a real number, not 'NoneType'",
                () -> vectorType.call((Object) null));
    }

    /** The buffer: the components themselves, seen and written from Java without a copy. */
    private static void buffer(Handle vectorType, Handle frozenType) {
        try (Handle v = (Handle) vectorType.call(1L, 2L, 3L); Handle f = (Handle) frozenType.call(4L, 5L)) {
            assertEquals(new BufferLayout("d", 8, List.of(3L), List.of(8L), false, 24), v.bufferLayout());
            ByteBuffer bytes = v.byteBuffer();
            assertEquals(ByteOrder.nativeOrder(), bytes.order());
            DoubleBuffer items = bytes.asDoubleBuffer();
            assertEquals(3, items.capacity());
            assertEquals(2.0, items.get(1));
            items.put(0, 7.5);                 // Java writes, the vector sees it
            assertEquals(7.5, v.getItem(0L));
            v.setItem(2L, -1.0);               // the vector writes, Java sees it
            assertEquals(-1.0, items.get(2));
            assertEquals("Vector(7.5, 2.0, -1.0)", v.repr());
            assertEquals(new BufferLayout("d", 8, List.of(2L), List.of(8L), true, 16), f.bufferLayout());
            ByteBuffer frozen = f.byteBuffer();
            assertTrue(frozen.isReadOnly());
            assertEquals(5.0, frozen.asDoubleBuffer().get(1));
        }
    }

    /** Components through float() and indices through __index__: test-ext/numeric's Num has both. */
    private static void foreignNumbers(Interpreter interp, Handle vectorType) {
        try (ExtensionModule numeric = interp.importModule("numeric"); Handle two = (Handle) numeric.invoke("num", 2L);
                Handle one = (Handle) numeric.invoke("num", 1L);
                Handle v = (Handle) vectorType.call(two, 5L, one)) {
            assertEquals("Vector(2.0, 5.0, 1.0)", v.repr());
            assertEquals(5.0, v.getItem(one), "an index with __index__");
            v.setItem(one, two);
            assertEquals(2.0, v.getItem(1L));
            try (Handle z = (Handle) vectorType.invoke("zeros", two);
                    Handle s = (Handle) vectorType.call(Arguments.of().keyword("size", two).keyword("fill", one))) {
                assertEquals("Vector(0.0, 0.0)", z.repr());
                assertEquals("Vector(1.0, 1.0)", s.repr());
            }
        }
    }

    /** One interpreter's run. */
    private static String use(Interpreter interp) {
        ExtensionModule m = interp.importModule("vector");
        try (Handle vectorType = (Handle) m.getAttr("Vector"); Handle frozenType = (Handle) m.getAttr("FrozenVector")) {
            sequence(vectorType);
            methods(vectorType, frozenType);
            keywords(vectorType, frozenType);
            buffer(vectorType, frozenType);
            foreignNumbers(interp, vectorType);
            return "ok";
        }
    }

    @InProcessOnly("it uses the buffer protocol (Handle.byteBuffer), refused in a worker process (ABI.md 13.12)")
    @Test
    void twoInterpretersAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<String> seen = Together.run(2, i -> () -> use(i == 0 ? a : b));
            assertEquals(List.of("ok", "ok"), seen);
            // the ByteBuffers are garbage now: found before the close, so it need not wait
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
    void theDeclaration() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ModuleDefinition d = interp.importModule("vector").definition();
            assertEquals(List.of("vector.Vector", "vector.FrozenVector", "vector.VectorIterator"),
                    d.types().stream().map(ModuleDefinition.TypeDef::name).toList());
            assertEquals("vector.Vector", d.types().get(1).base());
            assertFalse(d.types().get(0).gc(), "a Vector holds no references");
            assertTrue(d.types().get(2).gc(), "an iterator holds its vector");
            assertEquals(ModuleDefinition.SupportLevel.PER_INTERPRETER_LOCK, d.supportLevel());
        }
    }
}
