package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: the buffer protocol (ABI.md 3.50-3.59, 5.60, 12.50) from Java and from C, on
 * test-ext/buffers' Matrix and Chars, bytes and shared buffers: every rule with its exact
 * message, writes seen both ways without a copy, two interpreters at once; the export's
 * lifetime (the Cleaner of the ByteBuffer, a close that waits for it) and a use after every
 * close in a child JVM.
 */
class BufferProtocolTest extends NativeTestBase {

    private static String use(Interpreter interp) {
        try (ExtensionModule m = interp.importModule("buffers"); Handle mx = (Handle) m.invoke("matrix", 2L, 3L)) {
            assertEquals(new BufferLayout("d", 8, List.of(2L, 3L), List.of(24L, 8L), false, 48), mx.bufferLayout());
            assertEquals(0L, mx.invoke("exports"), "bufferLayout released its export");
            ByteBuffer bytes = mx.byteBuffer();
            assertEquals(ByteOrder.nativeOrder(), bytes.order());
            assertEquals(48, bytes.capacity());
            assertFalse(bytes.isReadOnly());
            assertEquals(1L, mx.invoke("exports"));
            DoubleBuffer items = bytes.asDoubleBuffer();
            assertEquals(5.0, items.get(5), "m[1][2] = 1 * 3 + 2");
            items.put(4, 40.5); // m[1][1]: Java writes, C reads
            assertEquals(40.5, mx.invoke("get", 1L, 1L));
            mx.invoke("set", 0L, 2L, -7.0); // C writes, Java reads
            assertEquals(-7.0, items.get(2));
            assertEquals(0.0 + 1 + -7 + 3 + 40.5 + 5, m.invoke("sum", mx));

            Handle chars = (Handle) m.invoke("chars");
            ByteBuffer c = chars.byteBuffer();
            byte[] text = new byte[7];
            c.get(text);
            assertEquals("isolex!", new String(text, StandardCharsets.US_ASCII));
            assertEquals(new BufferLayout("B", 1, List.of(8L), List.of(1L), false, 8), chars.bufferLayout());
            assertEquals(1L, chars.invoke("exports"));
            chars.close();

            try (SharedBuffer shared = Host.newBuffer(16)) {
                assertEquals(16L, m.invoke("fill", shared, 9L)); // a shared buffer exports writable
                assertEquals(9, shared.byteBuffer().get(15));
                assertEquals(List.of(16L, false, 1L, "B", 1L, List.of(16L), List.of(1L)), m.invoke("info", shared, 0L));
            }
            assertEquals(List.of(3L, true, 1L, "B", 1L, List.of(3L), List.of(1L)), m.invoke("info", "abc".getBytes(), 0L));
            assertNativeError("BufferError", "Object is not writable.", () -> m.invoke("fill", "abc".getBytes(), 0L));
            assertNativeError("TypeError", "a bytes-like object is required, not 'int'", () -> m.invoke("sum", 5L));
            assertNativeError("TypeError", "a bytes-like object is required, not 'module'", m::byteBuffer);
            assertNativeError("TypeError", "a bytes-like object is required, not 'module'", m::bufferLayout);
            return "ok";
        }
    }

    @Test
    void twoInterpretersAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("ok", "ok"), Together.run(2, i -> () -> use(i == 0 ? a : b)));
            // the buffers are garbage now: found before the close, so it need not wait for them
            for (Interpreter i : List.of(a, b)) assertTrue(Gc.until(() -> i.state.exportsReachable() == 0, 30));
        }
    }

    @Test
    void everyBrokenRuleHasItsMessage() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter();
                ExtensionModule m = interp.importModule("buffers")) {
            String[][] broken = {
                {"SystemError", "buffers.Broken.__buffer__() returned -1 without setting an error"},
                {"SystemError", "buffers.Broken.__buffer__() returned 0 without filling the view"},
                {"SystemError", "buffers.Broken.__buffer__() returned a result with an error set"},
                {"SystemError", "buffers.Broken.__buffer__() filled an inconsistent view: len 5 is not itemsize times the shape (4)"},
                {"BufferError", "Object is not writable."},
                {"ValueError", "failed after filling"},
            };
            for (int k = 0; k < broken.length; k++) {
                try (Handle b = (Handle) m.invoke("broken", (long) k)) {
                    String[] want = broken[k];
                    if (k == 2) {
                        assertNativeError(want[0], want[1], () -> m.invoke("fill", b, 0L), "ValueError: left set");
                    } else {
                        assertNativeError(want[0], want[1], () -> m.invoke("fill", b, 0L));
                    }
                }
            }
            try (Handle mx = (Handle) m.invoke("matrix", 2L, 2L); Handle f = (Handle) m.invoke("fortran", 2L, 3L)) {
                assertNativeError("SystemError", "IxBufferView_Release: the view was released already",
                        () -> m.invoke("release_twice", mx));
                assertNativeError("SystemError", "IxBufferView_Release: the view was not filled by Ix_GetBuffer",
                        () -> m.invoke("release_unfilled", mx));
                assertNativeError("BufferError",
                        "'buffers.Matrix' object's buffer is not C-contiguous (ask with IX_BUF_STRIDES)",
                        () -> m.invoke("info", f, 0L));
                assertEquals(new BufferLayout("d", 8, List.of(2L, 3L), List.of(8L, 16L), false, 48), f.bufferLayout());
                assertEquals(15.0, m.invoke("sum", f));
                assertEquals(0L, mx.invoke("exports"));
                assertEquals(0L, f.invoke("exports"));
            }
            try (Handle b = (Handle) m.invoke("broken", 6L)) { // its releasebuffer raises: recorded, dropped
                assertEquals(4L, m.invoke("fill", b, 7L));
            }
            List<UnraisableError> ignored = interp.unraisableErrors();
            assertEquals("exception ignored in bf_releasebuffer of buffers.Broken: ValueError: raised in releasebuffer",
                    ignored.get(ignored.size() - 1).toString());
            try (Handle ro = (Handle) m.invoke("broken", 4L)) { // exports read-only bytes
                assertTrue(ro.byteBuffer().isReadOnly());
                assertTrue(ro.bufferLayout().readOnly());
            }
            assertTrue(Gc.until(() -> interp.state.exportsReachable() == 0, 30));
            assertEquals(6.0, m.invoke("sum", (Object) new byte[] {1, 2, 3}), "the interpreter stays usable");
        }
    }

    @Test
    void theExportLivesUntilTheBufferIsUnreachable() throws Exception {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter();
                ExtensionModule m = interp.importModule("buffers"); Handle mx = (Handle) m.invoke("matrix", 4L, 4L)) {
            ByteBuffer bytes = mx.byteBuffer();
            ByteBuffer slice = bytes.slice(8, 8).order(ByteOrder.nativeOrder());
            bytes = null;
            assertEquals(1L, mx.invoke("exports"), "a derived buffer keeps the export");
            assertEquals(1.0, slice.getDouble(0));
            slice = null;
            assertTrue(Gc.until(() -> interp.state.exportsReachable() == 0, 30));
            assertEquals(0L, mx.invoke("exports"), "released at the next operation after the GC found it");
        }
    }

    @Test
    void aCloseWithABufferStillReachableWaitsForIt() throws Exception {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule m = interp.importModule("buffers");
        Handle mx = (Handle) m.invoke("matrix", 10L, 10L);
        ByteBuffer bytes = mx.byteBuffer();
        interp.close();
        assertTrue(interp.isClosed());
        assertEquals(1L, Host.liveInterpreters(), "the native close waits for the buffer");
        assertEquals(99.0, bytes.order(ByteOrder.nativeOrder()).getDouble(99 * 8), "the memory is still there");
        bytes = null;
        assertTrue(Gc.until(() -> Host.liveInterpreters() == 0, 30), "the Cleaner finished the close");
        assertEquals(Optional.empty(), interp.lastLeakReport(), "nothing leaked");
        host.close();
    }

    @Test
    void aBufferUsedAfterEveryCloseCannotCrash() throws Exception {
        ChildJvm.Result r = ChildJvm.run(
                ChildJvm.command(BufferUseAfterCloseChild.class, TEST_EXT.toString()), Map.of(), 120);
        assertTrue(r.finished(), "the child JVM did not finish in 120 s\n" + r.describe());
        assertEquals(0, r.exitCode(), "the child JVM failed\n" + r.describe());
        assertTrue(r.stdout().contains("child: closed with the buffer reachable; interpreter closed true, live interpreters 1"),
                r.describe());
        assertTrue(r.stdout().contains("child: used after close: sum 4049955000"), r.describe());
        assertTrue(r.stdout().contains("child: done; freed true, live bytes 0, live interpreters 0"), r.describe());
    }
}
