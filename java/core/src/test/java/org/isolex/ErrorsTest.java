package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/** Errors raised natively arrive as NativeError with type name, message and cause chain (ABI.md 6). */
class ErrorsTest extends NativeTestBase {

    @Test
    void raiserErrors() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule raiser = interp.importModule("raiser");
            long bytes = interp.liveBytes();

            NativeError own = assertNativeError("raiser.RaiserError", "something specific",
                    () -> raiser.invoke("raise_own", "something specific"));
            assertEquals(NativeError.class, own.getClass());
            assertNativeError("raiser.RaiserError", "ünïcødé ✓", () -> raiser.invoke("raise_own", "ünïcødé ✓"));
            assertNativeError("ValueError", "bad value", () -> raiser.invoke("raise_value"));
            NativeError sys = assertNativeError("SystemError", "raiser.null_no_error() returned NULL without setting an error",
                    () -> raiser.invoke("null_no_error"));
            assertInstanceOf(NativeSystemError.class, sys);
            assertNativeError("SystemError", "raiser.value_with_error() returned a result with an error set",
                    () -> raiser.invoke("value_with_error"), "ValueError: set but returned");

            assertEquals(bytes, interp.liveBytes(), "errors leave nothing behind");
            // the module-defined exception type is an attribute of the module, a type object
            try (Handle type = (Handle) raiser.getAttr("RaiserError")) {
                assertEquals("type", type.typeName());
            }
        }
    }

    @Test
    void counterErrorsAndArity() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            assertNativeError("counter.CounterError", "step must not be zero", () -> counter.invoke("Counter", 1L, 0L));
            try (Handle c = (Handle) counter.invoke("Counter", Long.MAX_VALUE)) {
                assertNativeError("counter.CounterError", "counter overflow", () -> c.invoke("increment"));
                assertEquals(Long.MAX_VALUE, c.getAttr("value"));
            }
            assertNativeError("TypeError", "counter.created() takes no arguments (1 given)",
                    () -> counter.invoke("created", 1L));
            assertNativeError("TypeError", "counter.value_of() takes exactly 1 argument (0 given)",
                    () -> counter.invoke("value_of"));
            assertNativeError("TypeError", "counter.value_of() takes exactly 1 argument (2 given)",
                    () -> counter.invoke("value_of", 1L, 2L));
            assertNativeError("TypeError", "expected int, got str", () -> counter.invoke("Counter", "x"));
            assertNativeError("TypeError", "expected counter.Counter, got int", () -> counter.invoke("value_of", 3L));
            // still fine afterwards
            try (Handle c = (Handle) counter.invoke("Counter")) {
                assertEquals(1L, c.invoke("increment"));
            }
        }
    }

    @Test
    void probeTypeErrors() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule probe = interp.importModule("probe");
            assertNativeError("TypeError", "expected int, got str", () -> probe.invoke("check_int", "x"));
            assertNativeError("TypeError", "expected int, got float", () -> probe.invoke("check_int", 1.5));
            assertNativeError("ValueError", "unknown kind 'set'", () -> probe.invoke("make", "set"));
            assertEquals(12L, probe.invoke("check_int", 12L));
        }
    }
}
