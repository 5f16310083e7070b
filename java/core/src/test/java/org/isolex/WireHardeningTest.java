package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;
import org.junit.jupiter.api.Test;

/**
 * Limits of the value API that used to lose information (abi/ABI.md 12): replies of any
 * length come back whole, nesting has one limit with one message, and a memory limit too
 * small to start an interpreter says what the minimum is.
 */
class WireHardeningTest extends NativeTestBase {
    private static final int MIB = 1 << 20;

    /** n characters that are not one repeated character (so a cut or a shift shows), some of them 2 bytes in UTF-8. */
    static String text(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(i % 1000 == 999 ? 'é' : (char) ('a' + i % 26));
        return b.toString();
    }

    @Test
    void errorMessagesOfAnyLengthComeBackWhole() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule raiser = interp.importModule("raiser");
            long handles = interp.handleCount();
            // around the 16 KiB a call's buffer starts with, and far past it
            for (int n : new int[] {Wire.INITIAL_CAPACITY - 40, Wire.INITIAL_CAPACITY, MIB}) {
                String message = text(n);
                assertNativeError("raiser.RaiserError", message, () -> raiser.invoke("raise_own", message));
            }
            assertEquals(handles, interp.handleCount(), "the error kept for the reply was released");
            assertNativeError("raiser.RaiserError", "short", () -> raiser.invoke("raise_own", "short"));
        }
    }

    @Test
    void typeNamesAndReprsOfAnyLengthComeBackWhole() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule raiser = interp.importModule("raiser");
            long handles = interp.handleCount();
            String name = "raiser." + text(MIB);
            try (Handle type = (Handle) raiser.invoke("error_type", name);
                 Handle instance = (Handle) type.call("made, not raised")) {
                assertEquals("<class '" + name + "'>", type.repr());
                assertEquals(name, instance.typeName(), "a result's type name");
                assertTrue(instance.identity() != type.identity(), "described whole despite the long type name");
                assertNativeError(name, "boom", () -> raiser.invoke("raise_as", type, "boom"));
                String message = text(MIB);
                assertNativeError(name, message, () -> raiser.invoke("raise_as", type, message));
            }
            assertEquals(handles, interp.handleCount());
        }
    }

    static final String TOO_DEEP = "value nested deeper than 64 levels, the isolex host's limit"
            + " (does it contain itself?)";

    /** 64 levels of containers, each made by {@code wrap}, around "bottom". */
    static Object nested(int levels, UnaryOperator<Object> wrap) {
        Object v = "bottom";
        for (int i = 0; i < levels; i++) v = wrap.apply(v);
        return v;
    }

    @Test
    void oneNestingLimitCheckedInJavaFirstWithOneMessage() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter(); SharedQueue q = Host.newQueue()) {
            ExtensionModule probe = interp.importModule("probe");
            List<UnaryOperator<Object>> kinds = List.of(
                    v -> List.of(v), v -> new Object[] {v}, v -> Map.of("k", v));
            for (UnaryOperator<Object> wrap : kinds) {
                Object deepest = nested(64, wrap);
                Object back = probe.invoke("echo", deepest);
                assertEquals(64, depth(back), "64 levels cross");
                Object tooDeep = nested(65, wrap);
                assertThrowsMessage(IllegalArgumentException.class, "argument 2: " + TOO_DEEP,
                        () -> probe.invoke("echo", "first", tooDeep));
            }
            Object tuple = nested(64, v -> new Object[] {v});
            q.put(tuple);
            assertEquals(64, depth(q.take()), "a queue carries 64 levels too");
            assertThrowsMessage(IllegalArgumentException.class, TOO_DEEP, () -> q.put(new Object[] {tuple}));
            List<Object> self = new ArrayList<>();
            self.add(self);
            assertThrowsMessage(IllegalArgumentException.class, "argument 1: " + TOO_DEEP,
                    () -> probe.invoke("echo", self));
            // a result too deep: the host refuses it, and says the limit is its own
            assertEquals(64, depth(probe.invoke("nest", 64L)));
            assertNativeError("ValueError", TOO_DEEP, () -> probe.invoke("nest", 65L));
            assertEquals(0L, probe.invoke("alloc_count"), "still usable");
        }
    }

    /** Levels of containers in a converted value (a List or Map; "bottom" and [] are leaves). */
    private static int depth(Object v) {
        if (v instanceof List) return 1 + (((List<?>) v).isEmpty() ? 0 : depth(((List<?>) v).get(0)));
        if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            return 1 + depth(m.values().iterator().next());
        }
        return 0;
    }

    static String belowMinimum(long limit, long min, String kind) {
        return String.format(Locale.ROOT, "cannot create an interpreter: the memory limit of %,d bytes is below"
                + " the %,d bytes %s interpreter needs to start", limit, min, kind);
    }

    @Test
    void aMemoryLimitBelowTheStartUpFootprintSaysTheMinimum() {
        long min = NativeBridge.minMemoryLimit(false), debugMin = NativeBridge.minMemoryLimit(true);
        assertTrue(min > 0 && debugMin > min, min + " / " + debugMin);
        for (long limit : new long[] {1, 1024, min - 1}) {
            try (Host host = track(Host.builder().memoryLimit(limit).build())) {
                assertThrowsMessage(IsolexException.class, belowMinimum(limit, min, "an"), host::newInterpreter);
                assertThrowsMessage(IsolexException.class, belowMinimum(limit, debugMin, "a debug-mode"),
                        () -> host.newInterpreter(true));
            }
        }
        try (Host host = track(Host.builder().memoryLimit(min).build()); Interpreter interp = host.newInterpreter()) {
            assertEquals(0, interp.liveBytes(), "the minimum is enough to start");
            assertThrowsMessage(IsolexException.class, belowMinimum(min, debugMin, "a debug-mode"),
                    () -> host.newInterpreter(true));
        }
        try (Host host = track(Host.builder().memoryLimit(debugMin).build());
             Interpreter interp = host.newInterpreter(true)) {
            assertTrue(interp.isDebug());
        }
    }
}
