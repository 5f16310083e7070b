package org.isolex;

import java.time.Duration;
import java.util.Objects;

/**
 * A deadline for the isolex calls the current thread makes while it is open (abi/ABI.md
 * 13.13):
 *
 * <pre>{@code
 * try (Deadline d = Deadline.after(Duration.ofMillis(200))) {
 *     fact.invoke("factorial_digits", 100_000);   // CallTimeoutException if it runs past 200 ms
 * }
 * }</pre>
 *
 * Thread-scoped: it covers the calls of the thread that opened it, and only until it is
 * closed. Nested deadlines take the earliest (an inner, later deadline does not extend an
 * outer one). An interpreter's call timeout ({@link Interpreter.Builder#callTimeout},
 * {@link Host.Builder#callTimeout}) applies to each call when no earlier deadline is open.
 * In a {@linkplain Isolation#WORKER_PROCESS worker process} a call past its deadline kills the
 * worker and throws {@link CallTimeoutException}. In process, extension code that polls
 * ({@code Ix_CheckInterrupt}, abi/ABI.md 6.10) is asked to stop and fails with a
 * {@link NativeError} of type {@code TimeoutError}; code that does not poll runs to its end
 * (ABI.md 12.83). Close deadlines in the reverse order of opening (try-with-resources does).
 */
public final class Deadline implements AutoCloseable {
    /** The effective deadline of the thread now (System.nanoTime based; Long.MAX_VALUE: none). */
    private static final ThreadLocal<long[]> CURRENT = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE});
    /** No deadline, in {@link #effectiveNanos(long)}'s terms. */
    static final long NONE = Long.MAX_VALUE;
    /**
     * Set when the first Deadline opens: until then every call's deadline is its
     * interpreter's timeout alone, found without the thread-local (a call's hot path).
     */
    private static volatile boolean anyOpened;

    private final long at;
    private final long previous;
    private final Thread thread;
    private boolean closed;

    private Deadline(long at) {
        long[] current = CURRENT.get();
        this.previous = current[0];
        this.at = Math.min(previous, at);
        this.thread = Thread.currentThread();
        current[0] = this.at;
        anyOpened = true;
    }

    /**
     * Opens a deadline {@code timeout} from now for this thread's calls.
     *
     * @param timeout the time the calls may take from now; not negative
     * @return the open deadline; close it (try-with-resources) on this thread
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("a deadline's timeout must not be negative: "
                + timeout);
        return new Deadline(plus(System.nanoTime(), saturatedNanos(timeout)));
    }

    /** {@return the time left until this deadline, zero once it has passed} */
    public Duration remaining() {
        long left = at - System.nanoTime();
        return at == Long.MAX_VALUE ? Duration.ofNanos(Long.MAX_VALUE) : Duration.ofNanos(Math.max(0, left));
    }

    /**
     * Closes the deadline: the thread's calls are bound by the deadlines open before it
     * again. Idempotent.
     *
     * @throws IllegalStateException if called from another thread than the one that opened it
     */
    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a Deadline is closed by the thread that opened it (" + thread.getName()
                    + ")");
        }
        if (closed) return;
        closed = true;
        CURRENT.get()[0] = previous;
    }

    /**
     * The effective deadline, as a {@link System#nanoTime()} value, of a call now starting on
     * this thread in an interpreter whose call timeout is {@code callTimeoutNanos} (0: none):
     * the earliest of the open deadlines and now + the call timeout; {@link Long#MAX_VALUE}
     * for none. Internal: the worker client arms its kill with it, the in-process interrupt
     * watcher can flag the interpreter with it.
     *
     * @param callTimeoutNanos the interpreter's default call timeout in nanoseconds, 0 for none
     * @return the deadline in System.nanoTime() terms, or Long.MAX_VALUE
     */
    static long effectiveNanos(long callTimeoutNanos) {
        long open = anyOpened ? CURRENT.get()[0] : NONE;
        if (callTimeoutNanos <= 0) return open;
        return Math.min(open, plus(System.nanoTime(), callTimeoutNanos));
    }

    /**
     * The effective deadline of a call now starting on this thread in {@code interp}
     * ({@link #effectiveNanos(long)} with its call timeout): a {@link System#nanoTime()}
     * value, or {@link Long#MAX_VALUE} for none. The hook for the in-process interrupt
     * watcher (issue 14): flag the interpreter when nanoTime passes it.
     *
     * @param interp the interpreter the call goes into
     * @return the deadline in System.nanoTime() terms, or Long.MAX_VALUE
     */
    static long effectiveNanos(Interpreter interp) {
        return effectiveNanos(interp.callTimeoutNanos);
    }

    /** a + b, capped at Long.MAX_VALUE - 1 (MAX_VALUE means "none"). */
    private static long plus(long now, long nanos) {
        long sum = now + nanos;
        return (nanos > 0 && sum < now) || sum == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : sum;
    }

    /** A duration in nanoseconds, saturated at Long.MAX_VALUE. */
    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
