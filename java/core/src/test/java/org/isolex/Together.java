package org.isolex;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/** Test helper: run tasks on their own threads, released at the same instant. */
final class Together {
    private Together() {}

    /** How long a helper waits for its threads before calling it a deadlock. */
    static final long TIMEOUT_SECONDS = 60;

    /**
     * Runs {@code n} tasks, task {@code i} made by {@code task.apply(i)}, each on its own
     * thread; all wait at one barrier and start together. Returns their results in order;
     * a task's exception is rethrown (unwrapped when unchecked).
     */
    static <T> List<T> run(int n, IntFunction<Callable<T>> task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<T> body = task.apply(i);
                futures.add(pool.submit(() -> {
                    start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    return body.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(get(f));
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A future's value within {@link #TIMEOUT_SECONDS}; dumps the threads and fails on timeout. */
    static <T> T get(Future<T> f) throws Exception {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception) throw (Exception) c;
            if (c instanceof Error) throw (Error) c;
            throw e;
        } catch (TimeoutException e) {
            System.out.println(threadDump());
            return fail("no result after " + TIMEOUT_SECONDS + " s: deadlock? (thread dump on stdout)");
        }
    }

    /** Every live thread's stack, with the locks each holds and waits for. */
    static String threadDump() {
        StringBuilder sb = new StringBuilder("---- thread dump ----\n");
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            sb.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) sb.append(" on ").append(t.getLockName());
            if (t.getLockOwnerName() != null) sb.append(" owned by \"").append(t.getLockOwnerName()).append('"');
            sb.append('\n');
            for (StackTraceElement e : t.getStackTrace()) sb.append("    at ").append(e).append('\n');
            for (var s : t.getLockedSynchronizers()) sb.append("    holds ").append(s).append('\n');
        }
        return sb.toString();
    }

    /** Waits (polling) until {@code condition} holds; fails after {@link #TIMEOUT_SECONDS}. */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                System.out.println(threadDump());
                fail("timed out waiting until " + what);
            }
            Thread.sleep(1);
        }
    }
}
