package org.isolex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Conversions both ways through probe.echo, and objects that stay native (handles). */
class ValuesTest extends NativeTestBase {

    @Test
    void echoRoundTripsEveryConvertibleType() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule probe = interp.importModule("probe");
            long handles = interp.handleCount();
            for (Object v : new Object[] {null, true, false, 0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0.0, -0.0, 1.5,
                    Double.MAX_VALUE, Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, "",
                    "plain", "ünïcødé ✓ 日本語 😀 \u0000 inside", List.of(), List.of(1L, "two", 3.0)}) {
                assertEquals(v, probe.invoke("echo", v), () -> "echo of " + v);
            }
            Object nan = probe.invoke("echo", Double.NaN);
            assertTrue(Double.isNaN((Double) nan));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) probe.invoke("echo", -0.0)));

            // narrower Java types widen
            assertEquals(7L, probe.invoke("echo", 7));
            assertEquals(7L, probe.invoke("echo", (short) 7));
            assertEquals(-7L, probe.invoke("echo", (byte) -7));
            assertEquals(0.25, probe.invoke("echo", 0.25f));

            byte[] bytes = new byte[256];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
            assertArrayEquals(bytes, (byte[]) probe.invoke("echo", (Object) bytes));
            assertArrayEquals(new byte[0], (byte[]) probe.invoke("echo", (Object) new byte[0]));

            // tuples come back as lists; nested containers; dict order kept
            assertEquals(List.of(1L, "a", List.of()), probe.invoke("echo", (Object) new Object[] {1L, "a", new Object[0]}));
            Map<Object, Object> dict = new LinkedHashMap<>();
            dict.put("z", 1L);
            dict.put("a", List.of(Map.of("deep", Arrays.asList(true, false, null))));
            dict.put(3L, "int key");
            dict.put(List.of(1L, 2L), "tuple key");  // a List key goes as a list: unhashable
            Map<Object, Object> hashable = new LinkedHashMap<>(dict);
            hashable.remove(List.of(1L, 2L));
            hashable.put(new Object[] {1L, 2L}, "tuple key");
            @SuppressWarnings("unchecked")
            Map<Object, Object> back = (Map<Object, Object>) probe.invoke("echo", hashable);
            assertEquals(new ArrayList<>(List.of("z", "a", 3L, List.of(1L, 2L))), new ArrayList<>(back.keySet()));
            assertEquals(List.of(Map.of("deep", Arrays.asList(true, false, null))), back.get("a"));
            assertEquals("tuple key", back.get(List.of(1L, 2L)));
            assertNativeError("TypeError", "unhashable type: 'list'", () -> probe.invoke("echo", dict));

            // results are unmodifiable
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) probe.invoke("echo", List.of(1L));
            assertThrows(UnsupportedOperationException.class, () -> list.add(2L));
            assertThrows(UnsupportedOperationException.class, () -> back.put("x", 1L));

            // 64 levels of lists cross; a 65th is refused before any native call (ABI.md 12.2)
            Object deep = List.of();
            for (int i = 1; i < 64; i++) deep = List.of(deep);
            assertEquals(deep, probe.invoke("echo", deep));
            Object tooDeep = List.of(deep);
            assertThrowsMessage(IllegalArgumentException.class, "argument 1: value nested deeper than 64 levels,"
                    + " the isolex host's limit (does it contain itself?)", () -> probe.invoke("echo", tooDeep));

            assertEquals(handles, interp.handleCount(), "converted values hold no handles");
        }
    }

    @Test
    void typeNamesOfConvertedValues() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule probe = interp.importModule("probe");
            assertEquals("NoneType", probe.invoke("type_name", (Object) null));
            assertEquals("bool", probe.invoke("type_name", true));
            assertEquals("int", probe.invoke("type_name", 1));
            assertEquals("float", probe.invoke("type_name", 1.0));
            assertEquals("str", probe.invoke("type_name", "s"));
            assertEquals("bytes", probe.invoke("type_name", (Object) new byte[1]));
            assertEquals("tuple", probe.invoke("type_name", (Object) new Object[0]));
            assertEquals("list", probe.invoke("type_name", List.of()));
            assertEquals("dict", probe.invoke("type_name", Map.of()));
            // make(kind) values convert to Java (a tuple to a List, so it goes back as a list)
            assertEquals(List.of(), probe.invoke("make", "list"));
            assertEquals(Map.of(), probe.invoke("make", "dict"));
            assertEquals(List.of(), probe.invoke("make", "tuple"));
            assertEquals("", probe.invoke("make", "str"));
            assertArrayEquals(new byte[0], (byte[]) probe.invoke("make", "bytes"));
            assertEquals(0L, probe.invoke("make", "int"));
            assertEquals(0.0, probe.invoke("make", "float"));
        }
    }

    @Test
    void largeResultsUseTheTooBigProtocol() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule fact = interp.importModule("fact");
            ExtensionModule probe = interp.importModule("probe");
            long handles = interp.handleCount();
            String digits = (String) fact.invoke("factorial", 20000L);  // 77338 digits: more than the first buffer
            assertEquals(77338, digits.length());
            assertEquals(77338L, fact.invoke("factorial_digits", 20000L));
            assertTrue(digits.startsWith("18192063202303451348276417568664587660716"));
            assertEquals(handles, interp.handleCount(), "the temporary handle of the protocol is released");

            List<Object> big = new ArrayList<>();
            for (int i = 0; i < 20000; i++) big.add("item " + i);
            assertEquals(big, probe.invoke("echo", big));
            byte[] mb = new byte[1 << 20];
            Arrays.fill(mb, (byte) 7);
            assertArrayEquals(mb, (byte[]) probe.invoke("echo", (Object) mb));
            // and back to small
            assertEquals("x", probe.invoke("echo", "x"));
            assertEquals(handles, interp.handleCount());
        }
    }

    @Test
    void unsupportedJavaTypesAreRefusedBeforeAnyNativeCall() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule probe = interp.importModule("probe");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> probe.invoke("echo", Set.of(1)));
            assertTrue(e.getMessage().startsWith("argument 1: cannot convert a java.util."), e.getMessage());
            assertTrue(e.getMessage().contains("supported: null, Boolean"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> probe.invoke("echo", List.of(new StringBuilder())));
            assertTrue(e.getMessage().startsWith("argument 1: cannot convert a java.lang.StringBuilder"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> probe.invoke("echo", "bad \uD800 surrogate"));
            assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
            List<Object> cyclic = new ArrayList<>();
            cyclic.add(cyclic);
            e = assertThrows(IllegalArgumentException.class, () -> probe.invoke("echo", cyclic));
            assertTrue(e.getMessage().contains("does it contain itself?"), e.getMessage());
            assertEquals(1L, probe.invoke("echo", 1L), "still usable");
        }
    }

    @Test
    void counterObjectsAreHandlesWithAttributesAndMethods() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            ExtensionModule probe = interp.importModule("probe");
            long handles = interp.handleCount();
            try (Handle c = (Handle) counter.invoke("Counter", 10L, 5L)) {
                assertEquals("counter.Counter", c.typeName());
                assertEquals(interp, c.interpreter());
                assertEquals(handles + 1, interp.handleCount());
                assertEquals("Counter(value=10, step=5)", c.repr());
                assertEquals(15L, c.invoke("increment"));
                assertEquals(20L, c.invoke("increment"));
                assertEquals(25L, c.invoke("add", 5L));
                assertEquals(25L, c.invoke("get"));
                assertEquals(25L, c.getAttr("value"));
                assertEquals(25L, counter.invoke("value_of", c));

                // value: read-only member (ABI.md 5.4)
                assertNativeError("AttributeError", "attribute 'value' of 'counter.Counter' objects is not writable",
                        () -> c.setAttr("value", 1L));
                assertNativeError("AttributeError", "'counter.Counter' object has no attribute 'x'", () -> c.getAttr("x"));
                assertNativeError("AttributeError", "'counter.Counter' object has no attribute 'nope'",
                        () -> c.invoke("nope"));
                // step: writable member
                c.setAttr("step", 100L);
                assertEquals(100L, c.getAttr("step"));
                assertEquals(125L, c.invoke("increment"));
                assertNativeError("TypeError", "expected int, got str", () -> c.setAttr("step", "big"));
                // label: getset
                assertNull(c.getAttr("label"));
                c.setAttr("label", "mine ✓");
                assertEquals("mine ✓", c.getAttr("label"));
                assertEquals("Counter(value=125, step=100, label='mine ✓')", c.repr());
                assertNativeError("TypeError", "label must be a str or None", () -> c.setAttr("label", 3L));
                c.setAttr("label", null);
                assertNull(c.getAttr("label"));
                assertNull(c.invoke("reset"));
                assertEquals(0L, c.getAttr("value"));

                // a bound method is a handle too, and callable
                try (Handle inc = (Handle) c.getAttr("increment")) {
                    assertEquals(100L, inc.call());
                    assertFalse(inc.sameObject(c));
                }
                // handle identity
                try (Handle same = (Handle) probe.invoke("echo", c)) {
                    assertTrue(same.sameObject(c));
                    assertEquals(c.identity(), same.identity());
                    assertEquals(handles + 2, interp.handleCount());
                }
                try (Handle other = (Handle) counter.invoke("Counter")) {
                    assertFalse(other.sameObject(c));
                }
            }
            assertEquals(handles, interp.handleCount());
            assertInstanceOf(Handle.class, counter.getAttr("Counter"));
        }
    }

    @Test
    void moduleAttributes() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            assertEquals("counter", counter.name());
            try (Handle created = (Handle) counter.getAttr("created")) {
                assertEquals(0L, created.call());
            }
            counter.setAttr("answer", 42L);
            assertEquals(42L, counter.getAttr("answer"));
            assertNativeError("AttributeError", "module 'counter' has no attribute 'nope'", () -> counter.getAttr("nope"));
        }
    }
}
