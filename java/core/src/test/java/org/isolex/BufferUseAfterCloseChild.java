package org.isolex;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.file.Path;

/**
 * The child JVM of {@link BufferProtocolTest}: a {@link Handle#byteBuffer()} of a
 * {@code buffers.Matrix} used after its handle, its interpreter and its host were closed
 * (ABI.md 12.50: the memory stays until the garbage collector finds the buffer), then
 * dropped; the deferred native close then frees everything. Were the memory freed at close,
 * this would write into freed memory, so it runs here, never in the test JVM.
 *
 * <p>Usage: {@code java -cp ... org.isolex.BufferUseAfterCloseChild TEST_EXT_DIR}
 */
public final class BufferUseAfterCloseChild {
    private BufferUseAfterCloseChild() {}

    /** A matrix's items as a DoubleBuffer, after every close; no other reference to the export is left. */
    private static DoubleBuffer exportThenCloseEverything(Path testExt) {
        try (Host host = Host.builder().modulePath(testExt).build()) {
            Interpreter interp = host.newInterpreter();
            ExtensionModule m = interp.importModule("buffers");
            Handle matrix = (Handle) m.invoke("matrix", 300L, 300L);
            ByteBuffer bytes = matrix.byteBuffer();
            DoubleBuffer items = bytes.asDoubleBuffer(); // derived: keeps the export alive on its own
            matrix.close();
            m.close();
            interp.close();
            System.out.println("child: closed with the buffer reachable; interpreter closed " + interp.isClosed()
                    + ", live interpreters " + Host.liveInterpreters());
            return items;
        }
    }

    /** Writes every item after reading it; the sum of what was read. */
    private static long useAll(DoubleBuffer items) {
        double sum = 0;
        for (int i = 0; i < items.capacity(); i++) {
            sum += items.get(i);
            items.put(i, -1.0);
        }
        return (long) sum;
    }

    public static void main(String[] args) throws Exception {
        Path testExt = Path.of(args[0]).toAbsolutePath().normalize();
        DoubleBuffer items = exportThenCloseEverything(testExt);
        // other interpreters allocate meanwhile: freed memory would be reused and overwritten
        try (Host host = Host.builder().modulePath(testExt).build(); Interpreter other = host.newInterpreter();
                ExtensionModule m = other.importModule("buffers")) {
            for (int i = 0; i < 50; i++) ((Handle) m.invoke("matrix", 300L, 300L)).close();
        }
        System.out.println("child: used after close: sum " + useAll(items));
        items = null;
        boolean freed = Gc.until(() -> Host.liveInterpreters() == 0 && Host.liveNativeBytes() == 0, 30);
        System.out.println("child: done; freed " + freed + ", live bytes " + Host.liveNativeBytes()
                + ", live interpreters " + Host.liveInterpreters());
        System.exit(freed ? 0 : 1);
    }
}
