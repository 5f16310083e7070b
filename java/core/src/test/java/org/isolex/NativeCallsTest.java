package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.isolex.internal.NativeBridge;
import org.junit.jupiter.api.Test;

/**
 * The path to libisolex (docs/design.md "JNI on 17, FFM on 22+"): FFM downcalls on JDK 22+,
 * JNI before, {@code -Disolex.bridge=jni|ffm} to choose. The suite itself runs on whichever
 * this JVM takes (CI runs it on JDK 17 and 25), so a fall back to JNI on 25 fails
 * {@link #thisJvmTakesItsPath()} instead of passing unnoticed; the other path is run here in
 * child JVMs.
 */
class NativeCallsTest extends NativeTestBase {
    private static final int FEATURE = Runtime.version().feature();
    private static final String FORCED = System.getProperty(NativeBridge.PATH_PROPERTY, "");

    @Test
    void thisJvmTakesItsPath() {
        String expected = !FORCED.isEmpty() ? FORCED : FEATURE >= 22 ? "ffm" : "jni";
        assertEquals(expected, Host.nativeCalls(), "JDK " + FEATURE + ": " + NativeBridge.pathNote());
        if (FEATURE < 22 && FORCED.isEmpty()) {
            assertEquals("JDK " + FEATURE + " (the FFM path needs JDK 22+)", NativeBridge.pathNote());
        }
    }

    /** Two interpreters at once on this JVM's path: typed calls, batches and generic calls agree. */
    @Test
    void bothInterpretersCallThroughThisPath() throws Exception {
        Host host = newHost();
        Together.run(2, i -> () -> {
            try (Interpreter interp = host.newInterpreter()) {
                ExtensionModule typed = interp.importModule("typed");
                try (TypedFunction add1 = typed.typedFunction("add1", "l:l")) {
                    for (long x = 0; x < 2000; x++) assertEquals(x + 1, add1.callLong(x));
                    long[] in = new long[5000], out = new long[5000];
                    for (int k = 0; k < in.length; k++) in[k] = k * 3L;
                    add1.callEach(in, out);
                    for (int k = 0; k < in.length; k++) assertEquals(k * 3L + 1, out[k]);
                    assertEquals(10L, typed.invoke("add1", 9L));
                }
            }
            return null;
        });
    }

    @Test
    void jniCanBeChosenOnAnyJdk() throws Exception {
        ChildJvm.Result r = child("-D" + NativeBridge.PATH_PROPERTY + "=jni");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("native calls: jni\n"), r.describe());
    }

    @Test
    void ffmDemandedIsFfmOrAnExactRefusal() throws Exception {
        ChildJvm.Result r = child("-D" + NativeBridge.PATH_PROPERTY + "=ffm");
        if (FEATURE >= 22) {
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("native calls: ffm\n"), r.describe());
        } else {
            assertTrue(r.exitCode() != 0, r.describe());
            assertTrue(r.stderr().contains("java.lang.IllegalStateException: -Disolex.bridge=ffm: JDK " + FEATURE
                    + " (the FFM path needs JDK 22+)"), r.describe());
        }
    }

    @Test
    void anUnknownPathIsRefused() throws Exception {
        ChildJvm.Result r = child("-D" + NativeBridge.PATH_PROPERTY + "=jna");
        assertTrue(r.exitCode() != 0, r.describe());
        assertTrue(r.stderr().contains("java.lang.IllegalStateException: -Disolex.bridge=jna: the paths are jni and ffm"),
                r.describe());
    }

    /** A child JVM with {@code property} (ChildJvm puts the FFM classes on its class path). */
    private static ChildJvm.Result child(String property) throws Exception {
        List<String> command = new ArrayList<>(ChildJvm.command(NativeCallsChild.class, TEST_EXT.toString()));
        command.add(command.indexOf("-cp") + 2, property);
        return ChildJvm.run(command, Map.of(), 120);
    }
}
