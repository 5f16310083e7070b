package org.isolex;

import java.util.Set;

/**
 * Where an object was made, for the warning of a garbage-collection safety net: the first
 * stack frame outside isolex's own classes, and the thread. Capturing it walks a few frames
 * of the stack (no Throwable, no full stack trace); it is turned into text only when the
 * warning is written. That costs about 2 µs an interpreter (a third of a {@code new
 * Throwable()}; some 10% of create + import + call + close), so it can be switched off with
 * {@code -Disolex.creationSites=false}: the warning then says "at an unknown place".
 */
final class CreationSite {
    /** {@code -Disolex.creationSites=false}: do not record where objects are made. */
    private static final boolean RECORD = !"false".equals(System.getProperty("isolex.creationSites"));
    private static final CreationSite UNKNOWN = new CreationSite(null, null);
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    /** Classes whose frames are skipped: the API that made the object, not its caller. */
    private static final Set<Class<?>> OURS = Set.of(Host.class, Interpreter.class, InterpreterState.class,
            InterpreterPool.class, CreationSite.class);

    private final StackWalker.StackFrame frame;
    private final String thread;

    private CreationSite(StackWalker.StackFrame frame, String thread) {
        this.frame = frame;
        this.thread = thread;
    }

    /** The caller of the isolex method that is running now. */
    static CreationSite here() {
        if (!RECORD) return UNKNOWN;
        StackWalker.StackFrame f = WALKER.walk(s -> s.filter(x -> !OURS.contains(x.getDeclaringClass().getNestHost()))
                .findFirst().orElse(null));
        return new CreationSite(f, Thread.currentThread().getName());
    }

    /** "at com.example.App.run(App.java:42) on thread main". */
    @Override
    public String toString() {
        if (thread == null) return "at an unknown place (-Disolex.creationSites=false)";
        return (frame == null ? "at an unknown place" : "at " + frame.toStackTraceElement()) + " on thread " + thread;
    }
}
