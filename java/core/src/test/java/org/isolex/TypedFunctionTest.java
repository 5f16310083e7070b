package org.isolex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.3: typed functions from Java (ABI.md 4.30-4.39, 12.70-12.72): test-ext/typed through
 * {@link TypedFunction}, every accessor, every message, batches, the ordinary call path of the
 * same functions, two interpreters at once and debug mode.
 */
class TypedFunctionTest extends NativeTestBase {

    /** One interpreter's calls; returns what add1 made of the interpreter's id. */
    private static long exercise(Interpreter interp) {
        ExtensionModule m = interp.importModule("typed");
        try (TypedFunction add1 = m.typedFunction("add1", "l:l");
                TypedFunction add = m.typedFunction("add", "ll:l");
                TypedFunction half = m.typedFunction("half", "d:d");
                TypedFunction negate = m.typedFunction("negate", "b:b");
                TypedFunction upper = m.typedFunction("upper", "s:s");
                TypedFunction reverse = m.typedFunction("reverse", "y:y");
                TypedFunction describe = m.typedFunction("describe", "ldbsy:s");
                TypedFunction checked = m.typedFunction("checked", "l:l")) {
            assertEquals(42L, add1.callLong(41));
            assertEquals(Long.MIN_VALUE, add.callLong(Long.MAX_VALUE, 1));
            assertEquals(2.5, half.callDouble(5.0));
            assertTrue(negate.callBoolean(false));
            assertEquals("ABC é", upper.callString("abc é"));
            assertArrayEquals(new byte[] {2, 1}, reverse.callBytes(new byte[] {1, 2}));
            assertEquals("l=1 d=2.5 b=true s=text y=3 bytes", describe.call(1L, 2.5, true, "text", new byte[3]));
            assertEquals(7L, add.call(3, 4L));
            assertEquals(Boolean.FALSE, negate.call(true));
            String big = "x".repeat(100_000); // a str result larger than the reply area
            assertEquals(big.toUpperCase(), upper.callString(big));

            // the function's own error, as an ordinary call throws it
            assertNativeError("ValueError", "negative: -3", () -> checked.callLong(-3));
            assertNativeError("ValueError", "negative: -3", () -> m.invoke("checked", -3L));

            // the wrong accessor, arity or argument type: before any native call
            assertThrowsMessage(IllegalArgumentException.class, "the function's typed signature is \"l:l\"; "
                    + "callDouble(double) calls \"d:d\" functions (call(Object...) calls any)", () -> add1.callDouble(1));
            assertThrowsMessage(IllegalArgumentException.class, "a \"ll:l\" function takes 2 arguments (1 given)",
                    () -> add.call(1L));
            assertThrowsMessage(IllegalArgumentException.class, "argument 2 of a \"ll:l\" function must be Long, "
                    + "Integer, Short or Byte, not String", () -> add.call(1L, "2"));
            assertThrowsMessage(IllegalArgumentException.class, "argument 1 of a \"b:b\" function must be Boolean, "
                    + "not null", () -> negate.call((Object) null));

            // batches: results in place; a failure stops it, the earlier results delivered
            long[] out = new long[5];
            add1.callEach(new long[] {1, 2, 3, 4, 5}, out);
            assertArrayEquals(new long[] {2, 3, 4, 5, 6}, out);
            long[] many = new long[TypedFunction.BATCH_ROWS * 2 + 3], manyOut = new long[many.length];
            for (int i = 0; i < many.length; i++) many[i] = i;
            add1.callEach(many, manyOut);
            assertEquals(many.length, manyOut[many.length - 1]);
            double[] dout = new double[2];
            half.callEach(new double[] {1, 3}, dout);
            assertArrayEquals(new double[] {0.5, 1.5}, dout);
            long[] partial = new long[4];
            BatchCallException e = assertThrows(BatchCallException.class,
                    () -> checked.callEach(new long[] {1, 2, -7, 4}, partial));
            assertEquals(2, e.index());
            assertEquals("ValueError: negative: -7", e.getCause().getMessage());
            assertEquals("call 2 of a batch of 4 raised ValueError: negative: -7; results 0..1 were delivered",
                    e.getMessage());
            assertArrayEquals(new long[] {1, 2, 0, 0}, partial);
            assertThrowsMessage(IllegalArgumentException.class, "results has room for 1 of the 2 calls",
                    () -> add1.callEach(new long[2], new long[1]));

            // a typed method, bound to its instance
            try (Handle acc = (Handle) m.invoke("Acc"); TypedFunction accAdd = acc.typedFunction("add", "l:l")) {
                accAdd.callLong(5);
                assertEquals(11L, accAdd.callLong(6));
                assertEquals(12L, acc.invoke("add", 1L));
            }
            // a typed class method (self: the class) and a typed static method (no self), from the type
            try (Handle type = (Handle) m.getAttr("Acc");
                    TypedFunction isType = type.typedFunction("is_type", "b:b");
                    TypedFunction twice = type.typedFunction("twice", "d:d")) {
                assertTrue(isType.callBoolean(true));
                assertEquals(5.0, twice.callDouble(2.5));
                assertEquals(5.0, type.invoke("twice", 2.5));
            }
            // a type's typed method is checked when the type is made (ABI.md 4.32)
            assertNativeError("SystemError", "type 'typed.Bad': typed method 'f' has the signature \"l:x\": unknown"
                    + " type letter 'x' at position 3", () -> m.invoke("bad_type"));
            return add1.callLong(interp.id()) - 1;
        }
    }

    @Test
    void twoInterpretersAtOnceWithEveryMessage() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<Long> ids = Together.run(2, i -> () -> exercise(i == 0 ? a : b));
            assertEquals(List.of(a.id(), b.id()), ids);
        }
    }

    @Test
    void debugModeRecordsAndChecksTypedCalls() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter()) {
            exercise(a);
        }
    }

    @Test
    void theDeclaredSignatureIsCheckedOnce() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("typed");
            assertThrowsMessage(IllegalArgumentException.class,
                    "<built-in function typed.add1> has the typed signature \"l:l\", not \"d:d\"",
                    () -> m.typedFunction("add1", "d:d"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "malformed typed signature \"lq:l\": unknown type letter 'q' at position 2",
                    () -> m.typedFunction("add1", "lq:l"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "malformed typed signature \"lllllllll:l\": more than 8 parameters",
                    () -> m.typedFunction("add1", "lllllllll:l"));
            assertThrowsMessage(IllegalArgumentException.class,
                    "malformed typed signature \"ll\": no ':' before the result letter",
                    () -> m.typedFunction("add1", "ll"));
            assertNativeError("TypeError", "plain() is not a typed function (no IX_METH_TYPED)",
                    () -> m.typedFunction("plain", "l:l"));
            assertNativeError("AttributeError", "module 'typed' has no attribute 'nothing'",
                    () -> m.typedFunction("nothing", "l:l"));
            assertThrowsMessage(IllegalArgumentException.class, "attribute '__name__' is a String, not a typed function",
                    () -> m.typedFunction("__name__", "l:l"));
            try (Handle h = (Handle) m.getAttr("add1"); TypedFunction f = h.typedFunction("l:l")) {
                h.close(); // the typed function has a handle of its own
                assertEquals(3L, f.callLong(2));
            }
            assertEquals(0, interp.handleCount() - 1, "only the module's handle is left");
            ModuleDefinition.MethodDef add1 = m.definition().functions().get(0);
            assertEquals("add1", add1.name());
            assertEquals(ModuleDefinition.MethodDef.TYPED, add1.flags());
            assertEquals(List.of("TYPED"), add1.kinds());
        }
    }

    @Test
    void misbehavingFunctionsAreSystemErrors() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("typed");
            try (TypedFunction f = m.typedFunction("fail_noerr", "l:l")) {
                assertNativeError("SystemError", "typed.fail_noerr() failed without setting an error", () -> f.callLong(1));
            }
            try (TypedFunction f = m.typedFunction("ok_with_err", "l:l")) {
                assertNativeError("SystemError", "typed.ok_with_err() returned a result with an error set",
                        () -> f.callLong(1), "ValueError: left set");
            }
            try (TypedFunction f = m.typedFunction("wrong_result", "s:s")) {
                assertNativeError("SystemError", "typed.wrong_result() returned a bytes object for its str result",
                        () -> f.callString("a"));
            }
            try (TypedFunction f = m.typedFunction("no_result", "s:s")) {
                assertNativeError("SystemError", "typed.no_result() returned no object for its str result",
                        () -> f.callString("a"));
            }
            // the ordinary path converts objects, with its own messages
            assertNativeError("TypeError", "typed.add1() argument 1 must be int, not str", () -> m.invoke("add1", "x"));
            assertNativeError("TypeError", "typed.add() takes exactly 2 arguments (1 given)", () -> m.invoke("add", 1L));
            assertEquals(1.5, m.invoke("half", 3L));
            assertEquals(3L, interp.importModule("typed").invoke("add1", 2L), "the host usable afterwards");
        }
    }

    @Test
    void closedFunctionAndInterpreterThrowClosedException() {
        try (Host host = newHost()) {
            Interpreter interp = host.newInterpreter();
            TypedFunction f = interp.importModule("typed").typedFunction("add1", "l:l");
            f.close();
            assertTrue(f.isClosed());
            assertThrows(ClosedException.class, () -> f.callLong(1));
            TypedFunction g = interp.importModule("typed").typedFunction("add1", "l:l");
            interp.close();
            assertTrue(g.isClosed());
            ClosedException e = assertThrows(ClosedException.class, () -> g.callLong(1));
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            assertThrows(ClosedException.class, () -> g.callEach(new long[1], new long[1]));
            assertFalse(g.toString().isEmpty());
        }
    }

    /**
     * A typed call does not pin its handle (ABI.md 12.70): a close racing with calls on other
     * threads makes each call either return its result or throw ClosedException -- never a
     * stale-handle NativeError, never a crash.
     */
    /**
     * Two threads call {@code f} (one call at a time, and in batches) until it throws
     * ClosedException; a third closes {@code closing} (the function or its interpreter) after
     * 0.2 ms. Every call before the close returns its right result.
     */
    private static void callsRacingClose(TypedFunction f, AutoCloseable closing) throws Exception {
        List<Long> calls = Together.run(3, i -> () -> {
            if (i == 2) {
                Thread.sleep(0, 200_000);
                closing.close();
                return 0L;
            }
            long ok = 0;
            for (long x = 0; ; x++) {
                try {
                    if (i == 0) assertEquals(x + 1, f.callLong(x));
                    else f.callEach(new long[] {x, x}, new long[2]);
                    ok++;
                } catch (ClosedException e) {
                    return ok;
                }
            }
        });
        assertTrue(calls.get(0) >= 0 && calls.get(1) >= 0);
    }

    @Test
    void closeRacingWithCallsIsAResultOrClosedException() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("typed");
            for (int round = 0; round < 20; round++) {
                TypedFunction f = m.typedFunction("add1", "l:l");
                callsRacingClose(f, f);
            }
            assertEquals(1, interp.handleCount(), "only the module's handle is left");
        }
    }

    /**
     * The typed calls' close gate (CallSlot, one fence per call): closing the interpreter while
     * a typed call is inside waits for it -- a bounded close gives up saying so, the call
     * completes normally -- and new typed calls are refused from the moment close begins.
     */
    @Test
    void interpreterCloseWaitsForATypedCallInFlight() throws Exception {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule m = interp.importModule("typed");
        TypedFunction busy = m.typedFunction("busy", "l:l");
        TypedFunction add1 = m.typedFunction("add1", "l:l");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Long> call = pool.submit(() -> busy.callLong(1_500_000)); // 1.5 s inside
            Together.await("the typed call is in flight", () -> interp.operationsInFlight() == 1);
            assertThrowsMessage(CloseIncompleteException.class, "interpreter " + interp.id() + " did not close within"
                    + " 100 ms: 1 call still in flight (new calls are refused; close it again to finish)",
                    () -> interp.closeWithin(Duration.ofMillis(100)));
            assertThrowsMessage(ClosedException.class, "interpreter " + interp.id() + " is closed",
                    () -> add1.callLong(1));
            assertThrowsMessage(ClosedException.class, "interpreter " + interp.id() + " is closed",
                    () -> add1.callEach(new long[] {1}, new long[1]));
            interp.close(); // waits for the call
            assertTrue(interp.isClosed());
            assertEquals(1_500_000L, Together.get(call), "the call in flight completed normally");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The interpreter (not the function) closing while two threads call and batch as fast as
     * they can, in two interpreters at once: every call returns its result or throws
     * ClosedException; nothing crashes, nothing is left (NativeTestBase).
     */
    @Test
    void interpreterCloseRacingWithTypedCalls() throws Exception {
        Host host = newHost();
        Together.run(2, k -> () -> {
            for (int round = 0; round < 20; round++) {
                Interpreter interp = host.newInterpreter();
                TypedFunction f = interp.importModule("typed").typedFunction("add1", "l:l");
                callsRacingClose(f, interp);
                assertTrue(interp.isClosed());
            }
            return null;
        });
    }

    @Test
    void importRefusesEveryMalformedTypedDefinition() {
        String[][] rows = {
            {"bad_typed_letter", "typed method 'f' has the signature \"lq:l\": unknown type letter 'q' at position 2"},
            {"bad_typed_many", "typed method 'f' has the signature \"lllllllll:l\": more than 8 parameters"},
            {"bad_typed_nocolon", "typed method 'f' has the signature \"ll\": no ':' before the result letter"},
            {"bad_typed_noresult", "typed method 'f' has the signature \"l:\": one result letter must follow ':'"},
            {"bad_typed_nofunc", "typed method 'f' has no typed function"},
            {"bad_typed_nosig", "typed method 'f' has no signature"},
            {"bad_typed_null", "method 'f' has no function"},
            {"bad_typed_arity", "typed method 'f' has the signature \"ll:l\" of 2 parameters, but min_args 1 and"
                    + " max_args 1"},
            {"bad_typed_kw", "method 'f' has flags 0x3; IX_METH_TYPED does not combine with IX_METH_KEYWORDS or"
                    + " IX_METH_METHOD"},
        };
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            for (String[] row : rows) {
                NativeError e = assertNativeError("SystemError", "module '" + row[0] + "': " + row[1],
                        () -> interp.importModule(row[0]));
                assertSame(NativeSystemError.class, e.getClass());
            }
            assertEquals(42L, interp.importModule("typed").typedFunction("add1", "l:l").callLong(41));
        }
    }
}
