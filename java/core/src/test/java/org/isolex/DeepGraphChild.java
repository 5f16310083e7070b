package org.isolex;

import java.nio.file.Path;

/**
 * The child JVM of {@link DeepGraphTest}: builds a chain of {@code cycles.Node} objects
 * {@code N} long through the Java API alone — each node from {@code make_kept()}, its
 * {@code next} set to the previous one with {@link Handle#setAttr} — then frees the whole
 * chain at once, by closing the head's handle ({@code head}) or the interpreter with the
 * handle still open ({@code close}). Freeing recursed once per node before ABI.md 3.8: a long
 * enough chain killed the JVM with SIGSEGV, so it is done here, never in the test JVM.
 *
 * <p>Usage: {@code java -cp ... org.isolex.DeepGraphChild TEST_EXT_DIR N head|close}
 */
public final class DeepGraphChild {
    private DeepGraphChild() {}

    public static void main(String[] args) {
        Path testExt = Path.of(args[0]).toAbsolutePath().normalize();
        int n = Integer.parseInt(args[1]);
        boolean byClose = args[2].equals("close");
        try (Host host = Host.builder().modulePath(testExt).build()) {
            Interpreter interp = host.newInterpreter();
            ExtensionModule cycles = interp.importModule("cycles");
            long base = interp.liveBytes();
            Handle head = (Handle) cycles.invoke("make_kept"); // the tail: a self-loop
            for (int i = 1; i < n; i++) {
                Handle node = (Handle) cycles.invoke("make_kept");
                node.setAttr("next", head);
                head.close();
                head = node;
            }
            System.out.println("deep child: a chain of " + n + " nodes built; live bytes " + interp.liveBytes());
            if (!byClose) {
                head.close();
                System.out.println("deep child: head handle closed; " + interp.collectCycles()
                        + " object(s) left for the collector (the tail's self-loop); live bytes above the module's own "
                        + (interp.liveBytes() - base));
            }
            interp.close();
        }
        System.out.println("deep child: done; isolex live bytes " + Host.liveNativeBytes() + ", live interpreters "
                + Host.liveInterpreters());
    }
}
