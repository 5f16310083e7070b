package org.isolex;

import java.nio.file.Path;

/**
 * The child JVM of {@link LsanCatchesRawLeakTest}: imports test-ext/rawleak in an interpreter,
 * calls {@code leak(1000)} (1000 bytes of the C library's malloc, pointer dropped: invisible to
 * the interpreter's accounting), closes everything and exits normally, so that LeakSanitizer,
 * preloaded into this JVM, runs its check at exit.
 *
 * <p>Usage: {@code java -cp ... org.isolex.RawLeakChild TEST_EXT_DIR}
 */
public final class RawLeakChild {
    private RawLeakChild() {}

    public static void main(String[] args) {
        Path testExt = Path.of(args[0]).toAbsolutePath().normalize();
        // Keep rawleak.so mapped after the interpreter's close unloads it (dlopen counts
        // references: this one is the JVM's), so that LeakSanitizer, which symbolizes at exit,
        // can still name the allocating frame (rawleak.so, rawleak_leak) instead of
        // "<unknown module>". It changes nothing else: the leak is the same either way.
        System.load(testExt.resolve("rawleak.so").toString());
        try (Host host = Host.builder().modulePath(testExt).build(); Interpreter interp = host.newInterpreter()) {
            interp.importModule("rawleak").invoke("leak", 1000L);
        }
        // isolex sees nothing: the block never went through IxMem_Malloc
        System.out.println("rawleak child: interpreter closed without a leak report; isolex live bytes "
                + Host.liveNativeBytes() + ", live interpreters " + Host.liveInterpreters());
    }
}
