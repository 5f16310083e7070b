package org.isolex.internal;

/**
 * The deadline of the call the current thread is about to make, as a {@link System#nanoTime()}
 * value ({@link #NONE}: no deadline). Internal: the in-process interrupt mechanism
 * ({@code org.isolex.InterruptWatcher}, ABI.md 12.83) asks it once per call.
 *
 * <p><b>Merge point.</b> The public deadline API ({@code org.isolex.Deadline},
 * {@code callTimeout}) answers here: {@link #current()} becomes "the earliest of the thread's
 * {@code Deadline} and the interpreter's call timeout", one line. Until then only the test
 * hook ({@link #setForThisThread}) sets one.
 */
public final class CallDeadlines {
    /** No deadline. */
    public static final long NONE = Long.MAX_VALUE;

    /** Set once a test hook was used: until then {@link #current()} is one static read. */
    private static volatile boolean hooked;
    private static final ThreadLocal<long[]> HOOK = ThreadLocal.withInitial(() -> new long[] {NONE});

    private CallDeadlines() {}

    /**
     * The deadline of the next call of this thread.
     *
     * @return a {@link System#nanoTime()} value, or {@link #NONE}
     */
    public static long current() {
        return hooked ? HOOK.get()[0] : NONE;
    }

    /**
     * Test hook: the calls this thread makes from now on have this deadline.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value, or {@link #NONE} to remove it
     */
    public static void setForThisThread(long deadlineNanos) {
        hooked = true;
        HOOK.get()[0] = deadlineNanos;
    }
}
