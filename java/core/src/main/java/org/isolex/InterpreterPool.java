package org.isolex;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link java.util.concurrent.ExecutorService} whose worker threads each own one
 * {@link Interpreter}: tasks run in parallel in isolated interpreters, one task per
 * interpreter at a time, so a task never waits for another's interpreter lock.
 *
 * <pre>{@code
 * try (InterpreterPool pool = InterpreterPool.builder(host).size(4).imports("fact").build()) {
 *     Future<Object> f = pool.submit(interp -> interp.importModule("fact").invoke("digits", 1000));
 *     f.get();   // 2568
 * }   // shuts down, closes every interpreter, throws LeakException if one leaked
 * }</pre>
 *
 * <h2>Workers and their interpreters</h2>
 * Each worker thread creates its interpreter when it starts ({@link Builder#eager}) or at its
 * first task (the default), imports the modules named by {@link Builder#imports}, and closes it
 * when the thread ends. A task gets the interpreter as its argument ({@link #submit(Task)}); a
 * plain {@code Runnable} or {@code Callable} can ask for it with {@link #current()}. Tasks go to
 * whichever worker is free, so a task must not rely on state a previous task left behind in
 * "its" interpreter unless the pool has one worker.
 *
 * <h2>When a task fails</h2>
 * A task's exception reaches its {@code Future}. An ordinary {@link NativeError} (the
 * extension raised) leaves the worker's interpreter in use. A {@link NativeSystemError} (an
 * extension broke the ABI's contract) or a {@link ClosedException} makes the worker close that
 * interpreter — reporting any leak — and start the next task with a fresh one: after a
 * contract violation nothing in the old one can be trusted. So does an
 * {@link InterpreterCrashedException} or a {@link CallTimeoutException} of a host whose
 * interpreters run in worker processes ({@link Host.Builder#isolation(Isolation)}): the task
 * that crashed gets the exception, the dead worker is closed (nothing to free), and the next
 * task gets a new worker with the pool's imports done.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdown()} lets queued tasks finish; each worker then closes its interpreter. Leak
 * reports of those closes are kept ({@link #leakReports()}); {@link #close()} shuts down,
 * waits, and throws a {@link LeakException} if any interpreter leaked.
 */
public final class InterpreterPool extends AbstractExecutorService implements AutoCloseable {

    /**
     * A unit of work that receives its worker's interpreter.
     *
     * @param <T> the type of its result
     */
    @FunctionalInterface
    public interface Task<T> {
        /**
         * Does the work in the worker's interpreter.
         *
         * @param interpreter the worker's interpreter: open, the pool's imports done
         * @return the result its {@code Future} gives
         * @throws Exception any failure, which its {@code Future} gives (a
         *                   {@link NativeSystemError}, {@link ClosedException},
         *                   {@link InterpreterCrashedException} or {@link CallTimeoutException}
         *                   also makes the worker close that interpreter)
         */
        T run(Interpreter interpreter) throws Exception;
    }

    private static final ThreadLocal<Worker> WORKER = new ThreadLocal<>();
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Host host;
    private final List<String> imports;
    private final boolean eager;
    private final ThreadPoolExecutor executor;
    private final ConcurrentLinkedQueue<LeakReport> leakReports = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<RuntimeException> closeFailures = new ConcurrentLinkedQueue<>();
    /** Worker threads, so termination can wait until each has closed its interpreter. */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch started;

    /** The interpreter of one worker thread; only that thread touches it. */
    private final class Worker {
        private Interpreter interpreter;

        Interpreter interpreter() {
            if (interpreter == null || interpreter.isClosed()) {
                Interpreter fresh = host.newInterpreter();
                try {
                    for (String module : imports) fresh.importModule(module);
                } catch (RuntimeException e) {
                    closeQuietly(fresh);
                    throw e;
                }
                interpreter = fresh;
            }
            return interpreter;
        }

        void retire() {
            if (interpreter != null) closeQuietly(interpreter);
            interpreter = null;
        }
    }

    private InterpreterPool(Builder b) {
        this.host = b.host;
        this.imports = List.copyOf(b.imports);
        this.eager = b.eager;
        String name = "isolex-pool-" + POOLS.incrementAndGet() + "-worker-";
        AtomicInteger n = new AtomicInteger();
        this.started = new CountDownLatch(eager ? b.size : 0);
        this.executor = new ThreadPoolExecutor(b.size, b.size, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(() -> runWorker(r), name + n.incrementAndGet());
                    t.setDaemon(true);
                    threads.add(t);
                    return t;
                });
        if (eager) {
            executor.prestartAllCoreThreads();
            awaitUninterruptibly(started); // eager means: every interpreter exists on return
        }
    }

    /**
     * A builder for a pool on {@code host}.
     *
     * @param host the host every worker makes its interpreter with; not null, and open while
     *             the pool runs
     * @return a builder for one worker per CPU, no imports, interpreters made at first task
     */
    public static Builder builder(Host host) {
        return new Builder(host);
    }

    /**
     * The interpreter of the pool worker running the calling thread's task.
     *
     * @return the worker's interpreter, made now (imports done) if it has none yet or its last
     *         one was closed after a failure
     * @throws IllegalStateException if the calling thread is not one of a pool's workers
     */
    public static Interpreter current() {
        Worker w = WORKER.get();
        if (w == null) throw new IllegalStateException("not running on an InterpreterPool worker thread");
        return w.interpreter();
    }

    /**
     * Submits a task that receives its worker's interpreter.
     *
     * @param <T>  the type of the task's result
     * @param task the task; not null
     * @return the task's future: its result, or the exception it (or making its interpreter) threw
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public <T> Future<T> submit(Task<T> task) {
        Objects.requireNonNull(task, "task");
        return submit(() -> task.run(current()));
    }

    /** Every submitted task retires its worker's interpreter after a contract violation. */
    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new FutureTask<>(() -> {
            try {
                return callable.call();
            } catch (NativeSystemError | ClosedException | InterpreterCrashedException | CallTimeoutException e) {
                retireCurrent();
                throw e;
            }
        });
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return newTaskFor(() -> {
            runnable.run();
            return value;
        });
    }

    private static void retireCurrent() {
        Worker w = WORKER.get();
        if (w != null) w.retire(); // the next task gets a fresh interpreter
    }

    /** {@return the number of workers (and so of interpreters at most)} */
    public int size() {
        return executor.getCorePoolSize();
    }

    /** {@return reports of every worker interpreter that leaked when it was closed, so far (a snapshot)} */
    public List<LeakReport> leakReports() {
        return List.copyOf(leakReports);
    }

    // ------------------------------------------------------------------ ExecutorService

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        executor.execute(command instanceof FutureTask ? command : () -> {
            try {
                command.run();
            } catch (NativeSystemError | ClosedException | InterpreterCrashedException | CallTimeoutException e) {
                retireCurrent();
                throw e;
            }
        });
    }

    @Override
    public void shutdown() {
        executor.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return executor.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    /** True once every task has run and every worker has closed its interpreter. */
    @Override
    public boolean isTerminated() {
        return executor.isTerminated() && threads.stream().noneMatch(Thread::isAlive);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!executor.awaitTermination(timeout, unit)) return false;
        for (Thread t : threads) { // each closes its interpreter after the executor lets it go
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 && t.isAlive()) return false;
            t.join(Math.max(1, left));
            if (t.isAlive()) return false;
        }
        return true;
    }

    /**
     * Shuts down, waits for the tasks and the workers' interpreters to close, and throws a
     * {@link LeakException} (the first; others suppressed) if any interpreter leaked, or the
     * first failure to close one.
     *
     * <p>Not from one of the pool's own tasks: that close would wait for the task that is
     * calling it, for ever. It is refused, before doing anything, with
     * {@code IllegalStateException("InterpreterPool.close() called from the pool's own task on
     * thread isolex-pool-1-worker-2 would wait for that task to end: call shutdown() there, or
     * close() from another thread")}. ({@link #shutdown()} is fine there; so is
     * {@link #awaitTermination}, which just times out.)
     *
     * @throws IllegalStateException if called on one of the pool's worker threads
     */
    @Override
    public void close() {
        if (threads.contains(Thread.currentThread())) {
            throw new IllegalStateException("InterpreterPool.close() called from the pool's own task on thread "
                    + Thread.currentThread().getName() + " would wait for that task to end: call shutdown() there,"
                    + " or close() from another thread");
        }
        shutdown();
        boolean interrupted = false;
        try {
            while (!awaitTermination(1, TimeUnit.MINUTES)) { /* keep waiting: tasks are finite */ }
        } catch (InterruptedException e) {
            interrupted = true;
            shutdownNow();
        }
        if (interrupted) Thread.currentThread().interrupt();
        List<RuntimeException> failures = new ArrayList<>(closeFailures);
        for (LeakReport r : leakReports) failures.add(new LeakException(r));
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (RuntimeException e : failures.subList(1, failures.size())) first.addSuppressed(e);
            throw first;
        }
    }

    @Override
    public String toString() {
        return "InterpreterPool(" + size() + " workers" + (isShutdown() ? ", shut down" : "") + ")";
    }

    // ------------------------------------------------------------------ internals

    private void runWorker(Runnable loop) {
        Worker w = new Worker();
        WORKER.set(w);
        try {
            if (eager) {
                try {
                    w.interpreter();
                } catch (RuntimeException e) {
                    // The worker must still run its loop; its first task creates the
                    // interpreter again and gets this failure in its Future.
                } finally {
                    started.countDown();
                }
            }
            loop.run();
        } finally {
            w.retire();
            WORKER.remove();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void closeQuietly(Interpreter interp) {
        try {
            interp.close();
        } catch (LeakException e) {
            leakReports.add(e.report());
        } catch (RuntimeException e) {
            closeFailures.add(e);
        }
        interp.lastLeakReport().ifPresent(r -> {
            if (!leakReports.contains(r)) leakReports.add(r);
        });
    }

    /** Configures an {@link InterpreterPool}. */
    public static final class Builder {
        private final Host host;
        private int size = Runtime.getRuntime().availableProcessors();
        private final List<String> imports = new ArrayList<>();
        private boolean eager;

        private Builder(Host host) {
            this.host = Objects.requireNonNull(host, "host");
        }

        /**
         * Number of workers, each with its own interpreter (default: one per CPU).
         *
         * @param workers the number of worker threads, 1 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code workers < 1}
         */
        public Builder size(int workers) {
            if (workers < 1) throw new IllegalArgumentException("a pool needs at least 1 worker, not " + workers);
            this.size = workers;
            return this;
        }

        /**
         * Modules every worker imports into its interpreter before its first task.
         *
         * @param modules module names, imported in this order after those named by earlier
         *                calls; none null, none with a NUL character
         * @return this builder
         * @throws IllegalArgumentException if a name contains a NUL character
         */
        public Builder imports(String... modules) {
            for (String m : modules) imports.add(Names.check("module name", Objects.requireNonNull(m, "module name")));
            return this;
        }

        /**
         * Create every worker and its interpreter now instead of at the first task.
         *
         * @param eager true to make them in {@link #build()}; false (the default) to make each
         *              at its worker's first task
         * @return this builder
         */
        public Builder eager(boolean eager) {
            this.eager = eager;
            return this;
        }

        /**
         * Starts the pool. When eager, every worker has made its interpreter on return; a
         * worker whose interpreter could not be made (or import) tries again at its first
         * task, whose {@code Future} then gets the failure.
         *
         * @return the running pool; close it
         */
        public InterpreterPool build() {
            return new InterpreterPool(this);
        }
    }
}
