package org.isolex;

/**
 * A close gave up before it finished: {@link Interpreter#closeWithin(java.time.Duration)} or
 * {@link Host#closeWithin(java.time.Duration)} ran out of time, or a plain {@link Interpreter#close()}
 * was interrupted while it waited (the interrupt status is set again, and the
 * {@link InterruptedException} is the cause). Waiting is for calls still in flight in the
 * interpreter (or for another thread's close of it).
 *
 * <p>The interpreter is left <em>closing</em>: every new operation throws
 * {@link ClosedException}, the calls in flight run on, and nothing is freed yet. Close it
 * again to finish (the calls in flight must have returned by then; a call that never returns
 * keeps its interpreter's memory).
 */
public class CloseIncompleteException extends IsolexException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a close that gave up and left its interpreter closing.
     *
     * @param message which interpreter was left closing and why, e.g. {@code "interpreter 3 did
     *                not close within 200 ms: 1 call still in flight (...)"}
     * @param cause   the InterruptedException that ended the wait, or null when time ran out
     */
    public CloseIncompleteException(String message, Throwable cause) {
        super(message, cause);
    }
}
