package org.isolex;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * The part of an {@link Interpreter} that outlives the Java object: the native pointer, the
 * gate that counts operations in and out (Interpreter's javadoc, "Closing while other threads
 * call"), the close itself, and the handles Java still owns. The {@link Host} holds this
 * strongly (so {@link Host#close()} can close an interpreter nobody else holds) and the
 * {@code Interpreter} only weakly; the handles' cleaner states point here, never at the
 * {@code Interpreter}. So an interpreter the program drops without closing (with every
 * handle and module of it) becomes unreachable, and this state, registered with
 * {@link #CLEANER}, closes it: the safety net {@link #run()}.
 */
final class InterpreterState implements Runnable {
    private static final System.Logger LOG = System.getLogger("org.isolex");
    /**
     * The safety net's own thread: closing runs extension code (module clear and free,
     * deallocs), which must not hold up the release of queues, buffers and handles.
     */
    static final Cleaner CLEANER = Cleaner.create();
    /** Room for the leak report written at close (a larger report is cut to a summary). */
    private static final int CLOSE_REPORT_CAPACITY = 64 * 1024;

    final Host host;
    /** {@code IxInterp *}: used only between {@link #enter()} and {@link #exit()}, or by close. */
    final long ptr;
    /**
     * The worker process serving this interpreter ({@link Isolation#WORKER_PROCESS}), or null
     * in process. Every native call of an interpreter goes to one or the other: the in-process
     * path pays one read of this final field and a null test (issue 14).
     */
    final WorkerProcess worker;
    final long id;
    private final LeakPolicy leakPolicy;
    /** Where the interpreter was made, for the safety net's warning. */
    private final CreationSite createdAt;
    /** The Interpreter object, for {@link Host#interpreters()}; weak, or it would never be dropped. */
    final WeakReference<Interpreter> owner;
    private Cleaner.Cleanable cleanable;

    /** Operations between {@link #enter()} and {@link #exit()} now. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** One close at a time; a second close waits (boundedly, interruptibly) for the first. */
    private final ReentrantLock closeLock = new ReentrantLock();
    /**
     * The monitor a close waits on until {@link #inFlight} is zero; the last operation out
     * notifies it. Separate from closeLock, so an operation backing out never waits for a
     * close that is running native code.
     */
    private final Object drained = new Object();
    /** Set when close begins: new operations are refused from then on. */
    private volatile boolean closing;
    /** Set when the native interpreter is gone (or going: set before the native close). */
    private volatile boolean closed;
    volatile LeakReport lastLeakReport;

    /** Handles Java still owns (their cleaner states; never the Handle objects themselves). */
    final Set<Handle.Ref> live = ConcurrentHashMap.newKeySet();
    /** Ids of handles the GC collected unclosed; released at the next entry or at close. */
    final ConcurrentLinkedQueue<Long> pendingReleases = new ConcurrentLinkedQueue<>();
    /**
     * ABI 1.2 (ABI.md 12.50): the exports behind {@link Handle#byteBuffer()}s not released
     * natively yet. A ByteBuffer cannot be revoked, so its export (and the memory) lives until
     * the garbage collector finds the ByteBuffer and every buffer derived from it: the
     * Cleaner queues the export's id on {@link #pendingExportReleases}, and the next
     * operation, or close, releases it. A close that finds exports still counted here
     * defers the native close to the Cleaner of the last one ({@link #exportUnreachable}).
     */
    private final AtomicInteger exports = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> pendingExportReleases = new ConcurrentLinkedQueue<>();
    /** The native close waits for {@link #exports} to reach zero. Guarded by closeLock. */
    private boolean nativeCloseDeferred;

    InterpreterState(Host host, long ptr, WorkerProcess worker, LeakPolicy leakPolicy, Interpreter owner,
                     CreationSite createdAt) {
        this.host = host;
        this.ptr = ptr;
        this.worker = worker;
        this.id = worker == null ? NativeBridge.interpId(ptr) : worker.interpId;
        this.leakPolicy = leakPolicy;
        this.owner = new WeakReference<>(owner);
        this.createdAt = createdAt;
    }

    /** Arms the safety net for {@code owner} (once, from its constructor). */
    void register(Interpreter owner) {
        cleanable = CLEANER.register(owner, this);
    }

    boolean isClosing() {
        return closing;
    }

    boolean isClosed() {
        return closed;
    }

    /** Operations in flight: counted ones and typed calls ({@link CallSlot}). */
    int operationsInFlight() {
        return inFlight.get() + CallSlot.countInside(this);
    }

    /**
     * What a use of the closed (or closing) interpreter throws: {@link ClosedException}, or,
     * for a worker that crashed, the {@link InterpreterCrashedException} again (ABI.md 13.10).
     */
    IsolexException closedException() {
        InterpreterCrashedException crash = crash();
        if (crash != null) return crash.again();
        return new ClosedException("interpreter " + id + " is closed");
    }

    /** The crash of this interpreter's worker, or null (in process, or alive). */
    InterpreterCrashedException crash() {
        return worker == null ? null : worker.crash();
    }

    /** Drops a handle's native reference (in process, or in the worker). Caller is inside an operation, or is close. */
    void releaseNative(long handleId) {
        if (worker == null) NativeBridge.release(ptr, handleId);
        else worker.release(handleId);
    }

    // ------------------------------------------------------------------ the gate

    /** Refuses every operation that has not started yet; close does the rest. */
    void beginClose() {
        closing = true;
    }

    /**
     * Counts an operation in; throws if close has begun. The caller calls {@link #exit()}
     * (in a finally block) once it is done with {@link #ptr}. The flag is checked before
     * counting in (so a new call never waits behind a close) and again after (a call that
     * counted itself in after close began backs out; only calls already inside run on).
     */
    void enter() {
        if (!tryEnter()) throw closedException();
    }

    /** {@link #enter()}, answering false instead of throwing. */
    boolean tryEnter() {
        if (closing) return false;
        inFlight.incrementAndGet();
        if (closing) {
            exit();
            return false;
        }
        return true;
    }

    /**
     * ABI.md 12.83: raises the native interrupt request for the call registered in
     * {@code slot}, if it is still this interpreter's call in flight (InterruptWatcher's
     * thread). Under {@link #drained}'s monitor, which a close holds to see that no
     * operation is in flight: while the slot names this interpreter its call has not
     * counted itself out, so the native interpreter cannot be freed until the raise is done
     * -- and unlike {@link #tryEnter()} this works while a close waits for that call, the
     * moment interrupting it is most useful.
     */
    void interrupt(InterruptWatcher.Slot slot, long call, int reason) {
        synchronized (drained) {
            if (slot.state == this && !closed) NativeBridge.interpInterrupt(ptr, call, reason);
        }
    }

    /** Counts an operation out; the last one out wakes a close that waits for it. */
    void exit() {
        if (inFlight.decrementAndGet() == 0 && closing) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /**
     * Releases one handle now (Handle.close, or the last use of a handle closed meanwhile).
     * No-op once close has begun: closing the native interpreter drops every handle anyway.
     */
    void release(long handleId) {
        if (!tryEnter()) return;
        try {
            releaseNative(handleId);
        } finally {
            exit();
        }
    }

    /** Releases the handles the GC queued. Caller is inside an operation, or is close. */
    void drainPendingReleases() {
        Long h;
        while ((h = pendingReleases.poll()) != null) {
            releaseNative(h);
        }
        while ((h = pendingExportReleases.poll()) != null) {
            releaseNative(h);
            exports.decrementAndGet();
        }
    }

    /** An export was made (Handle.byteBuffer, inside an operation): counted until released. */
    void exportAdded() {
        exports.incrementAndGet();
    }

    /** {@return the exports whose ByteBuffers the garbage collector has not found yet (tests)} */
    int exportsReachable() {
        return exports.get() - pendingExportReleases.size();
    }

    /**
     * The Cleaner action of an export's root ByteBuffer (on the cleaner's thread): queues the
     * release like a dropped handle's, and finishes a close that waited for this export.
     * That native close from the cleaner's thread is safe for the reasons {@link #run()}
     * gives: the interpreter is closed, so no operation is inside it or can get in.
     */
    void exportUnreachable(long viewId) {
        pendingExportReleases.add(viewId);
        if (!closed) return;
        closeLock.lock();
        try {
            if (!nativeCloseDeferred) return;
            drainPendingReleases();
            if (exports.get() > 0) return;
            nativeCloseDeferred = false;
            LeakReport report = closeNativeNow();
            if (report != null) {
                LOG.log(System.Logger.Level.WARNING, "interpreter " + id + " leaked native memory (freed at close):\n"
                        + report);
            }
        } finally {
            closeLock.unlock();
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the interpreter, waiting at most {@code timeoutNanos} (a negative value: for
     * ever) for another close and for the operations in flight. Refuses new operations from
     * the start. Throws {@link CloseIncompleteException} when the time runs out, and
     * InterruptedException when the thread is interrupted while it has to wait; either way
     * the interpreter stays closing (new operations refused) and may be closed again. A
     * close that has nothing to wait for completes even on an interrupted thread. Idempotent.
     * A leak is thrown as a {@link LeakException} or logged, per the host's policy.
     */
    void close(long timeoutNanos) throws InterruptedException {
        close(System.nanoTime(), timeoutNanos);
    }

    /** {@link #close(long)} with a time limit that began at {@code start} (System.nanoTime()). */
    void close(long start, long timeoutNanos) throws InterruptedException {
        LeakReport report = closeNative(start, timeoutNanos);
        if (report == null) return;
        if (leakPolicy == LeakPolicy.THROW) throw new LeakException(report);
        LOG.log(System.Logger.Level.WARNING, "interpreter " + id + " leaked native memory (freed at close):\n" + report);
    }

    /** {@code close(-1)}, an interrupt answered with CloseIncompleteException (Interpreter.close()). */
    void close() {
        try {
            close(-1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloseIncompleteException("close of interpreter " + id + " was interrupted: " + inFlightText()
                    + " (new calls are refused; close it again to finish)", e);
        }
    }

    /** The close: the leak report, or null when nothing leaked or it was closed already. */
    private LeakReport closeNative(long start, long timeoutNanos) throws InterruptedException {
        beginClose();
        if (!closeLock.tryLock() && !closeLock.tryLock(left(start, timeoutNanos), TimeUnit.NANOSECONDS)) {
            throw timedOut(timeoutNanos, "another thread's close of it is still running");
        }
        try {
            if (closed) return null;
            awaitNoOperations(start, timeoutNanos);
            closed = true;
            try {
                return freeNative();
            } finally {
                host.forget(this);
                if (cleanable != null) cleanable.clean(); // disarms the safety net (run() sees closed)
            }
        } finally {
            closeLock.unlock();
        }
    }

    /** Nanoseconds left of a time limit that began at {@code start} (a negative limit: for ever). */
    private static long left(long start, long timeoutNanos) {
        return timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
    }

    /**
     * Waits until no operation is in flight, until the time limit is up. The counted ones wake
     * it as they leave; typed calls ({@link CallSlot}) do not, so while one is inside it polls.
     */
    private void awaitNoOperations(long start, long timeoutNanos) throws InterruptedException {
        synchronized (drained) {
            boolean typed = false;
            while (inFlight.get() != 0 || (typed = CallSlot.anyInside(this))) {
                long left = left(start, timeoutNanos);
                if (left <= 0) {
                    throw timedOut(timeoutNanos, inFlightText() + " (new calls are refused; close it again to finish)");
                }
                TimeUnit.NANOSECONDS.timedWait(drained, typed ? Math.min(left, TYPED_POLL_NANOS) : left);
                typed = false;
            }
        }
    }

    /** How often a close waiting for typed calls looks again (a typed call is usually far shorter). */
    private static final long TYPED_POLL_NANOS = 200_000;

    private CloseIncompleteException timedOut(long timeoutNanos, String why) {
        return new CloseIncompleteException("interpreter " + id + " did not close within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms: " + why, null);
    }

    /** "1 call still in flight", "2 calls still in flight". */
    private String inFlightText() {
        int n = operationsInFlight();
        return n + (n == 1 ? " call" : " calls") + " still in flight";
    }

    /** Releases every handle Java holds, then closes the native interpreter. Caller holds closeLock. */
    private LeakReport freeNative() {
        for (Handle.Ref ref : live) {
            if (ref.markClosed()) releaseNative(ref.id);
        }
        live.clear();
        drainPendingReleases();
        if (exports.get() > 0) { // ABI.md 12.50: the memory stays while a ByteBuffer is reachable
            nativeCloseDeferred = true;
            LOG.log(System.Logger.Level.WARNING, "interpreter " + id + " closed with " + exports.get()
                    + " exported ByteBuffer(s) still reachable; its native memory is freed once the garbage"
                    + " collector has found them");
            return null;
        }
        return closeNativeNow();
    }

    /** ixh_interp_close and its leak report. Caller holds closeLock; no export is left. */
    private LeakReport closeNativeNow() {
        try (Wire wire = Wire.take()) {
            wire.reserve(CLOSE_REPORT_CAPACITY);
            int leaked = worker == null ? NativeBridge.interpClose(ptr, wire) : worker.closeInterpreter(wire);
            if (leaked == 0) return null;
            LeakReport report = wire.buffer().limit() > 0
                    ? LeakReport.fromWire(wire.readValue(Wire.VALUES_ONLY))
                    : new LeakReport(id, -1, -1, -1, Map.of(), Map.of(), Map.of());
            lastLeakReport = report;
            return report;
        }
    }

    // ------------------------------------------------------------------ the safety net

    /**
     * The Cleaner action: the {@link Interpreter} became unreachable without being closed
     * (when it was closed, {@link #closeNative} disarmed this and it does nothing).
     *
     * <p>Closing here calls into the interpreter from the cleaner's thread, which the rule
     * "the garbage collector never calls into an interpreter" (README, "Threads") seems to
     * forbid; it is safe for this one case, and only for it:
     * <ul>
     * <li>No other thread can be inside it, or get in: every operation goes through the
     *     {@code Interpreter} or one of its handles, and each of those holds the
     *     {@code Interpreter} strongly, so none is reachable. An operation still running
     *     when the object became unreachable (possible in principle: the JIT may drop
     *     {@code this} before a method returns) is counted in {@link #inFlight}, and this
     *     close waits for it like any close.</li>
     * <li>The cleaner thread is inside no interpreter (no re-entry, ABI.md 9.2) and holds no
     *     lock anyone else needs (closeLock is this unreachable interpreter's). The native
     *     close takes the interpreter's lock and, around shared-lock modules' code, their
     *     library locks (ABI.md 9.3), exactly as a close from any thread does.</li>
     * <li>It runs the modules' clear and free and the objects' deallocs, as every close does.
     *     Slow extension code delays only other interpreters' safety nets: this is a Cleaner
     *     of its own, not the one that releases handles, queues and buffers.</li>
     * </ul>
     * It logs a warning naming where the interpreter was made; a leak found at this close is
     * logged whatever the policy (there is no caller to throw to).
     */
    @Override
    public void run() {
        if (closed) return;
        LOG.log(System.Logger.Level.WARNING, "interpreter " + id + " was garbage collected without being closed;"
                + " closing it now (close interpreters, or their host, when done with them). It was created "
                + createdAt);
        try {
            LeakReport report = closeNative(System.nanoTime(), -1);
            if (report != null) {
                LOG.log(System.Logger.Level.WARNING, "interpreter " + id + " leaked native memory (freed at close):\n"
                        + report);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the Cleaner's thread is being stopped
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing interpreter " + id + " from the garbage collector failed", e);
        }
    }
}
