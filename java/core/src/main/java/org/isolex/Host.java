package org.isolex;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.isolex.internal.NativeBridge;

/**
 * The entry point: a configuration (module path, memory limit, leak policy) and the
 * interpreters made with it.
 *
 * <pre>{@code
 * try (Host host = Host.builder().modulePath(Path.of("target/cmake/extensions")).build();
 *      Interpreter interp = host.newInterpreter()) {
 *     ExtensionModule fact = interp.importModule("fact");
 *     System.out.println(fact.invoke("factorial_digits", 1000));
 * }
 * }</pre>
 *
 * Closing the host closes every interpreter it made that is still open. The static methods
 * report on the whole process (all hosts).
 *
 * <h2>Dropped without closing</h2>
 * A host owns no native memory of its own: only its interpreters do, and each interpreter has
 * a garbage-collection safety net (a {@link java.lang.ref.Cleaner}, like {@link SharedQueue} and
 * {@link SharedBuffer}). An interpreter counts as <em>dropped</em> once the program holds
 * neither it nor any of its handles or modules, whether its host is still in use or was
 * dropped too: the host holds its interpreters' native state (so {@link #close()} reaches
 * every open one) but not the {@link Interpreter} objects themselves. The garbage collector
 * then closes it, logs a warning through {@link System.Logger} ("org.isolex") naming where it
 * was created ({@code "interpreter 7 was garbage collected without being closed; closing it
 * now ... It was created at com.example.App.run(App.java:42) on thread main"}), and logs
 * its leak report if it leaked, whatever the {@link LeakPolicy}. It is a safety net, not a
 * way to manage interpreters: it runs only when the collector gets to it (perhaps never, in
 * a program with plenty of heap), so close what you create.
 */
public final class Host implements AutoCloseable {
    private final List<Path> modulePath;
    private final String modulePathString;
    private final long memoryLimit;
    private final LeakPolicy leakPolicy;
    private final boolean legacyPrivateCopies;
    private final boolean debug;
    private final Isolation isolation;
    /** The default call timeout of its interpreters, null for none. */
    private final Duration callTimeout;
    /** The open interpreters' native state, oldest first (guarded by this). */
    private final Set<InterpreterState> interpreters = new LinkedHashSet<>();
    private boolean closed;
    /** The native configuration every release-mode interpreter of this host is made from. */
    private final NativeBridge.Config releaseConfig;
    /** The same for debug mode; made on first use (guarded by this). */
    private NativeBridge.Config debugConfig;

    private Host(Builder b) {
        this.modulePath = List.copyOf(b.modulePath);
        this.modulePathString = modulePath.isEmpty() ? null
                : modulePath.stream().map(Path::toString).collect(Collectors.joining(":"));
        this.memoryLimit = b.memoryLimit;
        this.leakPolicy = b.leakPolicy;
        this.legacyPrivateCopies = b.legacyPrivateCopies;
        this.debug = b.debug;
        this.isolation = b.isolation;
        this.callTimeout = b.callTimeout;
        NativeBridge.load();
        this.releaseConfig = config(false);
    }

    private NativeBridge.Config config(boolean debugMode) {
        return new NativeBridge.Config(modulePathString, memoryLimit, legacyPrivateCopies, debugMode);
    }

    /** Caller holds this. */
    private NativeBridge.Config debugConfig() {
        if (debugConfig == null) debugConfig = config(true);
        return debugConfig;
    }

    /**
     * A builder with an empty module path, no memory limit, {@link LeakPolicy#THROW}, no
     * private copies of legacy modules and debug mode off.
     *
     * @return a new builder; {@link Builder#build()} makes the host
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link Host}. */
    public static final class Builder {
        private final List<Path> modulePath = new ArrayList<>();
        private long memoryLimit;
        private LeakPolicy leakPolicy = LeakPolicy.THROW;
        private boolean legacyPrivateCopies;
        private boolean debug;
        private Isolation isolation = Isolation.IN_PROCESS;
        private Duration callTimeout;

        private Builder() {}

        /**
         * Where this host's interpreters run by default (abi/ABI.md 13):
         * {@link Isolation#IN_PROCESS} (the default) or {@link Isolation#WORKER_PROCESS}, one
         * worker process per interpreter. {@link Host#interpreterBuilder()} chooses per
         * interpreter.
         *
         * @param isolation the default isolation; not null
         * @return this builder
         */
        public Builder isolation(Isolation isolation) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * The default deadline of each call into this host's interpreters, counted from the
         * call's start, when no earlier {@link Deadline} is open on the calling thread (abi/ABI.md
         * 13.13). None by default. In a worker process a call past it kills the worker
         * ({@link CallTimeoutException}).
         *
         * @param timeout a positive duration, or null for none
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = checkTimeout(timeout);
            return this;
        }

        /**
         * Replaces the module path: directories searched, in order, for {@code NAME.so}.
         *
         * @param dirs the directories, the first searched first, each taken as
         *             {@link #addModulePath(Path)} takes it; none leaves the path empty, so
         *             that no import finds a module
         * @return this builder
         * @throws IllegalArgumentException if a directory's absolute path contains ':'
         */
        public Builder modulePath(Path... dirs) {
            modulePath.clear();
            for (Path p : dirs) addModulePath(p);
            return this;
        }

        /**
         * Appends a directory to the module path. Non-ASCII names are fine; ':' is not. The
         * directory need not exist yet: it is searched at every import, and the
         * {@code ImportError} of an import that found nothing names each directory that does
         * not exist (abi/ABI.md 4.1).
         *
         * @param dir the directory; a relative one is resolved against the working directory
         *            now, and the path is normalized
         * @return this builder
         * @throws IllegalArgumentException if the directory's absolute path contains ':', the
         *                                  module path's separator
         */
        public Builder addModulePath(Path dir) {
            Objects.requireNonNull(dir, "dir");
            Path abs = dir.toAbsolutePath().normalize();
            if (abs.toString().indexOf(':') >= 0) {
                throw new IllegalArgumentException("module path entry " + abs
                        + " contains ':', which separates module path entries; rename or link the directory");
            }
            modulePath.add(abs);
            return this;
        }

        /**
         * Caps each interpreter's native heap at {@code bytes} (0: no cap), its start-up
         * builtins included. Going over raises a native {@code MemoryError} in that
         * interpreter only. A cap below what an interpreter needs to start makes
         * {@link Host#newInterpreter()} throw {@code IsolexException: cannot create an
         * interpreter: the memory limit of 1,024 bytes is below the 9,221 bytes an interpreter
         * needs to start} (abi/ABI.md 8.3).
         *
         * @param bytes the cap in bytes, 0 or more (0: no cap, the default)
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder memoryLimit(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("memory limit must be >= 0 (0 for none): " + bytes);
            this.memoryLimit = bytes;
            return this;
        }

        /**
         * What {@link Interpreter#close()} does about leaks.
         *
         * @param policy {@link LeakPolicy#THROW} (the default) or {@link LeakPolicy#LOG}; not null
         * @return this builder
         */
        public Builder leakPolicy(LeakPolicy policy) {
            this.leakPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Lets this host's interpreters load a <em>private copy</em> of a legacy single-phase
         * module that another interpreter of the process has already loaded (abi/ABI.md 7.4).
         * Off by default.
         *
         * <p>A legacy module (single-phase init, static types, state in C globals; ABI.md 7)
         * normally loads in one interpreter of the process only: any other interpreter's
         * import fails with an {@code ImportError} that names the module, its static types and
         * the interpreter holding it, and points to {@code abi/MIGRATION.md} (7.3). With this
         * option, an interpreter of this host that meets that situation instead loads the
         * library again from an anonymous in-memory copy of its file ({@code memfd}), so the
         * copy's C globals and static types are its own: its module state is as separate as a
         * multiphase module's. The option acts only for the interpreters of this host; an
         * interpreter of another host without it still gets the {@code ImportError}.
         *
         * Each copy is still a legacy module: it lives in exactly one interpreter and is
         * unloaded when that interpreter closes.
         *
         * <p>Limits (abi/MIGRATION.md, "Until then: private copies"): every copy maps the whole
         * library again; its constructors and destructors run once per copy; only the
         * module's own file is copied, not the libraries it links against, so state
         * <em>those</em> keep is still shared by all copies; process-wide side effects
         * (signal and {@code atexit} handlers, environment, threads it starts) stay
         * process-wide; and tools that key on the file path see the copy as
         * {@code /memfd:NAME (deleted)}. It is a bridge for running a legacy module while it is
         * migrated to multiphase init, not a substitute for migrating it.
         *
         * @param enabled true to load private copies; false (the default) to refuse the
         *                import with the {@code ImportError}
         * @return this builder
         */
        public Builder legacyPrivateCopies(boolean enabled) {
            this.legacyPrivateCopies = enabled;
            return this;
        }

        /**
         * Debug mode (abi/ABI.md 10) for every interpreter this host makes with
         * {@link Host#newInterpreter()}; off by default. {@link Host#newInterpreter(boolean)}
         * chooses per interpreter instead.
         *
         * <p>A debug interpreter runs the same extension libraries, unchanged and not rebuilt,
         * through a checking function table: an object of another interpreter, a refcount
         * underflow, use of a freed object, a double free, a write past the end of a block, or
         * a context used after its call returned is reported as a native {@code SystemError}
         * in the call that did it (a {@link NativeSystemError}, where an error can be raised)
         * and recorded in the process-wide log that {@link Host#debugViolations()} drains.
         * Freed memory is poisoned and quarantined, and the leak report at close gains the
         * allocation sites ({@link LeakReport#bytesBySite()}). It costs speed and 32 bytes a
         * block: for tests, not production.
         *
         * @param enabled true for debug interpreters, false (the default) for release ones
         * @return this builder
         */
        public Builder debug(boolean enabled) {
            this.debug = enabled;
            return this;
        }

        /**
         * Makes the host. The builder may go on being used: what it is told later does not
         * change the hosts it already made.
         *
         * @return a new open host with this builder's configuration
         */
        public Host build() {
            return new Host(this);
        }
    }

    /** {@return the module path, as absolute directories in search order (unmodifiable)} */
    public List<Path> modulePath() {
        return modulePath;
    }

    /** {@return the per-interpreter memory limit in bytes (0: none)} */
    public long memoryLimit() {
        return memoryLimit;
    }

    /** {@return what {@link Interpreter#close()} does about leaks in this host's interpreters} */
    public LeakPolicy leakPolicy() {
        return leakPolicy;
    }

    /** {@return whether this host's interpreters load private copies of legacy modules (ABI.md 7.4)} */
    public boolean legacyPrivateCopies() {
        return legacyPrivateCopies;
    }

    /** {@return where {@link #newInterpreter()} runs its interpreters ({@link Builder#isolation(Isolation)})} */
    public Isolation isolation() {
        return isolation;
    }

    /** {@return the default call timeout of this host's interpreters, empty for none} */
    public Optional<Duration> callTimeout() {
        return Optional.ofNullable(callTimeout);
    }

    /** A call timeout: positive, or null for none. */
    static Duration checkTimeout(Duration timeout) {
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException("a call timeout must be positive (null for none): " + timeout);
        }
        return timeout;
    }

    /**
     * A builder for one interpreter of this host, starting from the host's defaults (debug
     * mode, isolation, call timeout); its {@link Interpreter.Builder#build()} registers the
     * interpreter with this host as {@link #newInterpreter()} does.
     *
     * @return a new builder
     */
    public Interpreter.Builder interpreterBuilder() {
        return new Interpreter.Builder(this, debug, isolation, callTimeout);
    }

    /** {@return whether {@link #newInterpreter()} makes debug interpreters ({@link Builder#debug(boolean)})} */
    public boolean debug() {
        return debug;
    }

    /**
     * Creates a new, empty interpreter, in debug mode when the host was built with
     * {@link Builder#debug(boolean) debug(true)}. Close it (or this host) when done.
     *
     * @return the new interpreter, open and owned by the caller
     * @throws ClosedException if this host is closed
     * @throws IsolexException if the interpreter cannot be created: the memory limit is below
     *                         what an interpreter needs to start, or native memory ran out
     */
    public Interpreter newInterpreter() {
        return newInterpreter(debug);
    }

    /**
     * Creates a new, empty interpreter with debug mode switched on or off for it alone,
     * whatever the host's default ({@link Builder#debug(boolean)}); everything else comes
     * from the host. Debug mode is fixed for the interpreter's life
     * ({@link Interpreter#isDebug()}); any mix of debug and release interpreters may run
     * side by side, on the same extension libraries.
     *
     * @param debug true for a debug-mode interpreter, false for a release-mode one
     * @return the new interpreter, open and owned by the caller
     * @throws ClosedException if this host is closed
     * @throws IsolexException if the interpreter cannot be created: the memory limit is below
     *                         what an interpreter needs to start in that mode, or native
     *                         memory ran out
     */
    public Interpreter newInterpreter(boolean debug) {
        return newInterpreter(debug, isolation, callTimeout == null ? 0 : Deadline.saturatedNanos(callTimeout));
    }

    /** Makes an interpreter (newInterpreter, Interpreter.Builder.build). */
    Interpreter newInterpreter(boolean debug, Isolation where, long callTimeoutNanos) {
        if (where == Isolation.WORKER_PROCESS) return newWorkerInterpreter(debug, callTimeoutNanos);
        synchronized (this) {
            if (closed) throw new ClosedException("host is closed; build a new one with Host.builder()");
            CreationSite site = CreationSite.here();
            long ptr = NativeBridge.interpNew(debug ? debugConfig() : releaseConfig);
            if (ptr == 0) throw cannotCreate(debug, NativeBridge.minMemoryLimit(debug));
            Interpreter interp = new Interpreter(this, ptr, null, leakPolicy, debug, callTimeoutNanos, site);
            interpreters.add(interp.state);
            return interp;
        }
    }

    /**
     * Starts a worker process and makes the interpreter in it (abi/ABI.md 13). The start
     * (milliseconds) runs outside this host's lock, so other threads make interpreters
     * meanwhile; a host closed during the start ends the new worker.
     */
    private Interpreter newWorkerInterpreter(boolean debug, long callTimeoutNanos) {
        synchronized (this) {
            if (closed) throw new ClosedException("host is closed; build a new one with Host.builder()");
        }
        CreationSite site = CreationSite.here();
        WorkerProcess worker = WorkerProcess.start(modulePathString, memoryLimit, legacyPrivateCopies, debug,
                callTimeoutNanos);
        if (worker.interpId == 0) {
            long min;
            try {
                min = memoryLimit > 0 ? worker.minMemoryLimit(debug) : 0;
            } finally {
                worker.destroy();
            }
            throw cannotCreate(debug, min);
        }
        Interpreter interp = new Interpreter(this, 0, worker, leakPolicy, debug, callTimeoutNanos, site);
        synchronized (this) {
            if (!closed) {
                interpreters.add(interp.state);
                return interp;
            }
        }
        interp.close();
        throw new ClosedException("host is closed; build a new one with Host.builder()");
    }

    /**
     * Why ixh_interp_new failed: the memory limit is below the start-up footprint
     * ({@code min}, asked of libisolex in process or of the worker), or memory ran out.
     */
    private IsolexException cannotCreate(boolean debug, long min) {
        if (memoryLimit > 0 && memoryLimit < min) {
            return new IsolexException(String.format(Locale.ROOT, "cannot create an interpreter: the memory limit"
                    + " of %,d bytes is below the %,d bytes %s interpreter needs to start", memoryLimit, min,
                    debug ? "a debug-mode" : "an"));
        }
        return new IsolexException("cannot create an interpreter: the process is out of native memory");
    }

    /**
     * The interpreters made by this host that are still open and still held by the program,
     * oldest first (a dropped one is left out: see "Dropped without closing" above).
     *
     * @return an unmodifiable snapshot: interpreters made or closed later do not change it
     */
    public synchronized List<Interpreter> interpreters() {
        List<Interpreter> open = new ArrayList<>();
        for (InterpreterState s : interpreters) {
            Interpreter i = s.owner.get();
            if (i != null) open.add(i);
        }
        return Collections.unmodifiableList(open);
    }

    synchronized void forget(InterpreterState interp) {
        interpreters.remove(interp);
    }

    /**
     * Closes every interpreter still open, and refuses new ones. First every open interpreter
     * is marked closing, so from that moment any new operation on any of them throws
     * {@link ClosedException}; then each is closed in turn ({@link Interpreter#close()}), which
     * waits for the operations already in flight in it (they complete normally). All of them
     * are closed even when one close throws: if any leaked and the policy is
     * {@link LeakPolicy#THROW}, the first {@link LeakException} (or the first
     * {@link CloseIncompleteException}, when the thread was interrupted while a close waited)
     * is thrown after all the others are closed, with the rest added as suppressed
     * exceptions. Idempotent; safe to call from any thread; a close that threw
     * {@code CloseIncompleteException} may be repeated to finish.
     */
    @Override
    public void close() {
        try {
            closeAll(-1);
        } catch (InterruptedException e) {
            throw new AssertionError("an unbounded close answers an interrupt with CloseIncompleteException", e);
        }
    }

    /**
     * {@link #close()}, waiting at most {@code timeout} in all for calls in flight. An
     * interpreter whose calls are still running when the time is up is left closing (new
     * operations refused, nothing freed; see {@link Interpreter#closeWithin(Duration)}) and reported
     * as a {@link CloseIncompleteException}; every other interpreter is closed. Close the host
     * again to finish.
     *
     * @param timeout the longest wait, for all the interpreters together; not negative
     *                ({@code Duration.ZERO} closes only the interpreters with nothing in flight)
     * @throws IllegalArgumentException if {@code timeout} is negative (nothing is closed)
     * @throws CloseIncompleteException if an interpreter still had calls in flight at the end
     * @throws InterruptedException     if interrupted while waiting; the interpreters not
     *                                  closed yet are left closing
     * @throws LeakException            if one leaked and the policy is {@link LeakPolicy#THROW}
     */
    public void closeWithin(Duration timeout) throws InterruptedException {
        closeAll(SharedQueue.nanos(timeout));
    }

    /** Closes every open interpreter, in at most {@code timeoutNanos} (negative: no limit). */
    private void closeAll(long timeoutNanos) throws InterruptedException {
        List<InterpreterState> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(interpreters);
        }
        for (InterpreterState interp : open) interp.beginClose();
        long start = System.nanoTime();
        Throwable first = null;
        for (InterpreterState interp : open) {
            try {
                if (timeoutNanos < 0) interp.close();
                else interp.close(start, timeoutNanos);
            } catch (RuntimeException | Error e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first instanceof RuntimeException) throw (RuntimeException) first;
        if (first instanceof Error) throw (Error) first;
    }

    // ------------------------------------------------------------------ queues and shared buffers

    /**
     * A new unbounded {@link SharedQueue} for values crossing between interpreters and Java
     * (abi/ABI.md 11). Queues are process-level: they belong to no host and no interpreter,
     * so this is static, and closing a host or an interpreter does not close them. Close it.
     *
     * @return a new, empty, open queue owned by the caller
     * @throws IsolexException if the process is out of native memory
     */
    public static SharedQueue newQueue() {
        NativeBridge.load();
        return SharedQueue.create(0);
    }

    /**
     * A new {@link SharedQueue} holding at most {@code capacity} items: {@link SharedQueue#put} waits and
     * {@link SharedQueue#offer} fails while it is full.
     *
     * @param capacity the most items the queue holds at once, 1 or more
     * @return a new, empty, open queue owned by the caller
     * @throws IllegalArgumentException if {@code capacity < 1} (use {@link #newQueue()} for unbounded)
     * @throws IsolexException if the process is out of native memory
     */
    public static SharedQueue newQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1 (newQueue() makes an unbounded one): "
                    + capacity);
        }
        NativeBridge.load();
        return SharedQueue.create(capacity);
    }

    /**
     * A new zeroed {@link SharedBuffer} of {@code size} bytes, shared without copying with
     * every interpreter it is passed to (abi/ABI.md 11). Process-level, like {@link #newQueue()}.
     * Close it.
     *
     * @param size the buffer's size in bytes, 0 or more; fixed for its life
     * @return a new open buffer of {@code size} zero bytes, owned by the caller
     * @throws IllegalArgumentException if {@code size < 0}
     * @throws IsolexException if the process is out of native memory
     */
    public static SharedBuffer newBuffer(int size) {
        NativeBridge.load();
        return SharedBuffer.create(size);
    }

    /**
     * Native bytes held by shared buffers, queues and the items in queues, process-wide
     * (ixh_shared_bytes). They belong to no interpreter, so no leak report counts them; they
     * are part of {@link #liveNativeBytes()}. 0 once every queue and buffer is closed (and,
     * for a buffer whose {@link SharedBuffer#byteBuffer() views} were taken, those are
     * garbage collected) and no interpreter holds one.
     *
     * @return the bytes, 0 or more
     */
    public static long sharedBytes() {
        return NativeBridge.sharedBytes();
    }

    /** {@return the native bytes held by libisolex for all interpreters, libraries, queues and buffers of the process} */
    public static long liveNativeBytes() {
        return NativeBridge.liveBytes();
    }

    /** {@return the number of extension libraries currently mapped (dlopen-ed) in the process} */
    public static long loadedLibraries() {
        return NativeBridge.loadedLibraries();
    }

    /**
     * The extension libraries currently loaded in the process, newest first: each one's file
     * identity (device, inode), modification time and size when it was loaded, the module
     * names imported from it, and what the file at its path is now (replaced, overwritten in
     * place ...: abi/ABI.md 4.10). {@link #loadedLibraries()} is their number.
     *
     * @return an unmodifiable snapshot, newest first; empty when no library is loaded
     */
    public static List<LoadedLibrary> libraries() {
        List<LoadedLibrary> list = new ArrayList<>();
        for (Object t : NativeBridge.libraries()) list.add(LoadedLibrary.fromWire((List<?>) t));
        return List.copyOf(list);
    }

    /** {@return the number of interpreters currently open in the process, of every host} */
    public static long liveInterpreters() {
        return NativeBridge.liveInterpreters();
    }

    /**
     * Takes the debug-mode violations (abi/ABI.md 10.2) recorded since the last call, oldest
     * first, and forgets them: one line each, exactly as ABI.md 10.2 writes them, e.g.
     * {@code "isolex debug: IxMem_Free: double free of a block of 16 bytes allocated at
     * buggy.so!buggy_mem_double_free"}. The log is process-wide: it holds the violations of
     * every debug interpreter of every host, including those that could not be raised as an
     * error (in a dealloc, or through a context whose call had returned). Empty when there
     * were none, or no interpreter ran in debug mode. Those of worker-process interpreters
     * ({@link Isolation#WORKER_PROCESS}) follow the JVM's own: each worker's log is drained
     * when its interpreter closes, and from idle workers by this call (a worker busy in a
     * call is drained by a later one).
     *
     * @return the violations recorded since the last call, oldest first (a later call does
     *         not return them again)
     */
    public static List<String> debugViolations() {
        List<String> all = new ArrayList<>(NativeBridge.takeDebugViolations());
        all.addAll(WorkerProcess.takeAllViolations()); // ABI.md 13.14: those of worker processes too
        return List.copyOf(all);
    }

    /** {@return libisolex's version string, e.g. {@code "isolex 0.1.0-SNAPSHOT (ABI 1.3)"}} */
    public static String version() {
        return NativeBridge.version();
    }

    /**
     * How this JVM calls libisolex: {@code "ffm"}, through {@code java.lang.foreign} downcalls
     * (JDK 22+, from the multi-release jar), or {@code "jni"}, through JavaCPP's JNI bridge (JDK
     * 17-21, a jar built without a JDK 22+ compiler, or {@code -Disolex.bridge=jni}). Both call
     * the same C entry points with the same results; FFM's crossing is cheaper.
     *
     * @return {@code "ffm"} or {@code "jni"}
     */
    public static String nativeCalls() {
        return NativeBridge.path();
    }
}
