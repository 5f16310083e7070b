package org.isolex;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * One isolated interpreter: its own instance of every module it imports (own module state, own
 * type objects, own objects), its own native heap, accounted byte for byte. Create it with
 * {@link Host#newInterpreter()}; close it to free everything it holds.
 *
 * <pre>{@code
 * try (Interpreter interp = host.newInterpreter()) {
 *     ExtensionModule counter = interp.importModule("counter");
 *     Handle c = (Handle) counter.invoke("Counter");
 *     c.invoke("increment");
 * }   // frees the module, its types and objects; live bytes back to 0
 * }</pre>
 *
 * <h2>Threads</h2>
 * Any thread may use any interpreter, and an interpreter, its modules and its handles may be
 * shared between threads without extra locking. Native code inside one interpreter runs under
 * the interpreter's own lock (the per-interpreter lock of PEP 684; abi/ABI.md 9.1), so
 * different interpreters run in parallel on different threads while calls into the same one
 * take turns. An extension may give the lock up around long pure-C work
 * ({@code IxLock_Release}/{@code IxLock_Acquire}); only then do two threads run inside one
 * interpreter at once.
 * <p>
 * How a module behaves when several interpreters use it is its declared support level
 * (ABI.md 4.9):
 * <ul>
 * <li><b>per-interpreter lock</b> (the default for a multiphase module with no
 *     multiple-interpreters slot): fully parallel across interpreters;</li>
 * <li><b>shared lock</b> ({@code IX_MOD_MULTI_SHARED_LOCK}): loads in every interpreter, but
 *     the host holds one process-wide lock per library around every entry into the module's
 *     code (functions, methods, type slots such as dealloc, create/exec, traverse/clear/free),
 *     so that code never runs on two threads at once, in any number of interpreters
 *     (ABI.md 9.3). Calls into such a module from different interpreters take turns;</li>
 * <li><b>not supported</b> ({@code IX_MOD_MULTI_NOT_SUPPORTED}), and legacy single-phase
 *     modules (ABI.md 7): load in one interpreter of the process at a time; another
 *     interpreter's import raises an {@code ImportError} naming the interpreter that holds it,
 *     until that one closes (see also {@link Host.Builder#legacyPrivateCopies(boolean)}).</li>
 * </ul>
 * <p>
 * <b>Re-entry</b> (ABI.md 9.2): a thread that is inside an interpreter cannot enter that same
 * interpreter again from outside; libisolex refuses with
 * {@code RuntimeError: interpreter N is already entered by this thread; re-entrant calls into
 * the same interpreter are not supported} instead of deadlocking. From Java this cannot
 * happen: the value API makes no upcalls into Java, so a Java thread is never inside a native
 * call when it starts another one. (An extension calling back into its own interpreter
 * through its context is ordinary use, not re-entry.) Java code does run while a call's
 * arguments are converted (the methods of a {@code List} or {@code Map} argument), before
 * the call counts as in flight and into a buffer of the call's own: it may call into any
 * interpreter, this one included, and even close it, which makes the call it was converting
 * for throw {@link ClosedException} (ABI.md 9.2.1).
 *
 * <h2>Closing while other threads call</h2>
 * Every operation (import, call, attribute access, handle release, the statistics) counts
 * itself in and out of this interpreter's <em>in-flight</em> counter for its duration. The
 * moment {@link #close()} begins it marks the interpreter as closing, and from then on every
 * new operation throws {@link ClosedException} ("interpreter 3 is closed") at once, without
 * waiting and without touching native memory. Close then waits until the counter is zero:
 * the operations already in flight (including those still waiting for the native interpreter
 * lock) complete normally, with their real result or their real native error. So each call
 * either runs to completion or throws {@code ClosedException}, never anything in between,
 * and a stream of new calls cannot starve a close: it waits only for the calls that were
 * inside when it began. (An operation checks the closing flag, counts itself in, then checks
 * the flag again; close sets the flag, then reads the counter. Both are volatile, so either
 * the operation sees the flag and backs out, or close sees the operation and waits for it.
 * Two atomic updates per operation are all this costs; a read-write lock cost twice as much.)
 * {@link Host#close()} marks all of its interpreters closing first, then closes them one by
 * one.
 * <p>
 * A call into an extension cannot be stopped from outside, so a call that never returns
 * would hold {@link #close()} for ever. {@link #closeWithin(Duration)} waits at most that long
 * and then gives up with {@link CloseIncompleteException}, and {@link #close()} gives up the
 * same way when its thread is interrupted while it waits. Either way the interpreter is left
 * <em>closing</em> (new operations refused, the call in flight running on, nothing freed)
 * and a later close finishes the job.
 *
 * <h2>Dropped without closing</h2>
 * An interpreter the program drops without closing it, together with all its handles and
 * modules, is closed by a {@link java.lang.ref.Cleaner} once the garbage collector finds it,
 * with a warning naming where it was created (see {@link Host}, "Dropped without closing").
 * This is the one place where the garbage collector's thread calls into an interpreter; why
 * that is safe is written at {@code InterpreterState.run()}.
 *
 * <h2>Handles and the garbage collector</h2>
 * Results that do not convert to Java values come back as {@link Handle}s, each owning one
 * native reference. Close them (try-with-resources). A handle the program drops without
 * closing is released after the garbage collector finds it: a {@link java.lang.ref.Cleaner}
 * action queues its id here (it never calls native code from the cleaner thread), and the
 * queue is drained at the next operation on this interpreter or at close.
 */
public final class Interpreter implements AutoCloseable {
    /** Rounds of the IXH_TOO_BIG protocol before giving up (one is the norm). */
    private static final int MAX_EXPAND_ROUNDS = 4;

    private final Host host;
    /**
     * The native interpreter ({@code IxInterp *}). Used only inside an operation (between
     * {@link #enter()} and {@link #exit()}) or by close, which frees it only once no operation
     * is in flight and none can begin.
     */
    private final long ptr;
    /** The worker process serving it ({@link Isolation#WORKER_PROCESS}), or null in process. */
    private final WorkerProcess worker;
    private final long id;
    private final boolean debug;
    /** The default call timeout in nanoseconds, 0 for none ({@link Builder#callTimeout}). */
    final long callTimeoutNanos;
    /** The gate, the close and the handles: what the host and the safety net hold. */
    final InterpreterState state;

    final Wire.Hooks hooks = new Wire.Hooks() {
        @Override
        public boolean writeSpecial(Wire wire, Object value, int argument) {
            if (!(value instanceof Handle)) return false;
            Handle h = (Handle) value;
            String what = argument > 0 ? "argument " + argument : "the value";
            if (h.interpreter() != Interpreter.this) {
                throw new IsolexException(what + " is a handle of interpreter " + h.interpreter().id()
                        + "; objects cannot cross into interpreter " + id + " (pass a value, or use a queue)");
            }
            if (!h.lendTo(wire)) {
                throw new ClosedException(what + ": handle to " + h.typeName() + " is closed");
            }
            wire.handle(h.id(), h.typeName());
            return true;
        }

        @Override
        public Object handle(long handleId, String typeName) {
            return new Handle(Interpreter.this, handleId, typeName);
        }

        /** A SharedQueue or SharedBuffer argument: lent (pinned) for the call (ABI.md 11). */
        @Override
        public boolean writeShared(Wire wire, Object value) {
            return SharedRef.write(wire, value);
        }

        /** A queue or buffer in a result: a new Java object owning the reference the reply handed over. */
        @Override
        public Object shared(int tag, long pointer) {
            return SharedRef.wrap(tag, pointer);
        }

        @Override
        public RuntimeException error(String typeName, String message, RuntimeException cause) {
            return NativeError.of(typeName, message, (NativeError) cause);
        }
    };

    /** Takes over {@code ptr}, made by the caller of the isolex method at {@code createdAt}. */
    Interpreter(Host host, long ptr, WorkerProcess worker, LeakPolicy leakPolicy, boolean debug,
                long callTimeoutNanos, CreationSite createdAt) {
        this.host = host;
        this.ptr = ptr;
        this.worker = worker;
        this.debug = debug;
        this.callTimeoutNanos = callTimeoutNanos;
        this.state = new InterpreterState(host, ptr, worker, leakPolicy, this, createdAt);
        this.id = state.id;
        state.register(this);
    }

    /**
     * Configures one interpreter of a host, starting from the host's defaults (debug mode,
     * isolation, call timeout); get one with {@link Host#interpreterBuilder()}.
     *
     * <pre>{@code
     * try (Interpreter interp = host.interpreterBuilder()
     *         .isolation(Isolation.WORKER_PROCESS)
     *         .callTimeout(Duration.ofSeconds(2))
     *         .build()) {
     *     interp.importModule("fact").invoke("factorial_digits", 1000);
     * }
     * }</pre>
     */
    public static final class Builder {
        private final Host host;
        private boolean debug;
        private Isolation isolation;
        private Duration callTimeout;

        Builder(Host host, boolean debug, Isolation isolation, Duration callTimeout) {
            this.host = host;
            this.debug = debug;
            this.isolation = isolation;
            this.callTimeout = callTimeout;
        }

        /**
         * Debug mode for this interpreter (abi/ABI.md 10; {@link Host.Builder#debug(boolean)}).
         *
         * @param enabled true for a debug-mode interpreter
         * @return this builder
         */
        public Builder debug(boolean enabled) {
            this.debug = enabled;
            return this;
        }

        /**
         * Where the interpreter runs (abi/ABI.md 13): in the JVM's process or in a worker
         * process of its own.
         *
         * @param isolation {@link Isolation#IN_PROCESS} or {@link Isolation#WORKER_PROCESS}; not null
         * @return this builder
         */
        public Builder isolation(Isolation isolation) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * The deadline of each call into this interpreter, counted from the call's start,
         * when no earlier {@link Deadline} is open on the calling thread (abi/ABI.md 13.13).
         * In a worker process a call past it kills the worker ({@link CallTimeoutException}).
         *
         * @param timeout a positive duration, or null for none (the host's default applies
         *                until this is called)
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Host.checkTimeout(timeout);
            return this;
        }

        /**
         * Makes the interpreter and registers it with the host, as {@link Host#newInterpreter()} does.
         *
         * @return the new interpreter, open and owned by the caller
         * @throws ClosedException if the host is closed
         * @throws IsolexException if the interpreter cannot be created (memory limit, out of
         *                         memory; in a worker process also: ixworker not found or it
         *                         could not start)
         */
        public Interpreter build() {
            return host.newInterpreter(debug, isolation, callTimeout == null ? 0 : Deadline.saturatedNanos(callTimeout));
        }
    }

    /** {@return the interpreter's id (1, 2, ... in creation order within the process)} */
    public long id() {
        return id;
    }

    /**
     * Where this interpreter runs: in the JVM's process, or in a worker process of its own
     * (abi/ABI.md 13). Fixed when the interpreter is created.
     *
     * @return {@link Isolation#IN_PROCESS} or {@link Isolation#WORKER_PROCESS}
     */
    public Isolation isolation() {
        return worker == null ? Isolation.IN_PROCESS : Isolation.WORKER_PROCESS;
    }

    /** {@return the default deadline of each call into this interpreter, empty for none ({@link Builder#callTimeout})} */
    public Optional<Duration> callTimeout() {
        return callTimeoutNanos == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(callTimeoutNanos));
    }

    /**
     * The process id of the worker process serving this interpreter
     * ({@link Isolation#WORKER_PROCESS}): for monitoring, and for tests that kill it from
     * outside.
     *
     * @return the worker's pid, or empty in process
     */
    public OptionalLong workerPid() {
        return worker == null ? OptionalLong.empty() : OptionalLong.of(worker.pid);
    }

    /** {@return the host that created it} */
    public Host host() {
        return host;
    }

    /**
     * True for a debug-mode interpreter (abi/ABI.md 10; {@link Host.Builder#debug(boolean)},
     * {@link Host#newInterpreter(boolean)}). Fixed when the interpreter is created.
     *
     * @return true in debug mode, false in release mode
     */
    public boolean isDebug() {
        return debug;
    }

    /** {@return true once a {@link #close()} has finished (false while one is still waiting)} */
    public boolean isClosed() {
        return state.isClosed();
    }

    /**
     * Imports a module: finds {@code name.so} on the host's module path, loads it (once per
     * process) and creates this interpreter's instance of it, or returns the instance already
     * imported here (exec does not run again; the new {@link ExtensionModule} handle names the same
     * object).
     *
     * @param name the module's name: its file is {@code name.so} (e.g. {@code "counter"} for
     *             {@code counter.so}); not null, no NUL character
     * @return a handle to this interpreter's instance of the module, owned by the caller
     * @throws NativeImportError if the module cannot be found or loaded (the message says why)
     * @throws NativeSystemError if the module breaks a rule of the ABI (abi/ABI.md 4)
     * @throws NativeError       if the module's own code fails while executing
     * @throws IllegalArgumentException if the name contains a NUL character
     *         ({@code module name contains a NUL character (at index 7): "counter\0evil"})
     * @throws ClosedException  if the interpreter is closed or closing
     */
    public ExtensionModule importModule(String name) {
        Names.check("module name", Objects.requireNonNull(name, "name"));
        enter();
        try (Wire w = Wire.take()) {
            w.str(name);
            drainPendingReleases();
            InterruptWatcher.Slot call = worker == null ? InterruptWatcher.begin(state, w.address(), callTimeoutNanos)
                    : null; // ABI.md 12.83; a worker's deadline is its kill (13.13)
            try {
                int status = worker == null ? NativeBridge.importModule(ptr, w) : worker.importModule(w);
                return (ExtensionModule) finish(status, w, name);
            } finally {
                InterruptWatcher.end(call);
            }
        } finally {
            exit();
        }
    }

    /**
     * Native bytes this interpreter holds now (objects, module state, types, blocks).
     *
     * @return the bytes, block headers included; not what the interpreter made for itself
     *         (builtin types, caches), so 0 for a fresh interpreter
     * @throws ClosedException if the interpreter is closed or closing
     */
    public long liveBytes() {
        enter();
        try {
            return worker == null ? NativeBridge.interpLiveBytes(ptr)
                    : worker.control(WorkerProcess.OP_INTERP_LIVE_BYTES, 0, 0, null);
        } finally {
            exit();
        }
    }

    /**
     * Native blocks this interpreter holds now.
     *
     * @return the number of blocks, counted as {@link #liveBytes()} counts bytes (0 for a fresh
     *         interpreter)
     * @throws ClosedException if the interpreter is closed or closing
     */
    public long liveBlocks() {
        enter();
        try {
            return worker == null ? NativeBridge.interpLiveBlocks(ptr)
                    : worker.control(WorkerProcess.OP_INTERP_LIVE_BLOCKS, 0, 0, null);
        } finally {
            exit();
        }
    }

    /**
     * Native handles currently open in this interpreter (each is a reference a {@link Handle}
     * owns). Drains the queue of handles the GC collected first, so it is exact.
     *
     * @return the number of open handles, modules included
     * @throws ClosedException if the interpreter is closed or closing
     */
    public long handleCount() {
        enter();
        try {
            drainPendingReleases();
            return worker == null ? NativeBridge.interpHandleCount(ptr)
                    : worker.control(WorkerProcess.OP_INTERP_HANDLE_COUNT, 0, 0, null);
        } finally {
            exit();
        }
    }

    /**
     * Runs this interpreter's cycle collector now and returns how many objects it found
     * unreachable and freed: groups of objects that keep each other alive through references
     * (a node pointing at itself, a list containing itself) but that nothing else reaches.
     * Reference counting alone never frees them.
     *
     * <p>Calling it is rarely needed: the collector also runs by itself at the end of a call
     * once enough collectable objects were made since the last collection (so a long-running
     * interpreter that keeps making cycles does not grow without bound), and once more at
     * {@link #close()}. It is there to make memory use exact at a chosen point, e.g. before
     * reading {@link #liveBytes()}. The collector sees only objects of types that support it
     * (abi/ABI.md: {@code IX_TPFLAGS_HAVE_GC} and a traverse slot); a cycle through an object
     * of any other type is never collected and is reported as a leak at close.
     *
     * @return the number of unreachable objects found (0 when there were none)
     * @throws ClosedException if the interpreter is closed
     */
    public long collectCycles() {
        enter();
        try {
            drainPendingReleases();
            long n = worker == null ? NativeBridge.interpCollect(ptr)
                    : worker.control(WorkerProcess.OP_INTERP_COLLECT, 0, 0, null);
            if (n < 0) {
                // only a thread inside the interpreter gets -1, and Java threads never are
                throw new IllegalStateException("interpreter " + id + " refused to collect: this thread is inside it");
            }
            return n;
        } finally {
            exit();
        }
    }

    /** How many unraisable errors {@link #unraisableErrors()} keeps: the most recent 16. */
    public static final int UNRAISABLE_ERRORS_KEPT = 16;

    /**
     * The errors this interpreter could not raise, most recent last (ABI 1.2, abi/ABI.md
     * 6.8): what a type's {@code tp_dealloc}, {@code tp_clear} or {@code tp_finalize}, a weak
     * reference's callback, a capsule's destructor or a module's clear or free left set. No
     * call fails with them (the code that dropped the last reference keeps its own result or
     * error), so this is where they show, as CPython's {@code sys.unraisablehook} shows them.
     * The interpreter keeps the last {@link #UNRAISABLE_ERRORS_KEPT} and numbers every one,
     * so the last one's {@link UnraisableError#number()} is how many there were since the
     * interpreter was created. Reading does not forget them. Errors raised while the
     * interpreter closes are not kept; in debug mode every one is also written to the
     * violation log ({@link Host#debugViolations()}, as
     * {@code "isolex debug: exception ignored in tp_dealloc of T: ValueError: message"}),
     * those raised during close included.
     *
     * <pre>{@code
     * for (UnraisableError e : interp.unraisableErrors()) log.warning(e.toString());
     * // exception ignored in tp_finalize of initfinal.Fin: ValueError: from a finalizer
     * }</pre>
     *
     * @return an immutable list of at most {@link #UNRAISABLE_ERRORS_KEPT}, oldest first;
     *         empty when there were none
     * @throws ClosedException if the interpreter is closed or closing
     */
    public List<UnraisableError> unraisableErrors() {
        enter();
        try {
            List<UnraisableError> out = new ArrayList<>();
            List<?> raw = worker == null ? NativeBridge.interpUnraisable(ptr) : workerUnraisable();
            for (Object t : raw) out.add(UnraisableError.fromWire((List<?>) t));
            return List.copyOf(out);
        } finally {
            exit();
        }
    }

    /** INTERP_UNRAISABLE: as NativeBridge.interpUnraisable, over the worker's protocol. */
    private List<?> workerUnraisable() {
        try (Wire w = Wire.take()) {
            while (worker.lengthOp(WorkerProcess.OP_INTERP_UNRAISABLE, w.capacity(), w) < 0) {
                w.reserve(worker.lastLength());
            }
            return (List<?>) w.readValue(Wire.VALUES_ONLY);
        }
    }

    /** {@return the report of the last close that found leaks; empty until a close has found some} */
    public Optional<LeakReport> lastLeakReport() {
        return Optional.ofNullable(state.lastLeakReport);
    }

    /**
     * Closes the interpreter: releases every handle Java still holds, then clears and frees
     * every module (reverse import order), type and object, and unloads libraries no other
     * interpreter uses. Refuses new operations from the moment it begins and waits for those
     * in flight (see "Closing while other threads call" above). Idempotent; a second close,
     * from any thread, returns once the first has finished.
     *
     * <p>Returns normally when nothing leaked. When native memory was still allocated (an
     * extension forgot to release something), it is freed anyway and, per the host's
     * {@link LeakPolicy}, a {@link LeakException} is thrown or the {@link LeakReport} is logged;
     * either way {@link #lastLeakReport()} returns it.
     *
     * <p>The wait for calls in flight has no time limit (a call that never returns holds its
     * close for ever; {@link #closeWithin(Duration)} gives up instead) but it honours interrupts: a
     * thread interrupted while it has to wait (or before) gets a {@link CloseIncompleteException}
     * whose cause is the {@link InterruptedException}, with its interrupt status set again, and
     * the interpreter stays closing (new operations refused) until a later close finishes. A
     * close with nothing to wait for completes even on an interrupted thread.
     *
     * @throws CloseIncompleteException if interrupted while waiting
     * @throws LeakException            if something leaked and the policy is {@link LeakPolicy#THROW}
     */
    @Override
    public void close() {
        state.close();
    }

    /**
     * {@link #close()}, waiting at most {@code timeout} for calls in flight (and for another
     * thread's close of this interpreter). A call into an extension cannot be stopped from
     * outside: when one is still running after {@code timeout}, this gives up with a
     * {@link CloseIncompleteException}
     * ({@code "interpreter 3 did not close within 200 ms: 1 call still in flight (new calls are
     * refused; close it again to finish)"}) and leaves the interpreter closing: new operations
     * throw {@link ClosedException}, the call in flight runs on, nothing is freed. Close again
     * once it has returned. {@code Duration.ZERO} closes only if nothing is in flight.
     *
     * @param timeout the longest wait; not negative
     * @throws IllegalArgumentException if {@code timeout} is negative (nothing is done)
     * @throws CloseIncompleteException if calls were still in flight when the time ran out
     * @throws InterruptedException     if interrupted while waiting (the interpreter stays closing)
     * @throws LeakException            if something leaked and the policy is {@link LeakPolicy#THROW}
     */
    public void closeWithin(Duration timeout) throws InterruptedException {
        state.close(SharedQueue.nanos(timeout));
    }

    @Override
    public String toString() {
        return "Interpreter " + id + (isClosed() ? " (closed)" : "");
    }

    // ------------------------------------------------------------------ internals for Host and Handle

    /** True once close has begun (new operations are refused). */
    boolean isClosing() {
        return state.isClosing();
    }

    /** Operations in flight now (running, or waiting for the native interpreter lock). */
    int operationsInFlight() {
        return state.operationsInFlight();
    }

    /** Counts an operation in; throws if close has begun ({@link InterpreterState#enter()}). */
    void enter() {
        state.enter();
    }

    /** Counts an operation out. */
    void exit() {
        state.exit();
    }

    IsolexException closedException() {
        return state.closedException();
    }

    /** Releases the handles the GC queued. Caller is inside an operation, or is close. */
    private void drainPendingReleases() {
        state.drainPendingReleases();
    }

    /**
     * One value-API operation on {@code target}: encodes, calls, decodes or throws. The
     * arguments are converted before the operation counts itself in flight, into a Wire of
     * its own: the Java code a conversion runs ({@code List.get}, a map's iterator) may call
     * into isolex again, or close this interpreter, without waiting for its own call
     * (ABI.md 9.2.1). Such a close makes this call throw ClosedException at enter().
     */
    Object op(NativeBridge.Op op, Handle target, BiConsumer<Wire, Wire.Hooks> input) {
        if (isClosing()) throw closedException(); // no conversion for a call that cannot run
        try (Wire w = Wire.take()) {
            if (!target.lendTo(w)) throw target.closedException();
            input.accept(w, hooks);
            enter();
            InterruptWatcher.Slot call = worker == null ? InterruptWatcher.begin(state, w.address(), callTimeoutNanos)
                    : null; // ABI.md 12.83; a worker's deadline is its kill (13.13)
            try {
                drainPendingReleases();
                int status = worker == null ? NativeBridge.op(op, ptr, target.id(), w) : worker.op(op, target.id(), w);
                w.endLoans(); // handles, queues and buffers lent to the call (the interpreter took its own references)
                return finish(status, w, null);
            } finally {
                InterruptWatcher.end(call);
                exit();
            }
        }
    }

    /** The worker process, or null in process (TypedFunction routes on it). */
    WorkerProcess worker() {
        return worker;
    }

    /** The native interpreter, for an operation already counted in ({@link #enter()}). */
    long ptr() {
        return ptr;
    }

    /**
     * Turns a status and the buffer into a result: OK decodes the value, ERROR throws the
     * decoded exception, TOO_BIG grows the buffer and expands the handle it names, then
     * releases that handle (isolex_host.h). For an import ({@code moduleName} not null) a
     * handle result becomes an {@link ExtensionModule}.
     */
    Object finish(int status, Wire w, String moduleName) {
        for (int round = 0; ; round++) {
            w.flipForRead();
            switch (status) {
                case NativeBridge.OK:
                    if (moduleName != null) {
                        if (w.readTag() != Wire.HANDLE) {
                            throw new IsolexException("libisolex returned a non-handle for the import of '"
                                    + moduleName + "'");
                        }
                        long h = w.readRawInt64();
                        return new ExtensionModule(this, h, w.readStr(), moduleName);
                    }
                    return w.readValue(hooks);
                case NativeBridge.ERROR:
                    throw w.readException(hooks);
                case NativeBridge.TOO_BIG: {
                    if (w.readTag() != Wire.HANDLE) throw new IsolexException("malformed IXH_TOO_BIG answer");
                    long h = w.readRawInt64();
                    w.readStr();
                    long needed = w.readInt();
                    if (round >= MAX_EXPAND_ROUNDS) {
                        state.releaseNative(h);
                        throw new IsolexException("result still too big after " + round + " expansions ("
                                + needed + " bytes)");
                    }
                    w.reserve(needed + 64);
                    try {
                        status = worker == null ? NativeBridge.op(NativeBridge.Op.EXPAND, ptr, h, w) // reserve emptied w
                                : worker.op(NativeBridge.Op.EXPAND, h, w);
                    } finally {
                        state.releaseNative(h);
                    }
                    continue;
                }
                default:
                    throw new IsolexException("libisolex returned unknown status " + status);
            }
        }
    }
}
