package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A name with a NUL character in it (a module, method or attribute name) is refused before
 * any native call: native code reads names as C strings, where {@code "counter\0evil"} would
 * be {@code "counter"} (Names; libisolex refuses them too, ABI.md 3.7, tested by the C
 * driver's value-api scenario).
 */
class NamesTest extends NativeTestBase {

    @Test
    void namesWithANulCharacterAreRefusedBeforeAnyNativeCall() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            assertThrowsMessage(IllegalArgumentException.class,
                    "module name contains a NUL character (at index 7): \"counter\\0evil\"",
                    () -> interp.importModule("counter\0evil"));
            assertEquals(0, Host.loadedLibraries(), "nothing was imported");

            ExtensionModule counter = interp.importModule("counter");
            Handle c = (Handle) counter.invoke("Counter");
            long handles = interp.handleCount();
            assertThrowsMessage(IllegalArgumentException.class,
                    "method name contains a NUL character (at index 7): \"created\\0junk\"",
                    () -> counter.invoke("created\0junk"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "method name contains a NUL character (at index 0): \"\\0\"", () -> c.invoke("\0"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "attribute name contains a NUL character (at index 7): \"Counter\\0junk\"",
                    () -> counter.getAttr("Counter\0junk"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "attribute name contains a NUL character (at index 5): \"label\\0x\\0y\"",
                    () -> c.setAttr("label\0x\0y", "evil"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "module name contains a NUL character (at index 4): \"fact\\0\"",
                    () -> InterpreterPool.builder(host).imports("counter", "fact\0"));

            // nothing was called or set, and everything still works
            assertEquals(handles, interp.handleCount());
            assertEquals(1L, counter.invoke("created"));
            c.setAttr("label", "fine");
            assertEquals("fine", c.getAttr("label"));
            assertEquals(1L, c.invoke("increment"));
            c.close();
        }
    }
}
