package org.isolex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.isolex.internal.NativeBridge;

/**
 * Asks in-process calls to stop (ABI 1.3, ABI.md 12.83): when the calling thread is
 * interrupted ({@link Thread#interrupt()}) or the call's deadline passes, one daemon thread,
 * "isolex-interrupts", raises the native request ({@code ixh_interp_interrupt}) naming the
 * call by its request buffer. Extension code that polls ({@code Ix_CheckInterrupt}) then
 * fails with {@code InterruptedError} or {@code TimeoutError}, which Java sees as a
 * {@link NativeError} like any other. Code that does not poll runs to its end.
 *
 * <p><b>The hot path.</b> Each call registers itself in its thread's {@link Slot} (a
 * thread-local, made once per thread): two plain writes and a release write in, a release
 * write out, and one volatile read of {@link #parked} (a plain load on x86). No fence, no
 * lock, no allocation, no shared counter.
 *
 * <p><b>The watcher</b> scans the slots every {@link #TICK_NANOS} while calls are in
 * flight, sooner when a deadline falls earlier, and re-raises a request every tick while
 * its reason holds: a request raised before its call took the interpreter lock is dropped
 * as the call begins (ABI.md 12.82), so it is raised again. After {@link #IDLE_TICKS}
 * scans that found no call it goes idle, looking only every {@link #IDLE_LOOK_NANOS}; the
 * next call to begin that sees it idle unparks it. (A call may miss it going idle -- its
 * release store and the watcher's last scan can pass each other without a fence -- and is
 * then seen at the next idle look: the price of keeping the fence off every call.)
 * It raises through {@link InterpreterState#interrupt}, which a close cannot pass while
 * the call is registered: it never touches an interpreter that close began to free, and it
 * can stop the call a close is waiting for.
 *
 * <p>It never clears a thread's interrupt status: like {@code java.nio}'s interruptible
 * channels, the caller's thread stays interrupted after the call fails.
 */
final class InterruptWatcher {
    /** How often the watcher looks while calls are in flight: the latency of an interrupt. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Empty scans before the watcher goes idle (about 0.5 s without a call in flight). */
    static final int IDLE_TICKS = 100;
    /** How often an idle watcher still looks (a call that began unseen, see {@link #begin}). */
    static final long IDLE_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** One per thread that has made a call: what it is doing now. */
    static final class Slot {
        final WeakReference<Thread> thread = new WeakReference<>(Thread.currentThread());
        /** The interpreter of the call in flight; null between calls. */
        volatile InterpreterState state;
        /** The call's name for ixh_interp_interrupt (its buffer's address); written before state. */
        long call;
        /** The call's deadline (System.nanoTime), {@link Deadline#NONE} for none. */
        long deadline;
    }

    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Slot.class, "state", InterpreterState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final ConcurrentLinkedQueue<Slot> SLOTS = new ConcurrentLinkedQueue<>();
    private static final ThreadLocal<Slot> SLOT = ThreadLocal.withInitial(() -> {
        Slot s = new Slot();
        SLOTS.add(s);
        return s;
    });
    /** The watcher thread, started at the first call. */
    private static Thread watcher;
    /** True while the watcher is parked (or not started): the next call wakes it. */
    private static volatile boolean parked = true;

    private InterruptWatcher() {}

    /**
     * A call of this thread into {@code state}'s interpreter begins (inside its close gate).
     *
     * @param call the address of the call's request buffer (ABI.md 12.81)
     * @param callTimeoutNanos the interpreter's call timeout, 0 for none: with the thread's
     *        open {@link Deadline}s it makes the call's deadline
     * @return the slot to pass to {@link #end}
     */
    static Slot begin(InterpreterState state, long call, long callTimeoutNanos) {
        return begin(SLOT.get(), state, call, callTimeoutNanos);
    }

    /** This thread's slot, for a caller that keeps it in a per-thread object of its own. */
    static Slot slot() {
        return SLOT.get();
    }

    /** {@link #begin(InterpreterState, long, long)} with this thread's {@link #slot()}. */
    static Slot begin(Slot s, InterpreterState state, long call, long callTimeoutNanos) {
        s.call = call;
        s.deadline = Deadline.effectiveNanos(callTimeoutNanos);
        STATE.setRelease(s, state); // the watcher sees call and deadline with it; no fence
        if (parked) wake();
        return s;
    }

    /** The call ends: the watcher leaves this thread alone (null: a worker's call, never registered). */
    static void end(Slot s) {
        if (s != null) STATE.setRelease(s, null);
    }

    private static synchronized void wake() {
        if (!parked) return;
        parked = false;
        if (watcher == null) {
            watcher = new Thread(InterruptWatcher::run, "isolex-interrupts");
            watcher.setDaemon(true);
            watcher.start();
        } else {
            LockSupport.unpark(watcher);
        }
    }

    private static void run() {
        int idle = 0;
        while (true) {
            long next = scan(System.nanoTime());
            if (next != 0) {
                idle = 0;
                LockSupport.parkNanos(next);
            } else if (++idle < IDLE_TICKS) {
                LockSupport.parkNanos(TICK_NANOS);
            } else {
                idle = 0;
                parked = true;
                if (scan(System.nanoTime()) != 0) { // a call that began before it saw parked
                    parked = false;
                    continue;
                }
                // A call whose release store the rescan missed, having read parked as false,
                // is found at the next look: the watcher never sleeps longer than IDLE_LOOK.
                while (parked && scan(System.nanoTime()) == 0) LockSupport.parkNanos(IDLE_LOOK_NANOS);
                parked = false;
            }
        }
    }

    /**
     * One look at every slot: raises what is due. Returns 0 when no call is in flight, else
     * the nanoseconds until the next look (a tick, or less when a deadline falls sooner).
     */
    private static long scan(long now) {
        long next = 0;
        for (Iterator<Slot> it = SLOTS.iterator(); it.hasNext(); ) {
            Slot s = it.next();
            Thread t = s.thread.get();
            if (t == null || t.getState() == Thread.State.TERMINATED) {
                it.remove();
                continue;
            }
            InterpreterState st = s.state;
            if (st == null) continue;
            long call = s.call, deadline = s.deadline, wait = TICK_NANOS;
            int reason = 0;
            if (t.isInterrupted()) {
                reason = NativeBridge.INTERRUPT_THREAD;
            } else if (deadline != Deadline.NONE) {
                long left = deadline - now;
                if (left <= 0) reason = NativeBridge.INTERRUPT_DEADLINE;
                else wait = Math.min(wait, left);
            }
            if (reason != 0) st.interrupt(s, call, reason);
            next = next == 0 ? wait : Math.min(next, wait);
        }
        return next;
    }
}
