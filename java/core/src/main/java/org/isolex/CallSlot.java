package org.isolex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The close gate of typed calls, at one memory fence per call instead of two atomic updates
 * (issue 13; docs/benchmarks.md, "The FFM path and a cheaper close gate"). Every other
 * operation counts itself in and out of {@link InterpreterState}'s shared counter; a typed
 * call instead marks its own thread's slot with the interpreter it is inside:
 *
 * <ul>
 * <li><b>in</b>: a volatile store of the interpreter into the slot, then a read of
 *     {@code closing} (the store's fence orders the two, as the counter's increment did);
 * <li><b>out</b>: a release store of null: no fence, no shared cache line;
 * <li><b>close</b>: sets {@code closing} (volatile), then waits until no registered slot
 *     holds the interpreter ({@link #anyInside}), polling: a thread leaving may not see
 *     {@code closing} in time to wake it.
 * </ul>
 *
 * <p>Why it is safe: the slot's store and close's store of {@code closing} are both volatile,
 * so a call and a close cannot both miss each other (Dekker's argument): either the call sees
 * {@code closing} and backs out, or close sees the slot and waits. A slot registers before its
 * thread's first call, so close's scan sees every slot that can be inside. One slot per thread
 * is enough: a thread makes one typed call at a time (no Java code runs inside one, and the
 * native side never calls back). The slot lives in the thread's TypedFunction frame; the
 * registry holds it weakly, so a dead thread's slot goes with its frame.
 */
final class CallSlot {
    private static final VarHandle INSIDE;
    /** Every live thread's slot, weakly. */
    private static final Set<WeakReference<CallSlot>> ALL = ConcurrentHashMap.newKeySet();

    static {
        try {
            INSIDE = MethodHandles.lookup().findVarHandle(CallSlot.class, "inside", InterpreterState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The interpreter this slot's thread is calling into now, or null. */
    @SuppressWarnings("unused") // through INSIDE
    private volatile InterpreterState inside;

    private CallSlot() {}

    /** A new slot, registered (its thread's first typed call). */
    static CallSlot register() {
        CallSlot s = new CallSlot();
        ALL.add(new WeakReference<>(s));
        return s;
    }

    /** In: true when the thread may use {@code state}'s pointer until {@link #leave()}. */
    boolean enter(InterpreterState state) {
        if (state.isClosing()) return false;
        INSIDE.setVolatile(this, state); // the fence: the read below cannot pass it
        if (state.isClosing()) {
            leave();
            return false;
        }
        return true;
    }

    /** Out: the pointer is not used any more. */
    void leave() {
        INSIDE.setRelease(this, null);
    }

    /** The slots inside {@code state} now (close polls this down to 0); forgets dead threads' slots. */
    static int countInside(InterpreterState state) {
        int n = 0;
        for (Iterator<WeakReference<CallSlot>> it = ALL.iterator(); it.hasNext();) {
            CallSlot s = it.next().get();
            if (s == null) it.remove();
            else if (INSIDE.getVolatile(s) == state) n++;
        }
        return n;
    }

    static boolean anyInside(InterpreterState state) {
        return countInside(state) > 0;
    }
}
