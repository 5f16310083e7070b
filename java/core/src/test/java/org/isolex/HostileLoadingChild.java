package org.isolex;

import java.nio.file.Path;

/**
 * The child JVM of {@link HostileLoadingTest}: imports each module named on the command line
 * in a fresh interpreter and prints one line per module, {@code "NAME -> Type: message"} for
 * an error or {@code "NAME -> ok"}; {@code create_nonmodule_type} is also called while the
 * interpreter is open, after which the line says what it answered and how many libraries were
 * loaded. Each of these cases used to kill the process, which is why they run here.
 *
 * <p>Usage: {@code java -cp ... org.isolex.HostileLoadingChild DIR[:DIR...] MODULE...}
 */
public final class HostileLoadingChild {
    private HostileLoadingChild() {}

    public static void main(String[] args) {
        Path[] path = java.util.Arrays.stream(args[0].split(":")).map(Path::of).toArray(Path[]::new);
        try (Host host = Host.builder().modulePath(path).build()) {
            for (int i = 1; i < args.length; i++) System.out.println(args[i] + " -> " + attempt(host, args[i]));
        }
        System.out.println("end: live bytes " + Host.liveNativeBytes() + ", libraries " + Host.loadedLibraries());
    }

    private static String attempt(Host host, String name) {
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule(name);
            if (!name.equals("create_nonmodule_type")) return "ok";
            return "ok, ping() " + m.invoke("ping") + ", repr " + m.repr() + ", libraries " + Host.loadedLibraries();
        } catch (NativeError e) {
            return e.getMessage();
        }
    }
}
