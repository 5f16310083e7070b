package org.isolex;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Child JVM of {@link DocExamplesTest}: runs the {@code main} of one program of the docs,
 * compiled into a directory of its own, with assertions on (the examples state facts with
 * {@code assert}), then checks that the program left nothing behind. Exits 0 if it ran to the
 * end with every interpreter closed and, once the garbage collector has run (for at most 10 s),
 * no native or shared byte left; 1 if not (printed); an exception out of {@code main} ends the
 * JVM with its stack trace.
 *
 * <p>Arguments: the classes directory and the program's class name.
 */
public final class DocProgramChild {
    private DocProgramChild() {}

    public static void main(String[] args) throws Throwable {
        URL classes = Path.of(args[0]).toUri().toURL();
        // the parent loader has org.isolex: the program and this check see the same Host
        ClassLoader isolex = DocProgramChild.class.getClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, isolex)) {
            loader.setDefaultAssertionStatus(true);
            loader.loadClass(args[1]).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        long interpreters = Host.liveInterpreters();  // a program closes its interpreters itself
        // what it dropped (a SharedBuffer.byteBuffer() view, say) is the Cleaners' to free
        boolean freed = Gc.until(() -> Host.liveNativeBytes() == 0 && Host.sharedBytes() == 0, 10);
        System.out.println("after main: live interpreters " + interpreters + "; after garbage collection: live"
                + " native bytes " + Host.liveNativeBytes() + ", shared bytes " + Host.sharedBytes());
        boolean clean = interpreters == 0 && freed;
        System.exit(clean ? 0 : 1);
    }
}
