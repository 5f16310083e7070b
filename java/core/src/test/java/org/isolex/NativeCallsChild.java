package org.isolex;

import java.nio.file.Path;

/**
 * Child JVM of {@link NativeCallsTest}: prints {@link Host#nativeCalls()}, then makes a typed
 * call, a batch and a generic call in an interpreter of test-ext (its directory is the
 * argument) and exits 0 when each gave the right result and nothing was left behind.
 */
public final class NativeCallsChild {
    private NativeCallsChild() {}

    public static void main(String[] args) {
        System.out.println("native calls: " + Host.nativeCalls());
        boolean right;
        try (Host host = Host.builder().modulePath(Path.of(args[0])).build();
             Interpreter interp = host.newInterpreter()) {
            ExtensionModule typed = interp.importModule("typed");
            try (TypedFunction add1 = typed.typedFunction("add1", "l:l")) {
                long[] out = new long[3];
                add1.callEach(new long[] {1, 2, 3}, out);
                right = add1.callLong(41) == 42 && out[2] == 4 && Long.valueOf(8).equals(typed.invoke("add1", 7L));
            }
        }
        System.out.println("calls right: " + right + "; live native bytes " + Host.liveNativeBytes());
        System.exit(right && Host.liveNativeBytes() == 0 ? 0 : 1);
    }
}
