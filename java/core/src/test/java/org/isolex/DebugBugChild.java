package org.isolex;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The child JVM of {@link DebugHardeningTest}: runs one of test-ext/buggy's bugs in a debug
 * interpreter (abi/ABI.md 10.2) and prints a transcript for the test to compare, line by line:
 * what each call raised and what the violation log took, that the interpreter still works
 * with its live bytes as before, and what the process holds after everything closed. Any
 * other outcome -- an unexpected exception, a leak report, a crash -- ends the child with a
 * nonzero exit code. Before debug mode validated pointers, most of these bugs killed the JVM.
 *
 * <p>Usage: {@code java -cp ... org.isolex.DebugBugChild BUG MODULE_DIR...}, BUG a function of
 * buggy, or {@code closed-interpreter} for the object of a closed interpreter kept in a C
 * global; its transcript names the interpreters ({@code interpreters: closed A, B}) before
 * each round.
 */
public final class DebugBugChild {
    private DebugBugChild() {}

    /** The bugs that take an argument: a fresh list, whose only reference the host holds. */
    private static final List<String> TAKE_A_LIST = List.of("return_borrowed", "decref_borrowed");

    public static void main(String[] args) throws Exception {
        Path[] path = new Path[args.length - 1];
        for (int i = 1; i < args.length; i++) path[i - 1] = Path.of(args[i]).toAbsolutePath().normalize();
        try (Host host = Host.builder().modulePath(path).debug(true).build()) {
            if (args[0].equals("closed-interpreter")) closedInterpreter(host);
            else oneBug(host, args[0]);
        }
        System.out.println("after close: live native bytes " + Host.liveNativeBytes() + ", interpreters "
                + Host.liveInterpreters() + ", libraries " + Host.loadedLibraries() + ", violations "
                + Host.debugViolations());
    }

    private static void oneBug(Host host, String bug) throws Exception {
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule buggy = interp.importModule("buggy");
            long before = warmUp(interp);
            Object[] args = TAKE_A_LIST.contains(bug) ? new Object[] {List.of(1L, 2L)} : new Object[0];
            call(bug, () -> buggy.invoke(bug, args));
            stillUsable(interp, before);
        }
    }

    /**
     * B imports buggy (so buggy.so, and its C global, outlive A); A keeps a list in the global
     * and closes, reporting the list; B uses it every way: as an argument, as a new reference,
     * dropped, and (after a second A) taken as a result.
     */
    private static void closedInterpreter(Host host) throws Exception {
        try (Interpreter b = host.newInterpreter()) {
            ExtensionModule buggy = b.importModule("buggy");
            long before = warmUp(b);
            long a = keepAndClose(host);
            System.out.println("interpreters: closed " + a + ", " + b.id());
            for (String f : List.of("use_global", "return_global", "drop_global")) call(f, () -> buggy.invoke(f));
            stillUsable(b, before);
            System.out.println("interpreters: closed " + keepAndClose(host) + ", " + b.id());
            call("take_global", () -> buggy.invoke("take_global"));
            stillUsable(b, before);
        }
    }

    /** A new interpreter keeps a list in buggy's global and closes; its id. */
    private static long keepAndClose(Host host) {
        Interpreter a = host.newInterpreter();
        a.importModule("buggy").invoke("keep_global", List.of(1L, 2L));
        try {
            a.close();
            throw new AssertionError("the close of interpreter " + a.id() + " reported no leak");
        } catch (LeakException e) {
            if (!e.report().objectsByType().equals(Map.of("list", 1L)))
                throw new AssertionError("the leak is the kept list: " + e.report());
        }
        return a.id();
    }

    /** "f: NativeSystemError: message", the cause if any, and what the log took. */
    private static void call(String what, Callable<Object> call) {
        try {
            System.out.println(what + ": returned " + call.call());
        } catch (NativeError e) {
            System.out.println(what + ": " + e.getClass().getSimpleName() + ": " + e.nativeMessage()
                    + (e.getCause() == null ? "" : " (cause: " + e.getCause() + ")"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        for (String line : Host.debugViolations()) System.out.println("  logged: " + line);
    }

    private static long warmUp(Interpreter interp) {
        stillUsable(interp, -1);
        return interp.liveBytes();
    }

    /** The interpreter works, and holds what it held before (unless before is -1). */
    private static void stillUsable(Interpreter interp, long before) {
        Object echo = interp.importModule("probe").invoke("echo", List.of(1L, "two", 3.0));
        if (!echo.equals(List.of(1L, "two", 3.0))) throw new AssertionError("echo: " + echo);
        try (Handle c = (Handle) interp.importModule("counter").invoke("Counter", 1L)) {
            if (!c.invoke("increment").equals(2L)) throw new AssertionError("Counter(1).increment()");
        }
        if (before >= 0 && interp.liveBytes() != before)
            throw new AssertionError("live bytes " + interp.liveBytes() + ", before the bug " + before);
        if (before >= 0) System.out.println("still usable, live bytes as before");
    }
}
