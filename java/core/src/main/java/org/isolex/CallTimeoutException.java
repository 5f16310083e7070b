package org.isolex;

/**
 * A call ran past its deadline ({@link Deadline}, {@link Host.Builder#callTimeout},
 * {@link Interpreter.Builder#callTimeout}). In a {@linkplain Isolation#WORKER_PROCESS worker
 * process} the worker was killed (SIGKILL) to stop the call: the interpreter is gone, and
 * every later use of it throws {@link InterpreterCrashedException} (with
 * {@link InterpreterCrashedException#killedForDeadline()} true); the host and every other
 * interpreter go on (abi/ABI.md 13.13).
 */
public class CallTimeoutException extends IsolexException {
    private static final long serialVersionUID = 1L;
    /** The id of the interpreter the call ran in. */
    private final long interpreterId;

    /**
     * An exception for a call past its deadline.
     *
     * @param interpreterId the id of the interpreter the call ran in
     * @param message       what ran out, e.g. {@code "call in interpreter 1 passed its deadline
     *                      (200 ms); its worker process (pid 4711) was killed"}
     */
    public CallTimeoutException(long interpreterId, String message) {
        super(message);
        this.interpreterId = interpreterId;
    }

    /** {@return the id of the interpreter the call ran in} */
    public long interpreterId() {
        return interpreterId;
    }
}
